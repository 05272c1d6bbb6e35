"""The report's plots as inline SVG strings (matplotlib, no pyplot, no global state).

Each function takes already-aggregated numbers (a histogram, a size count),
never per-document data, so a report of a 1M-document run draws as fast as a
small one. Text stays text in the SVG (`svg.fonttype = none`): smaller files
that the browser renders with its own fonts. Element ids get a per-plot prefix
so several SVGs can live in one HTML page without clashing.
"""

from __future__ import annotations

import io
import re

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator

from nearcopy.dedup.lsh import collision_probability

ACCENT = "#c0392b"
BAR = "#4a6fa5"
_RC = {"svg.fonttype": "none", "svg.hashsalt": "nearcopy", "font.size": 9,
       "axes.spines.top": False, "axes.spines.right": False}
_ID = re.compile(r'\bid="([^"]+)"')


WIDTH = 5.6  # inches
CHAR = 0.07  # inches per tick-label character at font size 9


def _figure(height: float = 2.6, label_chars: int = 6, title: bool = False):
    """A figure with fixed margins: a layout engine would double the drawing time."""
    fig = Figure(figsize=(WIDTH, height))
    fig.subplots_adjust(left=(0.45 + CHAR * label_chars) / WIDTH, right=0.97,
                        bottom=0.5 / height, top=1 - (0.35 if title else 0.12) / height)
    return fig, fig.add_subplot()


def _to_svg(fig: Figure, name: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    for element_id in set(_ID.findall(svg)):
        svg = svg.replace(f'id="{element_id}"', f'id="{name}-{element_id}"')
        svg = svg.replace(f"#{element_id})", f"#{name}-{element_id})")
        svg = svg.replace(f'href="#{element_id}"', f'href="#{name}-{element_id}"')
    return svg.replace("<svg ", f'<svg class="plot" data-plot="{name}" role="img" ', 1)


def _empty(ax, message: str) -> None:
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", color="#666", transform=ax.transAxes)


def similarity_histogram(edges: list[float], counts: list[int], threshold: float | None) -> str:
    """Bars of verified-pair similarity, with the threshold as a vertical line."""
    with rc_context(_RC):
        fig, ax = _figure()
        if not counts or not sum(counts):
            _empty(ax, "no candidate pairs were verified")
        else:
            ax.stairs(counts, edges, fill=True, color=BAR)  # one path, not a patch per bin
            ax.set_xlim(0, 1)
            ax.set_xlabel("exact Jaccard similarity of a candidate pair")
            ax.set_ylabel("pairs")
            _threshold_line(ax, threshold)
        return _to_svg(fig, "similarity")


def _threshold_line(ax, threshold: float | None) -> None:
    if threshold is None:
        return
    ax.axvline(threshold, color=ACCENT, linestyle="--", linewidth=1.2)
    ax.annotate(f"threshold {threshold:g}", (threshold, 1), xycoords=("data", "axes fraction"),
                xytext=(-4, -10), textcoords="offset points", ha="right", color=ACCENT)


def cluster_sizes(sizes: dict[int, int]) -> str:
    """How many clusters have each size, both axes logarithmic."""
    with rc_context(_RC):
        fig, ax = _figure()
        if not sizes:
            _empty(ax, "no clusters")
        else:
            xs = np.array(sorted(sizes))
            ys = np.array([sizes[x] for x in xs])
            ax.vlines(xs, 1, ys, color=BAR, linewidth=0.8)
            ax.scatter(xs, ys, s=14, color=BAR)
            ax.set_xscale("log")
            ax.set_yscale("log")
            # explicit ticks as plain numbers: mathtext 10^k labels take 10x longer to draw
            ax.set_xticks(xs if len(xs) <= 8 else _ticks_125(xs.max()))
            ax.set_yticks(_ticks_125(ys.max()))
            ax.set_xlim(xs.min() / 1.3, xs.max() * 1.3)
            ax.set_ylim(0.8, ys.max() * 1.5)
            for axis in (ax.xaxis, ax.yaxis):
                axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
                axis.set_minor_locator(NullLocator())
            ax.set_xlabel("cluster size (documents)")
            ax.set_ylabel("clusters")
        return _to_svg(fig, "cluster-sizes")


def _ticks_125(top: float) -> list[int]:
    """1, 2, 5, 10, 20, ... up to `top`, thinned to at most about 8 ticks."""
    ticks = [m * 10 ** e for e in range(int(np.log10(max(top, 1))) + 2) for m in (1, 2, 5)]
    ticks = [t for t in ticks if t <= top * 1.3] or [1]
    return ticks if len(ticks) <= 8 else [t for t in ticks if str(t)[0] == "1"]


def s_curve(num_bands: int | None, rows_per_band: int | None, threshold: float | None) -> str:
    """Probability that a pair becomes a candidate, against its Jaccard similarity."""
    with rc_context(_RC):
        fig, ax = _figure(title=True)
        if not num_bands or not rows_per_band:
            _empty(ax, "no LSH parameters in stats.json")
        else:
            xs = np.linspace(0, 1, 201)
            ax.plot(xs, collision_probability(xs, num_bands, rows_per_band), color=BAR)
            ax.set_xlim(0, 1)
            ax.set_ylim(0, 1.02)
            ax.set_xlabel("Jaccard similarity of a pair")
            ax.set_ylabel("P(candidate)")
            ax.set_title(f"{num_bands} bands x {rows_per_band} rows", fontsize=9)
            _threshold_line(ax, threshold)
        return _to_svg(fig, "s-curve")


def horizontal_bars(values: dict[str, float], *, name: str, xlabel: str, empty: str) -> str:
    """Labelled horizontal bars, largest on top (chars per rule, seconds per stage)."""
    items = sorted(((k, v) for k, v in values.items() if v), key=lambda kv: kv[1])[-20:]
    with rc_context(_RC):
        fig, ax = _figure(height=max(1.6, 0.7 + 0.22 * len(items)),
                          label_chars=max((len(k) for k, _ in items), default=6))
        if not items:
            _empty(ax, empty)
        else:
            ax.barh([k for k, _ in items], [v for _, v in items], color=BAR)
            ax.set_xlabel(xlabel)
        return _to_svg(fig, name)
