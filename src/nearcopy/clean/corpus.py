"""Cleaning a whole corpus: per-document rules in parallel, then corpus boilerplate.

Used by `nearcopy clean` and by `nearcopy run` (which dedups the cleaned texts).
Pass 1 cleans every document (in `workers` processes, input order kept) and
counts template-like lines; pass 2 strips the lines that recur in many
documents. Pass-1 results wait in a temporary JSONL file beside the outputs,
so memory stays flat whatever the corpus size.
"""

from __future__ import annotations

import os
import tempfile
import time
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from nearcopy.clean.boilerplate import RULE as BOILERPLATE, BoilerplateCounter
from nearcopy.clean.cleaner import Cleaner, CleanResult, CleanStats
from nearcopy.clean.config import CleanConfig
from nearcopy.document import Document
from nearcopy.io.base import atomic_write
from nearcopy.pipeline.batching import chunks

_WORKER: Cleaner | None = None


def _clean_batch(payload) -> list[tuple[CleanResult, list[int] | None]]:
    """A batch of documents cleaned by an executor's task (a worker process, a Ray task);
    with `template` (a TemplateLines), each kept document's boilerplate line keys too."""
    global _WORKER
    config, docs, template = payload
    if _WORKER is None or _WORKER.config != config:
        _WORKER = Cleaner(config)
    out = []
    for doc in docs:
        res = _WORKER.clean(doc)
        keys = template.keys(res.text) if template is not None and res.dropped is None else None
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
        for doc in docs:
            res = cleaner.clean(doc)
            yield doc, res, (template.keys(res.text) if template is not None
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
    record = {"id": doc.id, **doc.metadata}
    record.update(text=res.text, language=res.language, removed_lines=res.removed_lines)
    return record


def dropped_record(doc: Document, res: CleanResult) -> dict[str, Any]:
    """One dropped.jsonl line: which rule dropped it and the measured value."""
    record = {"id": doc.id, **doc.metadata}
    record.update(rule=res.dropped["rule"], value=res.dropped["value"],
                  threshold=res.dropped["threshold"], language=res.language, text=res.text)
    return record


def _changed_documents(doc_keys: array, key_counts: array, table) -> frozenset[int]:
    """Kept documents (by position) holding a line of the boilerplate table."""
    if table is None or not len(table):
        return frozenset()
    keys = np.frombuffer(doc_keys, dtype=np.uint64)
    counts = np.frombuffer(key_counts, dtype=np.int64)
    owner = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    return frozenset(np.unique(owner[np.isin(keys, table.keys)]).tolist())


def clean_corpus(docs: Iterable[Document], out_dir: Path, config: CleanConfig, *,
                 workers: int = 1, executor=None) -> dict[str, Any]:
    """Write kept.jsonl, dropped.jsonl, stats.json and clean_config.json to `out_dir`."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stats = CleanStats()
    boiler = config.enabled(BOILERPLATE)
    counter = BoilerplateCounter(config)
    doc_keys, key_counts = array("Q"), array("q")  # per kept document, to find what pass 2 changes
    started = time.perf_counter()
    fd, tmp_name = tempfile.mkstemp(prefix=".clean-pass1.", suffix=".jsonl", dir=out_dir)
    try:
        with os.fdopen(fd, "wb") as tmp, atomic_write(out_dir / "dropped.jsonl") as dropped:
            for doc, res, keys in clean_documents(docs, config, workers=workers,
                                                  executor=executor,
                                                  template=counter.lines if boiler else None):
                stats.add(doc, res)
                if res.dropped is not None:
                    dropped.write(orjson.dumps(dropped_record(doc, res)) + b"\n")
                    continue
                if boiler:
                    counter.add_keys(keys)
                    doc_keys.extend(keys)
                    key_counts.append(len(keys))
                tmp.write(orjson.dumps(kept_record(doc, res)) + b"\n")
        pass1 = time.perf_counter() - started
        table = counter.finish() if boiler else None
        changed = _changed_documents(doc_keys, key_counts, table)
        boiler_lines = boiler_chars = 0
        with open(tmp_name, "rb") as tmp, atomic_write(out_dir / "kept.jsonl") as kept:
            for number, line in enumerate(tmp):
                if number not in changed:  # the table strips nothing here: bytes as they are
                    kept.write(line)
                    continue
                record = orjson.loads(line)
                text, removed = table.strip(record["text"])
                boiler_lines += len(removed)
                boiler_chars += len(record["text"]) - len(text)
                record["text"] = text
                record["removed_lines"].extend(removed)
                kept.write(orjson.dumps(record) + b"\n")
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
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
