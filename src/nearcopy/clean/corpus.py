"""Cleaning a whole corpus: per-document rules in parallel, then corpus boilerplate.

Used by `nearcopy clean` and by `nearcopy run` (which dedups the cleaned texts).
Pass 1 cleans every document (in `workers` processes, input order kept) and
counts template-like lines; pass 2 strips the lines that recur in many
documents. Pass-1 results wait in a temporary JSONL file beside the outputs,
so memory stays flat whatever the corpus size; when pass 2 changes no document,
that file becomes kept.jsonl as it is (its writeback to disk started while pass 1
ran, so the closing fsync finds little left to do).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from nearcopy.clean.boilerplate import RULE as BOILERPLATE, BoilerplateCounter
from nearcopy.clean.cleaner import Cleaner, CleanResult, CleanStats
from nearcopy.clean.config import CleanConfig
from nearcopy.dedup.arrays import sorted_unique
from nearcopy.document import Document
from nearcopy.io.base import FILE_MODE, SkipCounter, atomic_write, start_writeback
from nearcopy.io.discover import iter_documents
from nearcopy.io.jsonl import WRITEBACK_BYTES, copy_file
from nearcopy.pipeline import ranges
from nearcopy.pipeline.batching import chunks
from nearcopy.pipeline.warm_up import warm_up

_WORKER: Cleaner | None = None


def _worker_cleaner(config: CleanConfig) -> Cleaner:
    """This worker's cleaner for `config`, built once and kept across tasks."""
    global _WORKER
    if _WORKER is None or _WORKER.config != config:
        _WORKER = Cleaner(config)
    return _WORKER


def _clean_batch(payload) -> list[tuple[CleanResult, list[int] | None]]:
    """A batch of documents cleaned by an executor's task (a worker process, a Ray task);
    with `template` (a TemplateLines), each kept document's boilerplate line keys too."""
    config, docs, template = payload
    cleaner = _worker_cleaner(config)
    out = []
    for doc in docs:
        res = cleaner.clean(doc)
        keys = (template.keys_of(res, cleaner) if template is not None and res.dropped is None
                else None)
        out.append((res, keys))
    return out


def clean_documents(docs: Iterable[Document], config: CleanConfig, *, workers: int = 1,
                    executor=None, batch_size: int = 200, template=None
                    ) -> Iterator[tuple[Document, CleanResult, list[int] | None]]:
    """Yield (document, result, boilerplate keys) in input order; the same output for any
    `workers` or executor. Keys are None unless `template` (a TemplateLines) is given.

    Batches of documents are cleaned as tasks of `executor` (e.g. `RayExecutor`), or of a
    local fork pool of `workers` processes (the language model loads in each worker).
    """
    if executor is None and workers <= 1:
        cleaner = Cleaner(config)
        # a batch read, then cleaned, then handed on (as a worker's task does: cleaning
        # between the reading and the writing of other documents costs more)
        for batch in chunks(docs, batch_size):
            for doc, res in zip(batch, [cleaner.clean(doc) for doc in batch]):
                yield doc, res, (template.keys_of(res, cleaner) if template is not None
                                 and res.dropped is None else None)
        return
    if executor is None:
        from nearcopy.executors.local import LocalExecutor
        executor = LocalExecutor(workers)
    pending: list[list[Document]] = []

    def feed():
        for batch in chunks(docs, batch_size):
            pending.append(batch)
            yield (config, batch, template)

    with executor:
        for results in executor.map_ordered(_clean_batch, feed()):
            for doc, (res, keys) in zip(pending.pop(0), results):
                yield doc, res, keys


def kept_record(doc: Document, res: CleanResult) -> dict[str, Any]:
    """One kept.jsonl line: metadata passes through, then the cleaned text and removals."""
    # (one dict display: a metadata "text" keeps its place, as `update` left it)
    return {"id": doc.id, **doc.metadata, "text": res.text, "language": res.language,
            "removed_lines": res.removed_lines}


def dropped_record(doc: Document, res: CleanResult) -> dict[str, Any]:
    """One dropped.jsonl line: which rule dropped it and the measured value."""
    dropped = res.dropped
    return {"id": doc.id, **doc.metadata, "rule": dropped["rule"], "value": dropped["value"],
            "threshold": dropped["threshold"], "language": res.language, "text": res.text}


