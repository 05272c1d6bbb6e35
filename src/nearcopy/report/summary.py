"""One shape for the stats of `run`/`dedup` and of `clean`, which write different stats.json.

`run`/`dedup` write documents{read,kept,removed,clusters}, removed_by_method,
cleaning{counts,chars_removed}, pairs, parameters and stages{name:{seconds}};
`clean` writes documents/kept/dropped as numbers, rules{name:{lines_removed,
documents_dropped,chars_removed}} and seconds{stage:s}. Every key is optional.
"""

from __future__ import annotations

from dataclasses import dataclass, field

METHOD_TEXT = {
    "exact": "exact copy (same normalised text)",
    "near": "near copy (Jaccard of shingles at or above the threshold)",
    "contained": "contained in a longer document",
    "filtered": "dropped by a cleaning rule",
}


@dataclass
class RuleRow:
    """What one cleaning rule removed."""

    rule: str
    lines_removed: int = 0
    documents_dropped: int = 0
    chars_removed: int = 0


@dataclass
class Summary:
    """The numbers the report shows, whichever command wrote the folder."""

    command: str = ""
    documents_in: int = 0
    kept: int = 0
    removed: int = 0
    clusters: int | None = None
    removed_by: list[tuple[str, str, int]] = field(default_factory=list)
    rules: list[RuleRow] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    total_seconds: float | None = None
    threshold: float | None = None
    num_bands: int | None = None
    rows_per_band: int | None = None
    histogram: dict = field(default_factory=dict)
    pairs: dict = field(default_factory=dict)
    parameters: dict = field(default_factory=dict)

    @property
    def chars_removed(self) -> dict[str, int]:
        return {row.rule: row.chars_removed for row in self.rules}


def _int(value) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def summarize(stats: dict) -> Summary:
    """A Summary from a stats.json dict of any of the three commands (or an empty one)."""
    if isinstance(stats.get("documents"), dict) or "removed_by_method" in stats:
        return _from_dedup(stats)
    return _from_clean(stats)


def _from_dedup(stats: dict) -> Summary:
    docs = stats.get("documents") or {}
    params = stats.get("parameters") or {}
    by_method = stats.get("removed_by_method") or {}
    cleaning = stats.get("cleaning") or {}
    dropped = {k.split("/", 1)[1]: v for k, v in (cleaning.get("counts") or {}).items()
               if k.startswith("document/")}
    removed_by = [(m, METHOD_TEXT.get(m, m), _int(n)) for m, n in sorted(by_method.items())
                  if m != "filtered"]
    removed_by += [("filtered", f"dropped by cleaning rule {rule}", _int(n))
                   for rule, n in sorted(dropped.items())]
    if not dropped and by_method.get("filtered"):
        removed_by.append(("filtered", METHOD_TEXT["filtered"], _int(by_method["filtered"])))
    pairs = stats.get("pairs") or {}
    stages = stats.get("stages") or {}
    return Summary(
        command=str(stats.get("command", "")), documents_in=_int(docs.get("read")),
        kept=_int(docs.get("kept")), removed=_int(docs.get("removed")),
        clusters=docs.get("clusters"), removed_by=removed_by,
        rules=_rules_from_counts(cleaning), skipped=dict(stats.get("skipped") or {}),
        stage_seconds={k: float(v.get("seconds") or 0) for k, v in stages.items()
                       if isinstance(v, dict) and "/" not in k},
        total_seconds=(stats.get("total") or {}).get("seconds"),
        threshold=params.get("threshold"), num_bands=params.get("num_bands"),
        rows_per_band=params.get("rows_per_band"),
        histogram=pairs.get("similarity_histogram") or {},
        pairs={k: v for k, v in pairs.items() if not isinstance(v, (dict, list))},
        parameters=params)


def _rules_from_counts(cleaning: dict) -> list[RuleRow]:
    rows: dict[str, RuleRow] = {}
    for key, count in (cleaning.get("counts") or {}).items():
        kind, _, rule = key.partition("/")
        row = rows.setdefault(rule or kind, RuleRow(rule or kind))
        if kind == "document":
            row.documents_dropped += _int(count)
        else:
            row.lines_removed += _int(count)
    for rule, chars in (cleaning.get("chars_removed") or {}).items():
        rows.setdefault(rule, RuleRow(rule)).chars_removed = _int(chars)
    return sorted(rows.values(), key=lambda row: -row.chars_removed)


def _from_clean(stats: dict) -> Summary:
    rules = [RuleRow(rule, _int(v.get("lines_removed")), _int(v.get("documents_dropped")),
                     _int(v.get("chars_removed")))
             for rule, v in (stats.get("rules") or {}).items() if isinstance(v, dict)]
    dropped = [(r.rule, r.documents_dropped) for r in rules if r.documents_dropped]
    seconds = stats.get("seconds") or {}
    return Summary(
        command=str(stats.get("command", "clean" if stats else "")),
        documents_in=_int(stats.get("documents")), kept=_int(stats.get("kept")),
        removed=_int(stats.get("dropped")),
        removed_by=[("filtered", f"dropped by cleaning rule {rule}", n) for rule, n in dropped],
        rules=sorted((r for r in rules if r.lines_removed or r.documents_dropped or
                      r.chars_removed), key=lambda row: -row.chars_removed),
        skipped=dict(stats.get("skipped") or {}),
        stage_seconds={k: float(v) for k, v in seconds.items() if isinstance(v, (int, float))},
        total_seconds=None, parameters={})
