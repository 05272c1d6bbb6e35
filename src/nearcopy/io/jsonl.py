"""JSON Lines input and output (.jsonl, .jsonl.gz, .jsonl.zst).

Lines are read as bytes and decoded one at a time, so one bad line (invalid
JSON, invalid UTF-8) is skipped and counted without touching its neighbours.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import orjson

from nearcopy.document import Document
from nearcopy.errors import InputFormatError
from nearcopy.io.base import (INVALID_JSON, INVALID_UTF8, Reader, Writer, looks_binary,
                              start_writeback)


#: read buffer: documents are kilobytes long, and with the default 8 KB buffer iterating
#: lines costs about 3x more (a system call every two or three lines; measured)
READ_BUFFER = 1 << 20


def open_maybe_compressed(path: Path) -> IO[bytes]:
    """Open a file for binary reading, decompressing .gz and .zst transparently."""
    name = path.name.lower()
    if name.endswith(".gz"):
        return gzip.open(path, "rb")
    if name.endswith(".zst") or name.endswith(".zstd"):
        import zstandard

        raw = open(path, "rb")
        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(raw, closefd=True),
                                 buffer_size=READ_BUFFER)
    return open(path, "rb", buffering=READ_BUFFER)


BINARY_MESSAGE = ("binary data, not JSON Lines text (wrong file or a compressed file "
                  "without its .gz/.zst suffix?)")


def check_plain_file(path: Path) -> None:
    """The checks `JsonlReader.read_file` makes before its first line, for a reader of
    byte ranges (pipeline/ranges.py): the file opens and does not start as binary data."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8192)
    except OSError as exc:
        raise InputFormatError(f"cannot open: {exc.strerror or exc}", path=str(path)) from exc
    if looks_binary(head):
        raise InputFormatError(BINARY_MESSAGE, path=str(path))


class JsonlReader(Reader):
    """Reads one JSON object per line; blank lines are ignored."""

    suffixes = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".json.gz", ".jsonl.zstd")

    def read_file(self, path: Path) -> Iterator[Document]:
        try:
            handle = open_maybe_compressed(path)
            head = handle.peek(8192)[:8192] if hasattr(handle, "peek") else b""
        except OSError as exc:
            raise InputFormatError(f"cannot open: {exc.strerror or exc}", path=str(path)) from exc
        with handle:
            if looks_binary(head):
                raise InputFormatError(BINARY_MESSAGE, path=str(path))
            try:
                yield from self._read_lines(handle, path)
            except (OSError, EOFError, ValueError) as exc:
                if isinstance(exc, InputFormatError):
                    raise
                raise InputFormatError(f"cannot decompress or read: {exc}", path=str(path)) from exc

    def _read_lines(self, handle: IO[bytes], path: Path) -> Iterator[Document]:
        parse = self.parse_line
        for lineno, raw in enumerate(handle, start=1):
            doc = parse(raw, path, lineno)
            if doc is not None:
                yield doc

    def parse_line(self, raw: bytes, path: Path, lineno: int) -> Document | None:
        """The document on one line, or None for a blank line or a counted skip.

        orjson checks UTF-8 itself, so a good line is parsed once and never decoded
        separately; only a line orjson rejects is looked at again, to tell a blank
        line, invalid UTF-8 and invalid JSON apart (measured: 1 us of ~25 per line).
        """
        try:
            record = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            self._bad_line(raw, path, lineno, exc)
            return None
        return self.record_to_document(record, path, lineno)

    def _bad_line(self, raw: bytes, path: Path, lineno: int, exc: Exception) -> None:
        """Count a line orjson rejected: blank (not counted), invalid UTF-8, or invalid JSON."""
        if not raw.strip():
            return
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as bad:
            self.skips.skip(INVALID_UTF8, str(path), lineno, f"byte {bad.start}")
            return
        self.skips.skip(INVALID_JSON, str(path), lineno, str(exc).split(":")[0])