def _second_pass(tmp, kept, changed: frozenset[int], ends: array, table) -> tuple[int, int]:
    """Copy the pass-1 records to `kept`, the `changed` ones (by position) stripped of the
    table's lines, the others in blocks of bytes as they are (record by record, that
    copy was 34 ms of serial work on news_copies, where 12 documents change). Returns
    the lines and characters stripped."""
    lines = chars = 0
    at = 0
    for number in sorted(changed):
        start = ends[number - 1] if number else 0
        _copy_span(tmp, kept, at, start)
        record = orjson.loads(tmp.read(ends[number] - start))
        text, removed = table.strip(record["text"])
        lines += len(removed)
        chars += len(record["text"]) - len(text)
        record["text"] = text
        record["removed_lines"].extend(removed)
        kept.write(orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE))
        at = ends[number]
    _copy_span(tmp, kept, at, ends[-1] if ends else 0)
    return lines, chars


def _copy_span(source, target, start: int, end: int, block: int = 1 << 22) -> None:
    """Bytes [start, end) of `source` to `target`; `source` is left at `end`."""
    source.seek(start)
    while start < end:
        data = source.read(min(block, end - start))
        if not data:
            raise OSError(f"{source.name} ended early")
        target.write(data)
        start += len(data)


def _write_back(tmp, synced: int) -> int:
    """Start the writeback of what the pass-1 file holds beyond `synced` bytes (it may
    become kept.jsonl as it is); returns the new mark."""
    tmp.flush()
    size = tmp.tell()
    start_writeback(tmp.fileno(), synced, size - synced)
    return size


def _changed_documents(doc_keys: array, key_counts: array, table) -> frozenset[int]:
    """Kept documents (by position) holding a line of the boilerplate table."""
    if table is None or not len(table):
        return frozenset()
    keys = np.frombuffer(doc_keys, dtype=np.uint64)
    counts = np.frombuffer(key_counts, dtype=np.int64)
    owner = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    # (sorted_unique: np.unique imports numpy.ma, 15 ms of a clean job)
    return frozenset(sorted_unique(owner[np.isin(keys, table.keys)]).tolist())


@dataclass(frozen=True)
class CorpusFiles:
    """The corpus as files to read (`nearcopy clean`): with local workers and plain JSON
    Lines input, each worker reads and cleans byte ranges itself (pipeline/ranges.py)."""

    paths: list
    reader_args: dict
    skips: SkipCounter

    def documents(self) -> Iterator[Document]:
        return iter_documents(self.paths, skips=self.skips, **self.reader_args)

    def in_ranges(self, workers: int, executor) -> bool:
        return executor is None and workers > 1 and ranges.readable_in_ranges(self.paths)


@dataclass
class _CleanedRange:
    """What a worker made of one range: its kept records (a file), dropped records,
    counts, and the kept documents' boilerplate keys (CSR)."""

    order: ranges.RangeOrder
    kept_path: Path
    dropped: bytes
    stats: CleanStats
    keys: np.ndarray
    key_counts: np.ndarray
    lengths: np.ndarray  # of the kept records, in bytes

    def discard(self) -> None:
        self.kept_path.unlink(missing_ok=True)


def _clean_range(payload) -> _CleanedRange:
    """Task: read and clean the documents of one input range (see pipeline/ranges.py)."""
    chunk, reader_args, config, template, folder = payload
    cleaner = _worker_cleaner(config)
    documents = ranges.RangeDocuments(chunk, reader_args)
    stats = CleanStats()
    dumps, line = orjson.dumps, orjson.OPT_APPEND_NEWLINE  # (no copy to add the newline)
    kept, dropped, keys, key_counts = [], [], [], []
    # in phases, as `spool_ranges.read_spool_range` (the cleaner's tables stay in the caches)
    read = list(documents)
    for doc, res in zip(read, [cleaner.clean(doc) for doc in read]):
        stats.add(doc, res)
        if res.dropped is not None:
            dropped.append(dumps(dropped_record(doc, res), option=line))
            continue
        if template is not None:
            doc_keys = template.keys_of(res, cleaner)
            keys.extend(doc_keys)
            key_counts.append(len(doc_keys))
        kept.append(dumps(kept_record(doc, res), option=line))
    # a name of its own: ranges of two inputs both named corpus.jsonl start at 0 alike
    fd, name = tempfile.mkstemp(prefix=f"kept-{chunk.start}-", suffix=".part", dir=folder)
    kept_path = Path(name)
    with open(fd, "wb") as handle:
        handle.write(b"".join(kept))
    return _CleanedRange(documents.order(), kept_path, b"".join(dropped), stats,
                         np.array(keys, dtype=np.uint64), np.array(key_counts, dtype=np.int64),
                         np.array([len(record) for record in kept], dtype=np.int64))


def _add_stats(total: CleanStats, part: CleanStats) -> None:
    """Fold a range's counts into the corpus's, as if its documents were added one by one."""
    for name in ("documents", "dropped", "chars_in", "chars_out"):
        setattr(total, name, getattr(total, name) + getattr(part, name))
    for name in ("lines", "docs_dropped", "chars", "normalized", "languages"):
        getattr(total, name).update(getattr(part, name))


