"""The report's plots as small hand-written inline SVG strings (no plotting library).

Why by hand: the five charts are bars, stems, one curve and a dashed line, and
matplotlib spent about 1.6 s of a 12 s 100k-document job importing itself and
drawing them (issue #4); writing the SVG directly takes milliseconds and gives
files a fifth of the size. Each function takes already-aggregated numbers (a
histogram, a size count), never per-document data, so a report of a 1M-document
run draws as fast as a small one. Text stays text, drawn by the browser with
the page's fonts. There are no element ids and no <style> blocks, so several
SVGs live in one HTML page without clashing.

Layout is in SVG user units (about screen pixels at 100% zoom); the page
scales each plot to its box through the viewBox.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

from nearcopy.dedup.lsh import collision_probability

ACCENT = "#c0392b"
BAR = "#4a6fa5"
INK = "#1d2430"
MUTED = "#666"
WIDTH = 560
HEIGHT = 260
FONT = 12
CHAR = 7.0  # user units per tick-label character at FONT: sizes the left margin
FONTS = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"


def _n(value: float) -> str:
    """A coordinate with one decimal: enough at this size, and short."""
    return f"{value:.1f}"


@dataclass(frozen=True)
class Scale:
    """Maps the data interval [low, high] onto the pixel interval [start, end], linear or log10."""

    low: float
    high: float
    start: float
    end: float
    log: bool = False

    def __call__(self, value: float) -> float:
        convert = math.log10 if self.log else float
        low, high = convert(self.low), convert(self.high)
        span = (high - low) or 1.0
        return self.start + (convert(value) - low) / span * (self.end - self.start)


@dataclass
class Canvas:
    """One SVG being written: the plot box inside fixed margins, and its elements in order.

    Fixed margins (from the longest tick label) instead of a layout engine:
    the charts are simple enough and it keeps drawing cost constant.
    """

    name: str
    height: float = HEIGHT
    left: float = 60.0
    top: float = 12.0
    bottom: float = 50.0
    right: float = 17.0
    parts: list[str] = field(default_factory=list)

    @property
    def x0(self) -> float:
        return self.left

    @property
    def x1(self) -> float:
        return WIDTH - self.right

    @property
    def y0(self) -> float:
        return self.top

    @property
    def y1(self) -> float:
        return self.height - self.bottom

    def text(self, x: float, y: float, content: str, *, anchor: str = "middle",
             color: str = INK, extra: str = "") -> None:
        fill = "" if color == INK else f' fill="{color}"'
        self.parts.append(f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{fill}{extra}>'
                          f"{escape(content)}</text>")

    def path(self, d: str, *, stroke: str = INK, width: float = 1.0, extra: str = "") -> None:
        self.parts.append(f'<path d="{d}" fill="none" stroke="{stroke}" '
                          f'stroke-width="{width:g}"{extra}/>')

    def svg(self, label: str) -> str:
        size = f'width="{WIDTH}" height="{_n(self.height)}" viewBox="0 0 {WIDTH} {_n(self.height)}"'
        head = (f'<svg class="plot" data-plot="{self.name}" role="img" '
                f'xmlns="http://www.w3.org/2000/svg" {size} font-family="{FONTS}" '
                f'font-size="{FONT}" fill="{INK}"><title>{escape(label)}</title>')
        return head + "".join(self.parts) + "</svg>"


def _empty(name: str, message: str, height: float = HEIGHT) -> str:
    canvas = Canvas(name, height=height)
    canvas.text(WIDTH / 2, height / 2, message, color=MUTED, extra=' dy="0.35em"')
    return canvas.svg(message)


def nice_ticks(high: float, *, target: int = 8, integer: bool = False) -> tuple[list[float], int]:
    """Ticks 0, s, 2s, ... up to `high`, s being 1, 2 or 5 times a power of ten; and decimals.

    Example:
        >>> nice_ticks(1.0)
        ([0.0, 0.2, 0.4, 0.6, 0.8, 1.0], 1)
    """
    raw = max(high, 1e-12) / target
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))
    if integer:
        step = max(step, 1.0)
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    count = int(high / step + 1e-9)
    return [round(k * step, 12) for k in range(count + 1)], decimals


def _label(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def _exact(value: float) -> str:
    """A value as its tooltip shows it: whole numbers with separators, else three decimals."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.3f}"


def _ticks_125(top: float) -> list[int]:
    """1, 2, 5, 10, 20, ... up to `top`, thinned to at most about 8 ticks."""
    ticks = [m * 10 ** e for e in range(int(math.log10(max(top, 1))) + 2) for m in (1, 2, 5)]
    ticks = [t for t in ticks if t <= top * 1.3] or [1]
    return ticks if len(ticks) <= 8 else [t for t in ticks if str(t)[0] == "1"]


