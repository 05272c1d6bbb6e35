"""The run report: one self-contained `report.html` built from a run's output folder.

`write_report(out_dir)` reads what `run`, `dedup` or `clean` wrote there
(stats.json, clusters.jsonl, borderline_pairs.jsonl, kept/removed/dropped
records, the resolved config) and renders plots, side-by-side example copies
and the configuration into one file a browser opens without network access.
`explain(out_dir, doc_id)` says in text why one document was removed or changed.
"""

from __future__ import annotations

from nearcopy.report.explain import UnknownDocumentError, explain
from nearcopy.report.render import REPORT_NAME, render_report, write_report

__all__ = ["REPORT_NAME", "UnknownDocumentError", "explain", "render_report", "write_report"]