def clean_corpus(docs: "Iterable[Document] | CorpusFiles", out_dir: Path, config: CleanConfig,
                 *, workers: int = 1, executor=None) -> dict[str, Any]:
    """Write kept.jsonl, dropped.jsonl, stats.json and clean_config.json to `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stats = CleanStats()
    boiler = config.enabled(BOILERPLATE)
    counter = BoilerplateCounter(config)
    doc_keys, key_counts = array("Q"), array("q")  # per kept document, to find what pass 2 changes
    ends = array("q")  # where each kept record ends in the pass-1 file
    synced = 0  # bytes of the pass-1 file whose writeback has started
    started = time.perf_counter()
    fd, tmp_name = tempfile.mkstemp(prefix=".clean-pass1.", suffix=".jsonl", dir=out_dir)
    template = counter.lines if boiler else None
    parts = None  # the workers' kept records, a file per input range
    try:
        with os.fdopen(fd, "wb") as tmp, atomic_write(out_dir / "dropped.jsonl") as dropped:
            if isinstance(docs, CorpusFiles) and docs.in_ranges(workers, executor):
                from nearcopy.executors.local import LocalExecutor
                parts = tempfile.mkdtemp(prefix=".clean-parts.", dir=out_dir)
                args = (docs.reader_args, config, template, Path(parts))
                warm_up(_worker_cleaner(config))  # the workers fork with it built
                with LocalExecutor(workers) as pool:
                    size = ranges.shared_chunk_bytes(docs.paths, ranges.CLEAN_CHUNK_BYTES,
                                                     workers)
                    for _, part in ranges.read_ranges(docs.paths, pool, _clean_range, args,
                                                      size, docs.skips):
                        _add_stats(stats, part.stats)
                        dropped.write(part.dropped)
                        if boiler:
                            counter.add_many(part.keys, part.key_counts.size)
                            doc_keys.frombytes(part.keys.tobytes())
                            key_counts.frombytes(part.key_counts.tobytes())
                        tmp.flush()
                        with open(part.kept_path, "rb") as handle:
                            copy_file(handle, tmp)
                        part.discard()
                        if tmp.tell() - synced >= WRITEBACK_BYTES:
                            synced = _write_back(tmp, synced)
                        ends.frombytes((np.cumsum(part.lengths) + (ends[-1] if ends else 0))
                                       .tobytes())
            else:
                if isinstance(docs, CorpusFiles):
                    docs = docs.documents()
                for doc, res, keys in clean_documents(docs, config, workers=workers,
                                                      executor=executor, template=template):
                    stats.add(doc, res)
                    if res.dropped is not None:
                        dropped.write(orjson.dumps(dropped_record(doc, res),
                                                   option=orjson.OPT_APPEND_NEWLINE))
                        continue
                    if boiler:
                        counter.add_keys(keys)
                        doc_keys.extend(keys)
                        key_counts.append(len(keys))
                    record = orjson.dumps(kept_record(doc, res), option=orjson.OPT_APPEND_NEWLINE)
                    tmp.write(record)
                    ends.append((ends[-1] if ends else 0) + len(record))
                    if ends[-1] - synced >= WRITEBACK_BYTES:
                        synced = _write_back(tmp, synced)
            pass1 = time.perf_counter() - started
            table = counter.finish() if boiler else None
            changed = _changed_documents(doc_keys, key_counts, table)
            if not changed:  # (no document holds a boilerplate line: pass 1 wrote kept.jsonl)
                tmp.flush()
                os.fsync(tmp.fileno())
        if changed:
            with open(tmp_name, "rb") as tmp, atomic_write(out_dir / "kept.jsonl") as kept:
                boiler_lines, boiler_chars = _second_pass(tmp, kept, changed, ends, table)
        else:
            boiler_lines = boiler_chars = 0
            os.chmod(tmp_name, FILE_MODE)
            os.replace(tmp_name, out_dir / "kept.jsonl")
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        if parts is not None:
            shutil.rmtree(parts, ignore_errors=True)
    summary = stats.to_dict()
    if boiler:
        summary["rules"][BOILERPLATE] = {"lines_removed": boiler_lines, "documents_dropped": 0,
                                         "chars_removed": boiler_chars,
                                         "distinct_lines": len(table)}
        summary["chars_out"] -= boiler_chars
    summary["seconds"] = {"clean": round(pass1, 3),
                          "boilerplate": round(time.perf_counter() - started - pass1, 3)}
    with atomic_write(out_dir / "stats.json") as handle:
        handle.write(orjson.dumps(summary, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    with atomic_write(out_dir / "clean_config.json") as handle:
        handle.write(orjson.dumps(config.to_dict(), option=orjson.OPT_INDENT_2))
    return summary