def dumps(record: dict) -> bytes:
    """One JSON line; non-JSON values (bytes, dates) are turned into strings."""
    return orjson.dumps(record, default=str, option=orjson.OPT_SERIALIZE_NUMPY) + b"\n"


class JsonlLines:
    """Records serialised as JSON Lines into memory, in the order written, as blocks of
    about a thousand lines: what `JsonlWriter` writes out block by block, for a worker
    that writes the lines out itself when its turn comes (`take_blocks`)."""

    def __init__(self):
        self._buffer: list[bytes] = []
        self._blocks: list[bytes] = []
        self.count = 0

    def write(self, record: dict) -> None:
        self.write_raw(dumps(record))

    def write_raw(self, line: bytes) -> None:
        """Append one already-serialised JSON line (ending in a newline)."""
        self._buffer.append(line)
        self.count += 1
        if len(self._buffer) >= 1024:
            self._finish()

    def write_joined(self, line: bytes, tail: bytes) -> None:
        """Append a serialised JSON object line (ending in `}\\n`) with more fields, given
        as `tail` (`,"key":value...}\\n`).

        Neither piece is copied here: the one join per block of lines copies both
        (concatenating first copied a kilobytes-long line four times; issue #4).
        """
        self._buffer.append(memoryview(line)[:-2])
        self._buffer.append(tail)
        self.count += 1
        if len(self._buffer) >= 2048:
            self._finish()

    def _finish(self) -> None:
        """Join the buffered pieces into one block (one copy of each piece)."""
        if self._buffer:
            self._blocks.append(b"".join(self._buffer))
            self._buffer.clear()

    def take_blocks(self) -> list[bytes]:
        """The lines written since the last call, as blocks in order."""
        self._finish()
        blocks, self._blocks = self._blocks, []
        return blocks


class JsonlWriter(JsonlLines, Writer):
    """Writes records as JSON Lines; the file appears atomically on close."""

    suffix = ".jsonl"

    def __init__(self, path: Path, *, durable: bool = True):
        Writer.__init__(self, path, durable=durable)
        self._buffer: list[bytes] = []
        self._written = self._synced = 0  # bytes written; bytes whose writeback has started

    def appended_by_others(self) -> Path:
        """Flush what this writer holds and return the temporary file, for other processes
        to append whole blocks of lines to (O_APPEND), each in its turn; then
        `count_appended` files their records."""
        self._finish()
        self._handle.flush()
        return self._tmp

    def count_appended(self, count: int) -> None:
        """File `count` records other processes appended to the temporary file."""
        self._written = self._synced = self._handle.seek(0, os.SEEK_END)  # (they started its
        self.count += count                                                # writeback)

    def _finish(self) -> None:
        if self._buffer:
            block = b"".join(self._buffer)
            self._buffer.clear()
            self._handle.write(block)
            self._written += len(block)
            if self.durable and self._written - self._synced >= WRITEBACK_BYTES:
                self._start_writeback()

    def _start_writeback(self) -> None:
        """Have the kernel start writing what is written so far to disk, so the closing
        fsync does not wait for the whole file (0.5 s for 290 MB here, after the work)."""
        self._handle.flush()
        start_writeback(self._handle.fileno(), self._synced, self._written - self._synced)
        self._synced = self._written


#: a durable writer starts the writeback of each run of this many bytes as it goes
WRITEBACK_BYTES = 16 << 20


def copy_file(source, target) -> None:
    """Copy the rest of open file `source` to open file `target` (both binary, flushed)."""
    size = os.fstat(source.fileno()).st_size - source.tell()
    try:
        while size > 0:
            copied = os.copy_file_range(source.fileno(), target.fileno(), size)
            if copied == 0:
                break
            size -= copied
    except (AttributeError, OSError):  # no copy_file_range here (other OS, file system)
        target.seek(0, os.SEEK_END)
        shutil.copyfileobj(source, target, 1 << 20)
    target.seek(0, os.SEEK_END)  # the kernel moved the file offset, not the file object
