"""Raw HTML pages: one `.html`/`.htm` file is one document, its main text extracted.

`html_to_text()` is shared with the WARC reader. Backend: Resiliparse
(`extract_plain_text(main_content=True)`). Measured in bench/bench_clean.py
(--html) on news-like pages built from the dev articles (nav, breadcrumbs,
sidebar teasers, share bar, cookie banner, footer): both extractors keep the
whole article body, Resiliparse ~15-20x faster than trafilatura; trafilatura
strips more chrome, but what Resiliparse leaves is exactly what the line
rules of the cleaning stage remove, so the cheaper extractor wins here.
trafilatura stays selectable (`backend="trafilatura"`) when installed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from nearcopy.document import Document
from nearcopy.errors import ConfigError
from nearcopy.io.base import DOCUMENT_TOO_LARGE, EMPTY_TEXT, Reader

BACKENDS = ("resiliparse", "trafilatura")
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_BLANKS = re.compile(r"\n{3,}")


def decode_html(data: bytes) -> str:
    """Bytes to str using the page's declared/detected encoding (Resiliparse's detector)."""
    from resiliparse.parse.encoding import bytes_to_str, detect_encoding
    return bytes_to_str(data, detect_encoding(data))


def html_to_text(html: str | bytes, *, backend: str = "resiliparse") -> str:
    """Main text of an HTML page, paragraphs separated by newlines.

    Example:
        >>> html_to_text("<html><body><nav>Home</nav><article><p>Body text here.</p>"
        ...              "</article></body></html>")
        'Body text here.'
    """
    if backend not in BACKENDS:
        raise ConfigError(f"unknown HTML backend {backend!r}; use one of {', '.join(BACKENDS)}")
    if isinstance(html, bytes):
        html = decode_html(html)
    if backend == "trafilatura":
        import trafilatura
        text = trafilatura.extract(html, include_comments=False, include_tables=True) or ""
    else:
        from resiliparse.extract.html2text import extract_plain_text
        text = extract_plain_text(html, main_content=True, alt_texts=False, links=False,
                                  form_fields=False, noscript=False, comments=False)
    return _BLANKS.sub("\n\n", text).strip()


def page_title(data: bytes) -> str | None:
    """The <title> of a page, for metadata."""
    match = _TITLE.search(data[:65536])
    if not match:
        return None
    import html as html_lib
    return html_lib.unescape(match.group(1).decode("utf-8", "replace")).strip() or None


class HtmlReader(Reader):
    """Reads one HTML file as one document; id = path relative to the corpus folder."""

    suffixes = (".html", ".htm")

    def __init__(self, *, root: Path | None = None, backend: str = "resiliparse", **kwargs):
        super().__init__(**kwargs)
        if backend not in BACKENDS:
            raise ConfigError(f"unknown HTML backend {backend!r}; use one of {', '.join(BACKENDS)}")
        self.root = root
        self.backend = backend

    def read_file(self, path: Path) -> Iterator[Document]:
        path = Path(path)
        src = str(path)
        data = path.read_bytes()
        if len(data) > self.max_doc_chars * 4:
            self.skips.skip(DOCUMENT_TOO_LARGE, src, None, f"{len(data):,} bytes")
            return
        text = html_to_text(data, backend=self.backend)
        if not text.strip():
            self.skips.skip(EMPTY_TEXT, src, None, "no main text in the page")
            return
        doc_id = path.relative_to(self.root).as_posix() if self.root else path.name
        metadata = {"url": None, "date": None, "title": page_title(data)}
        yield Document(id=doc_id, text=text, metadata=metadata, source=src)
