"""Reading plain JSON Lines files on the workers, a byte range each.

With local worker processes, the parent only cuts each input file into ranges
of whole lines (reading a few bytes around each cut); each worker reads its
range, parses and validates the lines, cleans (in `run`), builds the spooled
records and sketches the texts, and returns the spool bytes with the figures
the parent files in order. Before, the parent parsed every document, pickled it
to a worker and serialised it again for the spool: with two workers the parent
was the slowest of the three processes (issue #4).

What the parent still does, in input order, is what needs the whole corpus:
repeated ids, --strict, the spool and ids files, the counters. The records,
skips and sketches are the ones the one-process path makes (tested byte for byte).
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import orjson
import xxhash

from nearcopy.dedup.sketch import SketchBatch, sketch_texts
from nearcopy.io.base import SkipCounter
from nearcopy.io.jsonl import JsonlReader

#: input bytes per task: about 1,500 generated 3 KB documents to sketch, or about 300
#: news pages to clean (cleaning costs ~100x more per byte; small tasks keep both
#: workers busy to the end)
SKETCH_CHUNK_BYTES = 4 << 20
CLEAN_CHUNK_BYTES = 384 << 10
#: suffixes of the files read this way: uncompressed, so a byte range can be read alone
PLAIN_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class FileChunk:
    """Whole lines [start, end) of a file. `first_line` is the number of its first line
    (1-based), or None when not known yet: the worker then numbers lines from 1 and the
    parent shifts them (see `BatchJob._file_chunk`)."""

    path: Path
    start: int
    end: int
    first_line: int | None = None


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
        block = handle.read(1 << 20)
        if not block:
            return handle.tell()
        found = block.find(b"\n")
        if found >= 0:
            return position + found + 1
        position += len(block)


class _RecordedSkips(SkipCounter):
    """Skips a worker's reader makes, kept to be counted by the parent in line order."""

    def __init__(self):
        super().__init__()
        self.events: list[tuple[int, str, str]] = []

    def skip(self, reason: str, path: str, line: int | None, detail: str = "") -> None:
        self.events.append((line, reason, detail))


@dataclass
class ChunkResult:
    """What a worker made of one chunk, for the parent to file in order."""

    spool: bytes | None           # the spooled records (JSON lines), dropped ones included,
    spool_path: Path | None       # or the file that holds them (written by the worker)
    lengths: np.ndarray           # int64 byte length of each record
    ids: list[str]
    id_keys: np.ndarray           # uint64 hash of each id (repeated ids)
    lines: np.ndarray             # int64 line number of each document
    dropped: np.ndarray           # bool: cleaning dropped the document
    skips: list[tuple[int, str, str]]
    text_bytes: np.ndarray        # int64 UTF-8 bytes of each document's text as read
    meta_kinds: list[tuple]       # distinct tuples of metadata field names, first seen first
    meta_of: np.ndarray           # int32 index into meta_kinds of each document (-1: none)
    sketch: SketchBatch | None    # of the documents not dropped, in order
    cleaning: list | None = field(default=None)  # per document: (removed rules, chars, dropped rule, keys)

    line_count: int = 0           # line ends in the chunk
    needs_first_line: bool = False  # lines were numbered from 1 and a document took its id
                                    # from its line number ("file:line"): read it again

    def __len__(self) -> int:
        return len(self.ids)

    def meta_keys(self) -> Iterator[str]:
        """Metadata field names in order of first appearance (as one stream would see them)."""
        for kind in self.meta_kinds:
            yield from kind


