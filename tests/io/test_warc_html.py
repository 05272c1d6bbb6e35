"""WARC (fastwarc) and HTML readers: main text, URL and date pass through."""

import gzip
from pathlib import Path

from nearcopy.clean import CleanConfig, Cleaner
from nearcopy.io.base import SkipCounter
from nearcopy.io.html import HtmlReader, html_to_text
from nearcopy.io.warc import WarcReader

BODY = ("HARBOUR CITY, March 11 - The Harbour City port authority said it will spend 420 million "
        "dollars over five years to expand its main container terminal, adding two berths.")
PAGE = f"""<!doctype html><html><head><title>Port to expand</title>
<script>var x = 1;</script></head><body>
<nav><a href="/">Home</a> &gt; <a href="/news">News</a></nav>
<article><h1>HARBOUR CITY PORT TO EXPAND CONTAINER TERMINAL</h1>
<p>{BODY}</p>
<p>The authority said the expansion would lift annual capacity to 3.1 million containers
from 2.2 million and should be finished by the end of 2020, officials said on Friday.</p></article>
<footer>Share this article</footer></body></html>"""


def _warc_record(url: str, html: str, record_id: str) -> bytes:
    payload = html.encode("utf-8")
    http = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            b"Content-Length: " + str(len(payload)).encode() + b"\r\n\r\n" + payload)
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\n"
            f"WARC-Date: 2016-03-12T09:41:00Z\r\nWARC-Record-ID: {record_id}\r\n"
            f"Content-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(http)}\r\n\r\n").encode()
    return head + http + b"\r\n\r\n"


def _write_warc(path: Path, gz: bool) -> None:
    data = (_warc_record("http://example.com/a", PAGE, "<urn:uuid:0001>")
            + _warc_record("http://example.com/b", "<html><body></body></html>", "<urn:uuid:0002>"))
    if gz:
        path.write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)


def test_html_to_text_keeps_body():
    text = html_to_text(PAGE)
    assert BODY in text and "var x" not in text


def test_html_reader(tmp_path):
    page = tmp_path / "site" / "a.html"
    page.parent.mkdir()
    page.write_text(PAGE, encoding="utf-8")
    docs = list(HtmlReader(root=tmp_path).read_file(page))
    assert [d.id for d in docs] == ["site/a.html"]
    assert BODY in docs[0].text and docs[0].metadata["title"] == "Port to expand"


def test_warc_reader(tmp_path):
    for gz in (False, True):
        path = tmp_path / ("a.warc.gz" if gz else "a.warc")
        _write_warc(path, gz)
        skips = SkipCounter()
        docs = list(WarcReader(skips=skips).read_file(path))
        assert [d.id for d in docs] == ["<urn:uuid:0001>"]
        assert docs[0].metadata == {"url": "http://example.com/a", "date": "2016-03-12T09:41:00Z"}
        assert skips.counts["empty_text"] == 1
        cleaned = Cleaner(CleanConfig()).clean(docs[0])
        assert BODY in cleaned.text and "Share this article" not in cleaned.text
