"""Reading plain JSON Lines files on the workers, a byte range each.

With local worker processes, the parent only cuts each input file into ranges
of whole lines (reading a few bytes around each cut). A task reads its range,
parses and validates the lines (`RangeDocuments`) and does the stage's work on
them: the batch job spools, cleans and sketches (`spool_ranges.py`), `nearcopy
clean` cleans (`clean/corpus.py`). Before, the parent parsed every document and
pickled it to a worker: with two workers it was the slowest of three processes
(issue #4).

What needs the whole corpus stays with the parent (`read_ranges`), in input
order: repeated ids, skips and --strict, line numbers. A range holding a repeated
id, or an id made from a line number, is read again in the parent with what it
lacked, so a task's documents are always exactly those one stream would give.
"""

from __future__ import annotations

import io
import os
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import orjson
import xxhash

from nearcopy.document import Document
from nearcopy.io.base import DUPLICATE_ID, SkipCounter
from nearcopy.io.discover import discover
from nearcopy.io.jsonl import JsonlReader, check_plain_file

#: input bytes per task: about 1,500 generated 3 KB documents to sketch
SKETCH_CHUNK_BYTES = 4 << 20
#: the same when the job's own process reads (one worker): no task to amortise, and a
#: range is held about ten times over while it is parsed and sketched (with 4 MB, peak
#: RSS at 20k documents was 104 MB, with 2 MB 73 MB, same CPU)
INLINE_SKETCH_CHUNK_BYTES = 2 << 20
#: the same when the task cleans too: about 350 generated documents or 750 news pages.
#: Cleaning costs ~3x what sketching does per byte, and each task costs the job ~2 ms of
#: CPU beyond its documents (its result sent and filed, its spool part). `run` on 20,000
#: generated documents with 384 KB ranges (150 tasks) took 0.12 s more wall and 0.25 s
#: more CPU than with 1 MB ones (58 tasks); on news_copies they cost the same. A small
#: input is cut finer (`shared_chunk_bytes`) so that both workers have work to the end.
CLEAN_CHUNK_BYTES = 1 << 20
#: suffixes of the files read this way: uncompressed, so a byte range can be read alone
PLAIN_SUFFIXES = (".jsonl", ".ndjson")


def readable_in_ranges(paths) -> bool:
    """Whether every input is an uncompressed JSON Lines file (a byte range reads alone)."""
    return all(item.kind == "jsonl" and item.path.name.lower().endswith(PLAIN_SUFFIXES)
               for item in discover(paths))


@dataclass(frozen=True)
class FileChunk:
    """Whole lines [start, end) of a file. `first_line` is the number of its first line
    (1-based), or None when not known yet: the task then numbers lines from 1 and the
    parent shifts them. `repeated`: numbers of lines whose ids the parent has seen
    before (skipped as repeated ids)."""

    path: Path
    start: int
    end: int
    first_line: int | None = None
    repeated: frozenset[int] = frozenset()


#: the smallest range `shared_chunk_bytes` cuts a small input into
MIN_SHARED_CHUNK_BYTES = 256 << 10