def read_chunk(payload) -> ChunkResult:
    """Worker: read, validate, (clean,) spool-shape and sketch the documents of a chunk."""
    from nearcopy.pipeline.job import _worker_cleaner, put_cleaning, spool_record

    chunk, reader_args, shipped, template, sketch, folder = payload
    skips = _RecordedSkips()
    reader = JsonlReader(skips=skips, **reader_args)
    with open(chunk.path, "rb") as handle:
        handle.seek(chunk.start)
        data = handle.read(chunk.end - chunk.start)
    cleaner = _worker_cleaner(shipped) if shipped is not None else None
    parse, digest, dumps = reader.parse_line, xxhash.xxh3_64_intdigest, orjson.dumps
    option = orjson.OPT_APPEND_NEWLINE
    records, ids, keys, lines, dropped, texts, cleaning = [], [], [], [], [], [], []
    sizes, meta_of = [], []
    kinds: dict[tuple, int] = {}
    relative = chunk.first_line is None
    needs_first_line = False
    default_id = chunk.path.name + ":"
    for lineno, raw in enumerate(io.BytesIO(data), start=chunk.first_line or 1):
        doc = parse(raw, chunk.path, lineno)
        if doc is None:
            continue
        if relative and doc.id.startswith(default_id):  # perhaps an id made from the line
            needs_first_line = needs_first_line or doc.id == f"{default_id}{lineno}"
        text = doc.text
        sizes.append(len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass")))
        record, names = spool_record(doc)
        meta_of.append(kinds.setdefault(names, len(kinds)) if names else -1)
        is_dropped = False
        if cleaner is not None:
            res = cleaner.clean(doc)
            doc_keys = template.keys(res.text) if template is not None and not res.dropped \
                else None
            removed_lines, is_dropped, chars, doc_keys = put_cleaning(
                record, (res.text, res.removed_lines, res.dropped, res.language,
                         dict(res.chars_removed), doc_keys))
            cleaning.append(([line["rule"] for line in removed_lines or ()], chars,
                             is_dropped["rule"] if is_dropped else None, doc_keys))
            is_dropped = bool(is_dropped)
        records.append(dumps(record, default=str, option=option))
        ids.append(doc.id)
        keys.append(digest(doc.id.encode("utf-8", "surrogatepass")))
        lines.append(lineno)
        dropped.append(is_dropped)
        if not is_dropped:
            texts.append(record["text"])
    sketched = None
    if texts:
        params, sample_mod = sketch
        sketched = sketch_texts(texts, params, keep_sets=False, sample_mod=sample_mod)
    # the records go through a file, not the result pipe: the parent then copies them into
    # the spool in the kernel instead of receiving, unpickling and writing them
    spool_path = folder / f"spool-{chunk.path.name}-{chunk.start}.part"
    with open(spool_path, "wb") as handle:
        handle.write(b"".join(records))
    return ChunkResult(None, spool_path, np.fromiter(map(len, records), dtype=np.int64,
                                                     count=len(records)),
                       ids, np.array(keys, dtype=np.uint64), np.array(lines, dtype=np.int64),
                       np.array(dropped, dtype=bool), skips.events,
                       np.array(sizes, dtype=np.int64), list(kinds),
                       np.array(meta_of, dtype=np.int32), sketched,
                       cleaning if cleaner is not None else None, data.count(b"\n"),
                       needs_first_line)


def shift_lines(result: ChunkResult, lines_before: int) -> None:
    """Renumber a result whose lines were numbered from 1: its chunk starts after
    `lines_before` lines of its file."""
    if lines_before:
        result.lines += lines_before
        result.skips = [(line + lines_before, reason, detail)
                        for line, reason, detail in result.skips]


def without(result: ChunkResult, gone: np.ndarray) -> ChunkResult:
    """The result without the documents at positions `gone` (repeated ids: the parent
    finds them, since only it has seen the chunks before)."""
    keep = np.ones(len(result), dtype=bool)
    keep[gone] = False
    ends = np.cumsum(result.lengths)
    data = result.spool
    if data is None:
        data = result.spool_path.read_bytes()
        result.spool_path.unlink()
    spool = b"".join(data[e - n:e] for e, n, k in
                     zip(ends.tolist(), result.lengths.tolist(), keep.tolist()) if k)
    sketch = result.sketch
    if sketch is not None:
        sketched_keep = keep[~result.dropped]
        sketch = select_rows(sketch, sketched_keep) if sketched_keep.any() else None
    pick = np.flatnonzero(keep).tolist()
    meta_of = result.meta_of[keep]
    used, first = np.unique(meta_of[meta_of >= 0], return_index=True)
    kinds = [result.meta_kinds[k] for k in used[np.argsort(first)].tolist()]
    remap = np.full(len(result.meta_kinds) + 1, -1, dtype=np.int32)
    remap[used[np.argsort(first)]] = np.arange(len(kinds), dtype=np.int32)
    return ChunkResult(spool, None, result.lengths[keep], [result.ids[i] for i in pick],
                       result.id_keys[keep], result.lines[keep], result.dropped[keep],
                       result.skips, result.text_bytes[keep], kinds, remap[meta_of], sketch,
                       [result.cleaning[i] for i in pick] if result.cleaning is not None
                       else None, result.line_count)


def select_rows(batch: SketchBatch, keep: np.ndarray) -> SketchBatch:
    """The rows of a SketchBatch where `keep` is True (samples included)."""
    counts = np.asarray(batch.set_counts)
    owner = np.repeat(np.arange(counts.size), counts)
    return SketchBatch(batch.exact_hashes[keep], batch.lengths[keep], batch.signatures[keep],
                       batch.set_values[keep[owner]] if counts.size else batch.set_values,
                       counts[keep], batch.sample_mod)
