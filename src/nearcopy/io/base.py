"""Reader and writer contracts shared by every input and output format.

A reader implements only `read_file(path)`; the base class owns the
bookkeeping every format needs: counting and logging skipped records (once per
reason, with path:line), `--strict`, and the per-document size cap.
"""

from __future__ import annotations

import ctypes
import logging
import os
import tempfile
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from nearcopy.document import Document
from nearcopy.errors import InputFormatError

log = logging.getLogger("nearcopy.io")

# Skip reasons (stable names: they are keys of stats.json "skipped").
INVALID_JSON = "invalid_json"
NOT_AN_OBJECT = "not_an_object"
MISSING_TEXT = "missing_text"
MISSING_ID = "missing_id"
TEXT_NOT_STRING = "text_not_string"
EMPTY_TEXT = "empty_text"
INVALID_UTF8 = "invalid_utf8"
BINARY_FILE = "binary_file"
DOCUMENT_TOO_LARGE = "document_too_large"
DUPLICATE_ID = "duplicate_id"

DEFAULT_MAX_DOC_CHARS = 100_000_000


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: permissions of published files: what open() would give (mkstemp makes them 0600)
FILE_MODE = 0o666 & ~_current_umask()


class SkipCounter:
    """Counts skipped records by reason; logs the first of each reason; raises if strict."""

    def __init__(self, *, strict: bool = False):
        self.strict = strict
        self.counts: Counter[str] = Counter()
        self.examples: dict[str, str] = {}

    def skip(self, reason: str, path: str, line: int | None, detail: str = "") -> None:
        where = f"{path}:{line}" if line is not None else path
        if self.strict:
            raise InputFormatError(f"{reason.replace('_', ' ')}{': ' + detail if detail else ''}"
                                   " (--strict is on)", path=path, line=line)
        self.counts[reason] += 1
        if reason not in self.examples:
            self.examples[reason] = f"{where}: {detail}" if detail else where
            log.warning("skipping record at %s: %s%s (further '%s' skips are only counted)",
                        where, reason, f" ({detail})" if detail else "", reason)


class Reader(ABC):
    """Turns one file into Documents; bad records are skipped through `self.skips`."""

    #: file name endings this reader handles (lower case)
    suffixes: tuple[str, ...] = ()

    def __init__(self, *, id_field: str = "id", text_field: str = "text",
                 skips: SkipCounter | None = None, max_doc_chars: int = DEFAULT_MAX_DOC_CHARS):
        self.id_field = id_field
        self.text_field = text_field
        self.skips = skips if skips is not None else SkipCounter()
        self.max_doc_chars = max_doc_chars

    @abstractmethod
    def read_file(self, path: Path) -> Iterator[Document]:
        """Yield the documents of one file in file order."""

    def record_to_document(self, record: object, path: Path, line: int | None,
                           default_id: str | None = None) -> Document | None:
        """Validate one decoded record (JSON object / Parquet row); None means skipped.

        A record without an id gets `default_id`, or else `<file name>:<line>`
        (made only then: this runs once per document, see issue #4).
        """
        if not isinstance(record, dict):
            self.skips.skip(NOT_AN_OBJECT, str(path), line, f"got {type(record).__name__}")
            return None
        text = record.get(self.text_field)
        if text is None:
            self.skips.skip(MISSING_TEXT, str(path), line, f"no '{self.text_field}' field")
            return None
        if not isinstance(text, str):
            self.skips.skip(TEXT_NOT_STRING, str(path), line,
                            f"'{self.text_field}' is {type(text).__name__}")
            return None
        if not text or text.isspace():  # (no copy of a large text, unlike strip())
            self.skips.skip(EMPTY_TEXT, str(path), line)
            return None
        if len(text) > self.max_doc_chars:
            self.skips.skip(DOCUMENT_TOO_LARGE, str(path), line,
                            f"{len(text):,} characters > max_doc_chars {self.max_doc_chars:,}")
            return None
        raw_id = record.get(self.id_field)
        if raw_id is None or raw_id == "":
            doc_id = default_id if default_id is not None else f"{path.name}:{line}"
        else:
            doc_id = raw_id if type(raw_id) is str else str(raw_id)
        return Document(doc_id, text, self._metadata(record, raw_id is not None),
                        f"{path}:{line}" if line is not None else str(path))

    def _metadata(self, record: dict, has_id: bool) -> dict:
        """Every field but id and text; most corpora have no other field, so skip the copy."""
        named = 1 + (has_id and self.id_field != self.text_field)
        if len(record) == named:
            return {}
        return {k: v for k, v in record.items() if k not in (self.id_field, self.text_field)}


def looks_binary(head: bytes) -> bool:
    """True for data that is not text: NUL bytes, or mostly control bytes."""
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) * 0.1


#: sync_file_range(2) flag: start writing the dirty pages of the range, do not wait
_SYNC_FILE_RANGE_WRITE = 2


def _libc_sync_file_range():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.sync_file_range
    except (OSError, AttributeError):  # not Linux
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    return function


_SYNC_FILE_RANGE = _libc_sync_file_range()


def start_writeback(fd: int, offset: int, length: int) -> None:
    """Ask the kernel to start writing bytes [offset, offset + length) of a file to disk,
    without waiting (Linux; elsewhere nothing). A later fsync finds less to do, and the
    disk works while the processes go on computing."""
    if _SYNC_FILE_RANGE is not None and length > 0:
        _SYNC_FILE_RANGE(fd, offset, length, _SYNC_FILE_RANGE_WRITE)


@contextmanager
def atomic_write(path: Path, mode: str = "wb") -> Iterator[IO]:
    """Write to a temporary file beside `path`, then rename it over `path`.

    A crash leaves either the old file or the new one, never half a file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.chmod(tmp, FILE_MODE)
    try:
        with os.fdopen(fd, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


class Writer(ABC):
    """Streams records (dicts) into one output file that appears atomically on `close()`.

    Used as a context manager: leaving the block normally publishes the file
    (temp file renamed over the final name); an exception discards it.
    """

    suffix: str = ""

    def __init__(self, path: Path, *, durable: bool = True):
        self.path = Path(path)
        self.durable = durable  # False: no fsync (a part file that another file absorbs)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp",
                                   dir=self.path.parent)
        self._tmp = Path(tmp)
        os.chmod(tmp, FILE_MODE)
        self._handle = os.fdopen(fd, "wb")
        self.count = 0

    @abstractmethod
    def write(self, record: dict) -> None:
        """Append one record."""

    def _finish(self) -> None:
        """Flush format-specific buffers before the file is published."""

    def close(self) -> None:
        try:
            self._finish()
            self._handle.flush()
            if self.durable:
                os.fsync(self._handle.fileno())
        except BaseException:
            self.abort()
            raise
        self._handle.close()
        os.replace(self._tmp, self.path)

    def abort(self) -> None:
        """Drop the temporary file; the final name keeps what it had before."""
        self._handle.close()
        self._tmp.unlink(missing_ok=True)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:
            self.abort()
