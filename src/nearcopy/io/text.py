"""A folder of plain-text files, one document per file, id = path relative to the folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from nearcopy.document import Document
from nearcopy.io.base import (BINARY_FILE, DOCUMENT_TOO_LARGE, EMPTY_TEXT, INVALID_UTF8, Reader,
                              looks_binary)


class TextReader(Reader):
    """Reads one UTF-8 text file as one document (the id is set by the caller's root)."""

    suffixes = (".txt", ".text", ".md")

    def __init__(self, *, root: Path | None = None, **kwargs):
        super().__init__(**kwargs)
        self.root = root

    def read_file(self, path: Path) -> Iterator[Document]:
        src = str(path)
        data = path.read_bytes()
        if looks_binary(data[:8192]):
            self.skips.skip(BINARY_FILE, src, None)
            return
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            self.skips.skip(INVALID_UTF8, src, None, f"byte {exc.start}")
            return
        if not text.strip():
            self.skips.skip(EMPTY_TEXT, src, None)
            return
        if len(text) > self.max_doc_chars:
            self.skips.skip(DOCUMENT_TOO_LARGE, src, None, f"{len(text):,} characters")
            return
        doc_id = path.relative_to(self.root).as_posix() if self.root else path.name
        yield Document(id=doc_id, text=text, metadata={}, source=src)
