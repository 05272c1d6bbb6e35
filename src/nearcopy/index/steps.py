"""Feed a corpus into an index: read, then clean and sketch on all cores, then insert.

Used by `nearcopy index build/add`. Cleaning and sketching run in worker
processes (the expensive part); inserts stay in this process, in input
order, one transaction per batch, so the result does not depend on workers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from nearcopy.config import InputConfig
from nearcopy.document import Document
from nearcopy.executors.local import LocalExecutor
from nearcopy.index.index import STATUS_ADDED, Index, InsertResult
from nearcopy.index.prepare import PreparedBatch, Preparer
from nearcopy.io.base import SkipCounter
from nearcopy.io.discover import iter_documents
from nearcopy.pipeline.batching import chunks


def _prepare(payload: tuple[Preparer, list[Document]]) -> PreparedBatch:
    preparer, docs = payload
    return preparer.prepare(docs)


def add_corpus(index: Index, paths: list[str | Path], *, inputs: InputConfig | None = None,
               workers: int = 1, batch_size: int = 1000,
               on_result: Callable[[InsertResult], None] | None = None) -> Counter[str]:
    """Insert every document of the corpus; returns counts by status (and skipped/<reason>)."""
    inputs = inputs or InputConfig()
    skips = SkipCounter(strict=inputs.strict)
    docs = iter_documents(paths, id_field=inputs.id_field, text_field=inputs.text_field,
                          skips=skips, max_doc_chars=inputs.max_doc_chars)
    payloads = ((index.preparer, chunk) for chunk in chunks(docs, batch_size))
    counts: Counter[str] = Counter()
    with LocalExecutor(workers) as executor:
        for batch in executor.map_ordered(_prepare, payloads):
            for result in index.insert_prepared([batch])[0]:
                counts[result.status] += 1
                if result.status == STATUS_ADDED and result.copies:
                    counts["copies"] += 1
                if on_result is not None:
                    on_result(result)
    for reason, number in skips.counts.items():
        counts[f"skipped/{reason}"] += number
    return counts