def shared_chunk_bytes(paths, chunk_bytes: int, workers: int) -> int:
    """`chunk_bytes`, or less for an input too small to give each of `workers` two
    ranges of that size (not under MIN_SHARED_CHUNK_BYTES): pan_paraphrase's 3.7 MB
    was one 4 MB range, so one worker of two read and sketched all of it (`dedup`
    1.28 -> 0.94 s)."""
    total = sum(os.path.getsize(item.path) for item in discover(paths))
    share = -(-total // (2 * max(workers, 1)))
    return min(chunk_bytes, max(MIN_SHARED_CHUNK_BYTES, share))


def plan_chunks(path: Path, chunk_bytes: int) -> Iterator[FileChunk]:
    """Cut a file into ranges of about `chunk_bytes` that end at a line end (a line
    longer than that makes its range longer). Only the bytes around each cut are read:
    the workers read the ranges, and count their lines."""
    size = os.path.getsize(path)
    with open(path, "rb", buffering=0) as handle:
        start = 0
        while start < size:
            end = size if start + chunk_bytes >= size else \
                _line_end(handle, start + chunk_bytes - 1)
            yield FileChunk(path, start, end)
            start = end


def _line_end(handle, position: int) -> int:
    """The offset just after the first line end at or after `position` (or the file end)."""
    handle.seek(position)
    while True:
        block = handle.read(1 << 16)  # lines are kilobytes: the end is in the first block
        if not block:
            return handle.tell()
        found = block.find(b"\n")
        if found >= 0:
            return position + found + 1
        position += len(block)


class _RecordedSkips(SkipCounter):
    """Skips a task's reader makes, kept to be counted by the parent in line order."""

    def __init__(self):
        super().__init__()
        self.events: list[tuple[int, str, str]] = []

    def skip(self, reason: str, path: str, line: int | None, detail: str = "") -> None:
        self.events.append((line, reason, detail))


@dataclass
class RangeOrder:
    """What the parent needs of a task's result to put its range in order."""

    id_keys: np.ndarray             # uint64 hash of each document's id (repeated ids)
    lines: np.ndarray               # int64 line number of each document
    skips: list[tuple[int, str, str]]
    line_count: int                 # line ends in the range
    needs_first_line: bool          # numbered from 1, and an id was made from a line number


class RangeDocuments:
    """Task side: the documents of a range as `JsonlReader` yields them, noting each id
    and line number and every skip for the parent (`order()`)."""

    def __init__(self, chunk: FileChunk, reader_args: dict):
        self.chunk = chunk
        self.skips = _RecordedSkips()
        self.reader = JsonlReader(skips=self.skips, **reader_args)
        self.id_keys: list[int] = []
        self.lines: list[int] = []
        self.line_count = 0
        self.needs_first_line = False
        self.raw = b""  # the line of the document last yielded
        self.lines_read = 0  # lines of the range gone through, blank and invalid ones too

    def __iter__(self) -> Iterator:
        chunk = self.chunk
        with open(chunk.path, "rb") as handle:
            handle.seek(chunk.start)
            data = handle.read(chunk.end - chunk.start)
        digest, path = xxhash.xxh3_64_intdigest, str(chunk.path)
        relative = chunk.first_line is None
        default_id = chunk.path.name + ":"
        first = chunk.first_line or 1
        lineno, raw = first - 1, b""
        for lineno, raw in enumerate(io.BytesIO(data), start=first):
            doc = self._document(raw, chunk.path, path, lineno)
            if doc is None:
                continue
            if lineno in chunk.repeated:
                self.skips.skip(DUPLICATE_ID, path, lineno, f"id {doc.id!r} seen before")
                continue
            if relative and doc.id.startswith(default_id):  # perhaps an id made from the line
                self.needs_first_line = self.needs_first_line or doc.id == f"{default_id}{lineno}"
            self.id_keys.append(digest(doc.id.encode("utf-8", "surrogatepass")))
            self.lines.append(lineno)
            self.raw = raw
            yield doc
        self.lines_read = lineno - first + 1
        # line ends: a file's last line may have none
        self.line_count = self.lines_read - (not raw.endswith(b"\n") if raw else 0)

    def _document(self, raw: bytes, file: Path, path: str, lineno: int) -> Document | None:
        """The line's document as `JsonlReader.parse_line` gives it (None: blank or skipped).

        A record of just a string id and a text that the reader accepts as they are (most
        corpora's lines) skips the reader's general checks, which cost twice the JSON
        parsing itself (issue #4); any other record goes to them, parsed once."""
        reader = self.reader
        try:
            record = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return reader.parse_line(raw, file, lineno)  # (tells blank, bad UTF-8, bad JSON)
        if type(record) is dict and len(record) == 2 and reader.id_field != reader.text_field:
            text, doc_id = record.get(reader.text_field), record.get(reader.id_field)
            if type(text) is str and type(doc_id) is str and doc_id and text and \
                    len(text) <= reader.max_doc_chars and not text.isspace():
                return Document(doc_id, text, {}, f"{path}:{lineno}")
        return reader.record_to_document(record, file, lineno)

    def order(self) -> RangeOrder:
        return RangeOrder(np.array(self.id_keys, dtype=np.uint64),
                          np.array(self.lines, dtype=np.int64), self.skips.events,
                          self.line_count, self.needs_first_line)


def read_ranges(paths, executor, task: Callable, args: tuple, chunk_bytes: int,
                skips: SkipCounter) -> Iterator[tuple[FileChunk, object]]:
    """Parent side: run `task((chunk, *args))` over ranges of every input file on the
    executor, and yield (chunk, result) in input order, its skips filed in `skips`.

    A result has `.order` (a RangeOrder) and `.discard()` (drop what it wrote). One
    whose range holds an id seen before, or whose lines must be numbered to make ids,
    is made again here, with what it lacked."""
    planned: deque = deque()

    def payloads():
        for item in discover(paths):
            check_plain_file(item.path)
            for chunk in plan_chunks(item.path, chunk_bytes):
                planned.append(chunk)
                yield (chunk, *args)

    seen: set[int] = set()
    lines_before, last_path = 0, None
    for result in executor.map_ordered(task, payloads()):
        chunk = planned.popleft()
        if chunk.path != last_path:
            lines_before, last_path = 0, chunk.path
        order = result.order
        repeated = _repeated(order.id_keys.tolist(), seen)
        if repeated or order.needs_first_line:
            result.discard()
            lines = order.lines[repeated] + lines_before
            chunk = replace(chunk, first_line=lines_before + 1,
                            repeated=frozenset(lines.tolist()))
            result = task((chunk, *args))
            order = result.order
        elif lines_before:
            order.lines += lines_before
            order.skips = [(line + lines_before, reason, detail)
                           for line, reason, detail in order.skips]
        seen.update(order.id_keys.tolist())
        for line, reason, detail in order.skips:
            skips.skip(reason, str(chunk.path), line, detail)
        lines_before += order.line_count
        yield chunk, result


def _repeated(keys: list[int], seen: set[int]) -> list[int]:
    """Positions of keys seen before, or earlier in `keys`."""
    distinct = set(keys)
    if len(distinct) == len(keys) and seen.isdisjoint(distinct):
        return []  # the common case, without a Python step per key
    local: set[int] = set()
    out = []
    for at, key in enumerate(keys):
        if key in seen or key in local:
            out.append(at)
        else:
            local.add(key)
    return out
