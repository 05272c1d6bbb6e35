"""The in-memory library API: `nearcopy.dedup(records)` for notebooks and scripts.

It runs the same sketching and decision code as the batch job, without files.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from nearcopy.config import DedupConfig
from nearcopy.dedup.containment import sample_sets
from nearcopy.dedup.decide import Decisions, InMemorySets, Sketches, find_copies
from nearcopy.dedup.sketch import sketch_texts
from nearcopy.document import Document
from nearcopy.errors import ConfigError, InputFormatError


@dataclass
class DedupResult:
    """What `dedup` found: kept and removed records, and clusters of two or more."""

    kept: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    clusters: list[dict] = field(default_factory=list)
    decisions: Decisions | None = None

    def __repr__(self) -> str:
        return (f"DedupResult(kept={len(self.kept)}, removed={len(self.removed)}, "
                f"clusters={len(self.clusters)})")


def _to_document(record, position: int, id_field: str, text_field: str) -> Document:
    if isinstance(record, Document):
        return record
    if isinstance(record, str):
        return Document(id=str(position), text=record)
    if isinstance(record, dict):
        if not isinstance(record.get(text_field), str):
            raise InputFormatError(f"record {position} has no string '{text_field}' field")
        meta = {k: v for k, v in record.items() if k not in (id_field, text_field)}
        return Document(id=str(record.get(id_field, position)), text=record[text_field],
                        metadata=meta)
    raise InputFormatError(f"record {position} is a {type(record).__name__}; "
                           "expected str, dict or Document")


def dedup(records: Iterable, *, threshold: float | None = None, config: DedupConfig | None = None,
          id_field: str = "id", text_field: str = "text", **options) -> DedupResult:
    """Find exact and near copies among in-memory records.

    Args:
        records: strings, dicts with `id`/`text`, or `Document`s.
        threshold: Jaccard threshold (default: `DedupConfig`'s).
        config: a full DedupConfig; `options` (e.g. ngram=3, keep="first") override it.

    Example:
        >>> import nearcopy
        >>> result = nearcopy.dedup(["the cat sat on the mat today",
        ...                          "The cat sat on the mat today!",
        ...                          "a completely different sentence here"])
        >>> [r["duplicate_of"] for r in result.removed]
        ['0']
    """
    base = config or DedupConfig()
    overrides = dict(options)
    if threshold is not None:
        overrides["threshold"] = threshold
    try:
        cfg = DedupConfig(**{**base.__dict__, **overrides}).resolved() if overrides else \
            base.resolved()
    except TypeError as exc:
        raise ConfigError(str(exc)) from exc
    docs = [_to_document(r, i, id_field, text_field) for i, r in enumerate(records)]
    ids = [d.id for d in docs]
    if len(set(ids)) != len(ids):
        raise InputFormatError("duplicate ids among the records; ids must be unique")
    keep_sets = cfg.verify == "exact"
    batch = sketch_texts([d.text for d in docs], cfg.sketch, keep_sets=keep_sets)
    sk = Sketches(batch.exact_hashes, batch.lengths, batch.signatures)
    sets = None
    if keep_sets:
        sets = InMemorySets(batch.set_values, batch.set_counts)
        sk.sample_values, sk.sample_counts = sample_sets(batch.set_values, batch.set_counts,
                                                         cfg.containment_sample)
    decisions = find_copies(sk, sets, threshold=cfg.threshold, num_bands=cfg.num_bands,
                            rows=cfg.rows_per_band, keep=cfg.keep, window=cfg.bucket_window,
                            containment_threshold=cfg.containment if keep_sets else 0.0)
    return _result(docs, decisions)


def _cluster_method(current: str, member: str) -> str:
    """exact if every removed member is exact, near if any is near, else contained."""
    if member == "exact":
        return current
    if member == "near" or current == "near":
        return "near"
    return "contained"


def _result(docs: list[Document], decisions: Decisions) -> DedupResult:
    from nearcopy.pipeline.outputs import cluster_ids, format_cluster_id

    number, _ = cluster_ids(decisions)
    result = DedupResult(decisions=decisions)
    clusters: dict[int, dict] = {}
    for i, doc in enumerate(docs):
        cid = format_cluster_id(int(number[i])) if len(docs) else None
        rep = int(decisions.representative[i])
        record = {"id": doc.id, "text": doc.text, **doc.metadata, "cluster_id": cid}
        if cid is not None:
            entry = clusters.setdefault(int(number[i]), {
                "cluster_id": cid, "representative": docs[rep].id, "members": [],
                "method": "exact", "size": 0})
            entry["members"].append(doc.id)
            entry["size"] += 1
        if rep == i:
            result.kept.append(record)
            continue
        record.update(duplicate_of=docs[rep].id, method=str(decisions.method[i]),
                      similarity=round(float(decisions.similarity[i]), 4))
        entry = clusters[int(number[i])]
        entry["method"] = _cluster_method(entry["method"], record["method"])
        result.removed.append(record)
    result.clusters = [clusters[k] for k in sorted(clusters)]
    return result
