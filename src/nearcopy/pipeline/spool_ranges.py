"""The batch job's task over one input range (see ranges.py): read, (clean,) spool, sketch.

A task returns its range's spooled records in a file (which joins the spool as it
is, instead of the parent receiving, unpickling and writing them), the documents'
sketches, and the range's counts; the parent files them in order
(`BatchJob._file_range`).

When the spooled records are byte for byte the range's input lines (compact JSON
of id, text and metadata, as orjson writes it: what most pipelines write), no
file is written: the input range itself becomes that part of the spool. A million
generated documents are 2.9 GB that were written once more to disk for the write
pass to read back, and with two workers that writing held the write pass up
(issue #4).
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import orjson

from nearcopy.dedup.sketch import SketchBatch, sketch_texts
from nearcopy.pipeline.ranges import FileChunk, RangeDocuments, RangeOrder


@dataclass
class SpoolRange:
    """What a task made of one range, for the parent to file."""

    order: RangeOrder
    spool_path: Path                # the spooled records (JSON lines), dropped ones included
    lengths: np.ndarray             # int64 byte length of each record
    ids: list[str]
    dropped: np.ndarray             # bool: cleaning dropped the document
    text_bytes: int                 # UTF-8 bytes of the documents' texts as read
    meta_keys: list[str]            # metadata field names, first seen first
    sketch: SketchBatch | None      # of the documents not dropped, in order
    clean_counts: Counter = field(default_factory=Counter)  # as BatchJob.clean_counts
    clean_chars: Counter = field(default_factory=Counter)
    boilerplate_keys: np.ndarray | None = None    # kept documents' template-line keys (CSR)
    boilerplate_counts: np.ndarray | None = None
    spool_offset: int = 0           # where the records start in spool_path
    borrowed: bool = False          # spool_path is the input file itself, not ours to delete

    def __len__(self) -> int:
        return len(self.ids)

    def discard(self) -> None:
        if not self.borrowed:
            self.spool_path.unlink(missing_ok=True)


def read_spool_range(payload) -> SpoolRange:
    """Task: read, validate, (clean,) spool-shape and sketch the documents of a range."""
    from nearcopy.pipeline.job import _worker_cleaner, put_cleaning, spool_record

    chunk, reader_args, shipped, template, sketch, folder = payload
    chunk: FileChunk
    documents = RangeDocuments(chunk, reader_args)
    cleaner = _worker_cleaner(shipped) if shipped is not None else None
    dumps, option = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    records, ids, dropped, texts = [], [], [], []
    meta_keys: dict[str, None] = {}
    counts: Counter[str] = Counter()
    chars: Counter[str] = Counter()
    keys: list[int] = []
    key_counts: list[int] = []
    size = 0
    same = True  # so far, each record is its input line
    # with a cleaner, in phases: all the range's documents read, then all cleaned, then
    # each spooled. Cleaning one document between the parsing and the dumping of others
    # left the cleaner's tables out of the caches: ~5-8 us more a prose document (~100 us).
    # Without one, a document at a time (its input line is not held to the end)
    read = ((doc, documents.raw) for doc in documents)
    cleaned = None
    if cleaner is not None:
        read = list(read)
        cleaned = [cleaner.clean(doc) for doc, _ in read]
    for at, (doc, raw) in enumerate(read):
        text = doc.text
        size += len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
        if doc.metadata:
            record, names = spool_record(doc)
            for name in names:
                meta_keys.setdefault(name, None)
        else:
            record = {"id": doc.id, "text": text}  # (spool_record's, without the call)
        is_dropped = False
        if cleaner is not None:
            res = cleaned[at]
            doc_keys = template.keys_of(res, cleaner) if template is not None \
                and not res.dropped else None
            removed_lines, is_dropped, doc_chars, doc_keys = put_cleaning(
                record, (res.text, res.removed_lines, res.dropped, res.language,
                         res.chars_removed, doc_keys))
            for line in removed_lines or ():
                counts[f"line/{line['rule']}"] += 1
            for rule, removed in doc_chars.items():  # (`Counter.update` cost 1 us a call)
                chars[rule] += removed
            if is_dropped:
                counts[f"document/{is_dropped['rule']}"] += 1
            elif template is not None:
                keys.extend(doc_keys)
                key_counts.append(len(doc_keys))
            is_dropped = bool(is_dropped)
        records.append(line := dumps(record, default=str, option=option))
        same = same and line == raw
        ids.append(doc.id)
        dropped.append(is_dropped)
        if not is_dropped:
            texts.append(record["text"])
    sketched = None
    if texts:
        params, sample_mod = sketch
        sketched = sketch_texts(texts, params, keep_sets=False, sample_mod=sample_mod)
    spool_path, offset, borrowed = _spool_part(
        records, chunk, folder, same and len(records) == documents.lines_read)
    return SpoolRange(documents.order(), spool_path,
                      np.fromiter(map(len, records), dtype=np.int64, count=len(records)),
                      ids, np.array(dropped, dtype=bool), size, list(meta_keys), sketched,
                      counts, chars,
                      np.array(keys, dtype=np.uint64) if template is not None else None,
                      np.array(key_counts, dtype=np.int64) if template is not None else None,
                      offset, borrowed)


def _spool_part(records: list[bytes], chunk: FileChunk, folder,
                same: bool) -> tuple[Path, int, bool]:
    """(file, offset, borrowed) holding the range's spooled records: the input range itself
    when they are its lines exactly (`same`: one record per line, each equal to it),
    else a part file of our own."""
    if same:
        return chunk.path, chunk.start, True
    # a name of its own: ranges of two inputs both named corpus.jsonl start at 0 alike, and
    # the spool keeps every part to the end of the job
    fd, name = tempfile.mkstemp(prefix=f"spool-{chunk.start}-", suffix=".part", dir=folder)
    try:
        write_all(fd, records)
    finally:
        os.close(fd)
    return Path(name), 0, False


#: records given to one `os.writev` (at most IOV_MAX, 1024 on Linux)
_WRITEV_RECORDS = 1024


def write_all(fd: int, records: list[bytes]) -> None:
    """Write the records to `fd` in order, by `os.writev` (no joined copy of them: ~0.6 us
    a 3 KB record less than joining and writing); a short write is finished by hand."""
    writev = getattr(os, "writev", None)
    for at in range(0, len(records), _WRITEV_RECORDS):
        part = records[at:at + _WRITEV_RECORDS]
        written = writev(fd, part) if writev is not None else 0  # (none on Windows)
        size = sum(map(len, part))
        if written < size:
            rest = memoryview(b"".join(part))[written:]
            while rest:
                rest = rest[os.write(fd, rest):]
