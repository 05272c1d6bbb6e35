"""Gather what the report page shows: summary, plots, example pairs, configuration.

Bounded work whatever the run's size: plots take aggregated numbers, at most
`TOP_CLUSTERS` clusters and `BORDERLINE_EACH` pairs on each side of the
threshold are shown, and their texts come from one streaming look-up.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from pathlib import Path

from nearcopy.report import plots
from nearcopy.report.diff import Side, compare, single
from nearcopy.report.load import (find_documents, first_containing, iter_jsonl, read_config_text,
                                  read_json, record_path, scan_clusters)
from nearcopy.report.summary import Summary, summarize

TOP_CLUSTERS = 20
BORDERLINE_EACH = 10
CLEANING_EXAMPLES = 6
MEMBERS_TRIED = 4
MEMBERS_LISTED = 12


@dataclass
class Pair:
    """Two documents shown side by side, with why they are (or are not) copies."""

    title: str
    similarity: float | None
    verified: bool | None
    left: Side
    right: Side
    note: str = ""


@dataclass
class Plot:
    title: str
    caption: str
    svg: str


@dataclass
class Page:
    """Everything the template renders."""

    out_dir: str
    summary: Summary
    plots: list[Plot] = field(default_factory=list)
    clusters: list[Pair] = field(default_factory=list)
    above: list[Pair] = field(default_factory=list)
    below: list[Pair] = field(default_factory=list)
    cleaned: list[Side] = field(default_factory=list)
    config_name: str = ""
    config_text: str = ""
    missing: list[str] = field(default_factory=list)


def build_page(out_dir: Path) -> Page:
    """Read `out_dir` and return the page model."""
    stats = read_json(out_dir / "stats.json")
    summary = summarize(stats)
    largest, sizes = scan_clusters(out_dir, TOP_CLUSTERS)
    above, below = _borderline(out_dir / "borderline_pairs.jsonl", summary.threshold)
    picks = _cluster_picks(largest)
    wanted = {i for _, rep, members in picks for i in [rep, *members]}
    wanted |= {str(p[k]) for p in above + below for k in ("id1", "id2")}
    docs = find_documents(out_dir, wanted)
    dedup_run = bool(summary.parameters) or (out_dir / "clusters.jsonl").exists()
    page = Page(out_dir=str(out_dir), summary=summary, plots=_plots(summary, sizes, dedup_run),
                clusters=[_cluster_pair(c, rep, members, docs)
                          for c, rep, members in picks],
                above=[_borderline_pair(p, docs) for p in above],
                below=[_borderline_pair(p, docs) for p in below],
                cleaned=_cleaning_examples(out_dir, summary))
    page.config_name, page.config_text = read_config_text(out_dir)
    expected = ("stats.json", "kept") + (("clusters.jsonl",) if dedup_run else ())
    page.missing = [name for name in expected
                    if not (record_path(out_dir, name) if "." not in name
                            else (out_dir / name).exists())]
    return page


def _plots(summary: Summary, sizes, dedup_run: bool) -> list[Plot]:
    """All five plots for run/dedup; a clean-only folder gets the cleaning and time plots."""
    hist = summary.histogram
    dedup = [
        Plot("Similarity of candidate pairs", "Exact Jaccard of every LSH candidate pair, "
             "with the threshold: pairs right of the line are copies.",
             plots.similarity_histogram(hist.get("edges") or [], hist.get("counts") or [],
                                        summary.threshold)),
        Plot("Cluster sizes", "How many clusters have each size (log-log).",
             plots.cluster_sizes(dict(sizes))),
        Plot("LSH S-curve", "Chance that a pair of a given similarity is compared at all, "
             "for the chosen bands x rows.",
             plots.s_curve(summary.num_bands, summary.rows_per_band, summary.threshold)),
    ] if dedup_run else []
    return dedup + [
        Plot("Characters removed per cleaning rule", "Total characters each rule took out.",
             plots.horizontal_bars(summary.chars_removed, name="cleaning",
                                   xlabel="characters removed", empty="no cleaning recorded")),
        Plot("Time per stage", "Wall-clock seconds of each stage.",
             plots.horizontal_bars(summary.stage_seconds, name="stages", xlabel="seconds",
                                   empty="no timings recorded")),
    ]


def _cluster_picks(clusters: list[dict]) -> list[tuple[dict, str, list[str]]]:
    picks = []
    for cluster in clusters:
        rep = str(cluster.get("representative", ""))
        members = [str(m) for m in cluster.get("members") or () if str(m) != rep]
        picks.append((cluster, rep, members[:MEMBERS_TRIED]))
    return picks


def _cluster_pair(cluster: dict, rep: str, members: list[str], docs: dict) -> Pair:
    """The representative beside its least similar member among those looked up."""
    found = [(docs[m][1].get("similarity"), m) for m in members if m in docs]
    found.sort(key=lambda item: (item[0] is None, item[0] if item[0] is not None else 0))
    member = found[0][1] if found else (members[0] if members else "")
    similarity = found[0][0] if found else None
    left, right = compare(_record(docs, rep), _record(docs, member), rep, member)
    left.status, right.status = "kept (representative)", _status(docs, member)
    all_members = [str(m) for m in cluster.get("members") or ()]
    listed = ", ".join(all_members[:MEMBERS_LISTED])
    more = len(all_members) - MEMBERS_LISTED
    note = f"members: {listed}" + (f" and {more:,} more" if more > 0 else "")
    size = int(cluster.get("size") or len(all_members))
    title = f"{cluster.get('cluster_id', '?')}: {size:,} documents, {cluster.get('method', '')}"
    return Pair(title, similarity, None, left, right, note)


def _borderline(path: Path, threshold: float | None) -> tuple[list[dict], list[dict]]:
    """The pairs closest to the threshold on each side (streamed, bounded heaps)."""
    def is_above(p: dict) -> bool:
        if threshold is None:
            return bool(p.get("verified"))
        return float(p.get("similarity") or 0) >= threshold

    above: list = []
    below: list = []
    for order, pair in enumerate(iter_jsonl(path)):
        sim = float(pair.get("similarity") or 0)
        heap, key = (above, -sim) if is_above(pair) else (below, sim)
        item = (key, -order, pair)
        if len(heap) < BORDERLINE_EACH:
            heapq.heappush(heap, item)
        elif item[:2] > heap[0][:2]:
            heapq.heapreplace(heap, item)
    def closest_first(heap: list) -> list[dict]:
        return [pair for *_, pair in sorted(heap, key=lambda item: item[:2], reverse=True)]

    return closest_first(above), closest_first(below)


def _borderline_pair(pair: dict, docs: dict) -> Pair:
    id1, id2 = str(pair.get("id1")), str(pair.get("id2"))
    left, right = compare(_record(docs, id1), _record(docs, id2), id1, id2)
    left.status, right.status = _status(docs, id1), _status(docs, id2)
    verified = pair.get("verified")
    return Pair(f"{id1} / {id2}", pair.get("similarity"), verified, left, right)


def _record(docs: dict, doc_id: str) -> dict | None:
    return docs[doc_id][1] if doc_id in docs else None


def _status(docs: dict, doc_id: str) -> str:
    if doc_id not in docs:
        return "not found in the outputs"
    name, record = docs[doc_id]
    if name == "kept":
        return "kept"
    method = record.get("method") or record.get("rule") or ""
    copy_of = record.get("duplicate_of")
    return f"removed ({method})" + (f", copy of {copy_of}" if copy_of else "")


def _cleaning_examples(out_dir: Path, summary: Summary) -> list[Side]:
    """The first few kept documents that cleaning changed (stops reading early)."""
    if not any(row.lines_removed for row in summary.rules):
        return []  # nothing to find: do not read a large kept.jsonl to the end
    records = first_containing(out_dir / "kept.jsonl", b'"removed_lines":[{', CLEANING_EXAMPLES)
    return [single(record, str(record.get("id"))) for record in records]
