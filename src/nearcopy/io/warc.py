"""WARC files (`.warc`, `.warc.gz`): each HTML response record is one document.

Read with FastWARC (measured ~4x faster than warcio). The record's
WARC-Target-URI and WARC-Date go to `metadata["url"]`/`["date"]`; the id is the
WARC-Record-ID (or the URL when a record has none). Records that are not
HTML responses (requests, metadata, images) are passed over silently; an
HTML record without main text is skipped and counted.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from nearcopy.document import Document
from nearcopy.errors import InputFormatError
from nearcopy.io.base import DOCUMENT_TOO_LARGE, EMPTY_TEXT, Reader
from nearcopy.io.html import html_to_text

_HTML_TYPES = (b"text/html", b"application/xhtml")


class WarcReader(Reader):
    """Yields one Document per HTML response/resource record of a WARC file."""

    suffixes = (".warc", ".warc.gz")

    def __init__(self, *, backend: str = "resiliparse", **kwargs):
        super().__init__(**kwargs)
        self.backend = backend

    def read_file(self, path: Path) -> Iterator[Document]:
        from fastwarc.warc import ArchiveIterator, WarcRecordType
        path = Path(path)
        types = WarcRecordType.response | WarcRecordType.resource
        # FastWARC 2 opens the path itself and detects gzip/zstd/lz4 from the bytes.
        try:
            records = ArchiveIterator(str(path), record_types=types, parse_http=True)
            for number, record in enumerate(records, 1):
                doc = self._record_to_document(record, path, number)
                if doc is not None:
                    yield doc
        except (OSError, ValueError) as exc:
            raise InputFormatError(f"not a readable WARC file ({exc})", path=str(path)) from exc

    def _record_to_document(self, record, path: Path, number: int) -> Document | None:
        headers = record.headers
        content_type = (record.http_content_type or headers.get("Content-Type") or "").lower()
        if not content_type.encode().startswith(_HTML_TYPES):
            return None
        url = headers.get("WARC-Target-URI")
        src = f"{path}:{number}"
        data = record.reader.read()
        if len(data) > self.max_doc_chars * 4:
            self.skips.skip(DOCUMENT_TOO_LARGE, str(path), number, f"{len(data):,} bytes")
            return None
        text = html_to_text(data, backend=self.backend)
        if not text.strip():
            self.skips.skip(EMPTY_TEXT, str(path), number, f"no main text for {url}")
            return None
        doc_id = headers.get("WARC-Record-ID") or url or f"{path.name}#{number}"
        metadata = {"url": url, "date": headers.get("WARC-Date")}
        return Document(id=doc_id, text=text, metadata=metadata, source=src)
