"""`explain`: why one document was removed or changed, as a few lines of plain text.

Looks the id up in removed, dropped and kept outputs with the streaming id scan
of `load.py` (a 1M-document kept.jsonl is read, not loaded), then says which
rule or which copy, at what similarity and against which threshold, and lists
the lines cleaning removed with their rules.
"""

from __future__ import annotations

import os
from pathlib import Path

from nearcopy.errors import NearcopyError
from nearcopy.report.load import find_cluster, find_documents, read_json, record_path

MAX_LINES_LISTED = 30
LINE_WIDTH = 90


class UnknownDocumentError(NearcopyError):
    """The id is not in any output file of the folder."""


def explain(out_dir: str | os.PathLike, doc_id: str) -> str:
    """Plain-text account of what happened to `doc_id` in the run that wrote `out_dir`.

    Example:
        >>> print(explain("out/", "ncd-00002"))  # doctest: +SKIP
        ncd-00002: removed, near copy of ncd-03988
          similarity:  0.752 Jaccard (threshold 0.7)
          ...
    """
    folder = Path(out_dir)
    files = [p.name for p in (record_path(folder, n) for n in ("kept", "removed", "dropped")) if p]
    if not files:
        raise NearcopyError(f"{folder} has no kept/removed/dropped outputs; "
                            "give the --out DIR of a nearcopy run")
    found = find_documents(folder, [doc_id]).get(doc_id)
    if found is None:
        raise UnknownDocumentError(f"no document with id {doc_id!r} in {folder} "
                                   f"(looked in {', '.join(files)})")
    name, record = found
    threshold = (read_json(folder / "stats.json").get("parameters") or {}).get("threshold")
    if name == "kept":
        lines = _kept(folder, record)
    elif name == "dropped" or record.get("method") == "filtered":
        lines = _dropped(record)
    else:
        lines = _removed(folder, record, threshold)
    return "\n".join(lines + _removed_lines(record))


def _kept(folder: Path, record: dict) -> list[str]:
    doc_id, cluster_id = record.get("id"), record.get("cluster_id")
    if not (folder / "clusters.jsonl").exists():  # a `clean` run: no copy search
        changed = "changed by cleaning" if record.get("removed_lines") else "unchanged"
        return [f"{doc_id}: kept, {changed} (this run did not look for copies)"]
    if not cluster_id:
        head = f"{doc_id}: kept; no copy of it was found"
        return [head + (", but cleaning changed it" if record.get("removed_lines") else "")]
    cluster = find_cluster(folder, cluster_id) or {}
    others = [m for m in cluster.get("members") or () if m != doc_id]
    listed = ", ".join(others[:10]) + (f" and {len(others) - 10} more" if len(others) > 10 else "")
    return [f"{doc_id}: kept, as the representative of cluster {cluster_id} "
            f"({cluster.get('size', len(others) + 1)} documents, {cluster.get('method', '?')})",
            f"  copies removed in its favour: {listed or '(none listed)'}"]


def _removed(folder: Path, record: dict, threshold) -> list[str]:
    method, copy_of = record.get("method", "?"), record.get("duplicate_of")
    lines = [f"{record.get('id')}: removed, {method} copy of {copy_of}"]
    similarity = record.get("similarity")
    if similarity is not None:
        against = f" (threshold {threshold})" if threshold is not None else ""
        lines.append(f"  similarity:  {float(similarity):.3f} Jaccard to {copy_of}{against}")
    lines.append(f"  reason:      {record.get('reason', '')}")
    cluster_id = record.get("cluster_id")
    if cluster_id:
        cluster = find_cluster(folder, cluster_id) or {}
        lines.append(f"  cluster:     {cluster_id} ({cluster.get('size', '?')} documents, "
                     f"representative {cluster.get('representative', copy_of)})")
    return lines


def _dropped(record: dict) -> list[str]:
    rule = record.get("rule") or _rule_of(record.get("reason", ""))
    lines = [f"{record.get('id')}: removed by cleaning rule {rule}"]
    if "value" in record:
        lines.append(f"  value:       {record['value']} (limit {_limit(record.get('threshold'))})")
    if record.get("reason"):
        lines.append(f"  reason:      {record['reason']}")
    return lines


def _limit(threshold) -> str:
    if isinstance(threshold, dict):
        return ", ".join(f"{key} {value}" for key, value in threshold.items())
    return str(threshold)


def _rule_of(reason: str) -> str:
    marker = "cleaning rule "
    return reason.split(marker, 1)[1].split(":", 1)[0] if marker in reason else "?"


def _removed_lines(record: dict) -> list[str]:
    removed = record.get("removed_lines") or []
    if not removed:
        return []
    out = [f"  lines removed by cleaning: {len(removed)}"]
    for entry in removed[:MAX_LINES_LISTED]:
        text = " ".join(str(entry.get("text", "")).split())
        if len(text) > LINE_WIDTH:
            text = text[:LINE_WIDTH - 3] + "..."
        out.append(f"    line {entry.get('line', '?'):>4}  [{entry.get('rule', '?')}]  {text}")
    if len(removed) > MAX_LINES_LISTED:
        out.append(f"    ... and {len(removed) - MAX_LINES_LISTED} more")
    return out