def _left_margin(labels: list[str]) -> float:
    """Room for the y label and the longest tick label (0.45 in + 0.07 in a character before)."""
    return 45 + CHAR * max((len(label) for label in labels), default=6)


def _x_axis(canvas: Canvas, scale: Scale, ticks: list[tuple[float, str]], label: str) -> None:
    """Bottom spine, outward tick marks, tick labels and the axis label."""
    marks = "".join(f"M{_n(scale(value))},{_n(canvas.y1)}v4" for value, _ in ticks)
    canvas.path(f"M{_n(canvas.x0)},{_n(canvas.y1)}H{_n(canvas.x1)}{marks}")
    for value, text in ticks:
        canvas.text(scale(value), canvas.y1 + 17, text)
    canvas.text((canvas.x0 + canvas.x1) / 2, canvas.y1 + 36, label)


def _y_axis(canvas: Canvas, scale: Scale, ticks: list[tuple[float, str]], label: str) -> None:
    """Left spine, tick marks and labels, and the axis label turned a quarter left."""
    marks = "".join(f"M{_n(canvas.x0)},{_n(scale(value))}h-4" for value, _ in ticks)
    canvas.path(f"M{_n(canvas.x0)},{_n(canvas.y0)}V{_n(canvas.y1)}{marks}")
    for value, text in ticks:
        canvas.text(canvas.x0 - 7, scale(value), text, anchor="end", extra=' dy="0.35em"')
    if label:
        widest = max((len(text) for _, text in ticks), default=0)
        x, y = canvas.x0 - 16 - CHAR * widest, (canvas.y0 + canvas.y1) / 2
        canvas.text(x, y, label, extra=f' transform="rotate(-90 {_n(x)} {_n(y)})"')


def _threshold_line(canvas: Canvas, scale: Scale, threshold: float | None, *,
                    low_right: bool = False) -> None:
    """Dashed vertical line at the threshold, labelled beside its top (or bottom right).

    The label has a white halo so it stays readable where it crosses a bar or the curve;
    the S-curve puts it low on the right, where its curve never goes.
    """
    if threshold is None:
        return
    x = scale(threshold)
    canvas.path(f"M{_n(x)},{_n(canvas.y0)}V{_n(canvas.y1)}", stroke=ACCENT, width=1.2,
                extra=' stroke-dasharray="5 3"')
    halo = ' stroke="#fff" stroke-width="3" paint-order="stroke"'
    if low_right:
        canvas.text(x + 5, canvas.y1 - 8, f"threshold {threshold:g}", anchor="start",
                    color=ACCENT, extra=halo)
    else:
        canvas.text(x - 5, canvas.y0 + 14, f"threshold {threshold:g}", anchor="end",
                    color=ACCENT, extra=halo)


def similarity_histogram(edges: list[float], counts: list[int], threshold: float | None) -> str:
    """Bars of verified-pair similarity, with the threshold as a vertical line."""
    if not counts or not sum(counts) or len(edges) != len(counts) + 1:
        return _empty("similarity", "no candidate pairs were verified")
    values, decimals = nice_ticks(max(counts) * 1.05, integer=True)
    y_ticks = [(v, _label(v, decimals)) for v in values]
    canvas = Canvas("similarity", left=_left_margin([t for _, t in y_ticks]))
    x = Scale(0.0, 1.0, canvas.x0, canvas.x1)
    y = Scale(0.0, max(max(counts) * 1.05, values[-1]), canvas.y1, canvas.y0)
    steps = "".join(f"V{_n(y(count))}H{_n(x(right))}" for count, right in zip(counts, edges[1:]))
    canvas.parts.append(f'<path d="M{_n(x(edges[0]))},{_n(y(0))}{steps}V{_n(y(0))}Z" '
                        f'fill="{BAR}"/>')  # one path for all bins, not one shape per bin
    x_values, x_decimals = nice_ticks(1.0)
    _x_axis(canvas, x, [(v, _label(v, x_decimals)) for v in x_values],
            "exact Jaccard similarity of a candidate pair")
    _y_axis(canvas, y, y_ticks, "pairs")
    _threshold_line(canvas, x, threshold)
    return canvas.svg("Histogram of the exact Jaccard similarity of candidate pairs")


def cluster_sizes(sizes: dict[int, int]) -> str:
    """How many clusters have each size, both axes logarithmic, ticks as plain numbers."""
    if not sizes:
        return _empty("cluster-sizes", "no clusters")
    xs = sorted(sizes)
    ys = [sizes[size] for size in xs]
    x_low, x_high, y_high = xs[0] / 1.3, xs[-1] * 1.3, max(ys) * 1.5
    x_ticks = [t for t in (xs if len(xs) <= 8 else _ticks_125(xs[-1])) if x_low <= t <= x_high]
    y_ticks = [(t, f"{t:,}") for t in _ticks_125(max(ys)) if t <= y_high]
    canvas = Canvas("cluster-sizes", left=_left_margin([t for _, t in y_ticks]))
    x = Scale(x_low, x_high, canvas.x0, canvas.x1, log=True)
    y = Scale(0.8, y_high, canvas.y1, canvas.y0, log=True)
    stems = "".join(f"M{_n(x(s))},{_n(y(1))}V{_n(y(c))}" for s, c in zip(xs, ys))
    canvas.path(stems, stroke=BAR, width=0.8)
    for size, count in zip(xs, ys):
        canvas.parts.append(f'<circle cx="{_n(x(size))}" cy="{_n(y(count))}" r="2.6" '
                            f'fill="{BAR}"><title>{count:,} clusters of {size:,} documents'
                            f"</title></circle>")
    _x_axis(canvas, x, [(t, f"{t:,}") for t in x_ticks], "cluster size (documents)")
    _y_axis(canvas, y, y_ticks, "clusters")
    return canvas.svg("Number of clusters of each size, log-log")


def s_curve(num_bands: int | None, rows_per_band: int | None, threshold: float | None) -> str:
    """Probability that a pair becomes a candidate, against its Jaccard similarity."""
    if not num_bands or not rows_per_band:
        return _empty("s-curve", "no LSH parameters in stats.json")
    y_values, y_decimals = nice_ticks(1.0)
    y_ticks = [(v, _label(v, y_decimals)) for v in y_values]
    canvas = Canvas("s-curve", top=35.0, left=_left_margin([t for _, t in y_ticks]))
    x = Scale(0.0, 1.0, canvas.x0, canvas.x1)
    y = Scale(0.0, 1.02, canvas.y1, canvas.y0)
    similarity = [i / 200 for i in range(201)]
    chance = collision_probability(similarity, num_bands, rows_per_band)
    points = "L".join(f"{_n(x(s))},{_n(y(float(p)))}" for s, p in zip(similarity, chance))
    canvas.path(f"M{points}", stroke=BAR, width=1.5)
    _x_axis(canvas, x, y_ticks, "Jaccard similarity of a pair")
    _y_axis(canvas, y, y_ticks, "P(candidate)")
    title = f"{num_bands} bands x {rows_per_band} rows"
    canvas.text((canvas.x0 + canvas.x1) / 2, 20, title)
    _threshold_line(canvas, x, threshold, low_right=True)
    return canvas.svg(f"LSH S-curve for {title}")


def horizontal_bars(values: dict[str, float], *, name: str, xlabel: str, empty: str) -> str:
    """Labelled horizontal bars, largest on top (chars per rule, seconds per stage)."""
    items = sorted(((k, v) for k, v in values.items() if v), key=lambda kv: kv[1])[-20:]
    height = max(160.0, 70 + 22 * len(items))
    if not items:
        return _empty(name, empty, height)
    canvas = Canvas(name, height=height, left=_left_margin([k for k, _ in items]))
    top = max(v for _, v in items) * 1.05
    x_values, decimals = nice_ticks(top, integer=all(float(v).is_integer() for _, v in items))
    x = Scale(0.0, max(top, x_values[-1]), canvas.x0, canvas.x1)
    slot = (canvas.y1 - canvas.y0) / len(items)
    for position, (label, value) in enumerate(reversed(items)):
        y = canvas.y0 + slot * (position + 0.1)
        canvas.parts.append(f'<rect x="{_n(x(0))}" y="{_n(y)}" width="{_n(x(value) - x(0))}" '
                            f'height="{_n(slot * 0.8)}" fill="{BAR}"><title>{escape(label)}: '
                            f"{_exact(value)}</title></rect>")
    _x_axis(canvas, x, [(v, _label(v, decimals)) for v in x_values], xlabel)
    bar_ticks = [(len(items) - 1 - i, label) for i, (label, _) in enumerate(items)]
    centre = Scale(-0.5, len(items) - 0.5, canvas.y0, canvas.y1)
    _y_axis(canvas, centre, bar_ticks, "")
    return canvas.svg(f"{xlabel} per item, largest first")
