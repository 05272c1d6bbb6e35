"""The hand-written SVG plots: well-formed, readable ticks, escaped labels, no plotting library."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from nearcopy.report import plots

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("viewBox")
    assert not [e for e in root.iter() if e.get("id")]  # nothing to clash across plots
    return root


def _texts(root: ET.Element) -> list[str]:
    return [e.text for e in root.iter(f"{SVG}text")]


def _all_plots() -> list[str]:
    edges = [i / 50 for i in range(51)]
    counts = [0] * 25 + list(range(1, 26))
    return [plots.similarity_histogram(edges, counts, 0.7),
            plots.cluster_sizes({2: 5000, 3: 900, 10: 40, 250: 1}),
            plots.s_curve(34, 3, 0.5),
            plots.horizontal_bars({"a<b": 3, "c&d": 1500}, name="cleaning",
                                  xlabel="characters removed", empty="none"),
            plots.horizontal_bars({"read": 2.41, "write": 0.05}, name="stages",
                                  xlabel="seconds", empty="none")]


@pytest.mark.parametrize("index", range(5))
def test_each_plot_is_well_formed_svg(index):
    svg = _all_plots()[index]
    assert svg.startswith('<svg class="plot" data-plot="')
    _parse(svg)


def test_histogram_axes_and_threshold():
    texts = _texts(_parse(_all_plots()[0]))
    assert {"0.0", "0.2", "1.0", "threshold 0.7", "pairs"} <= set(texts)
    assert "exact Jaccard similarity of a candidate pair" in texts
    assert all("." not in t for t in texts[texts.index("1.0") + 2:][:3])  # counts are integers


def test_cluster_sizes_ticks_are_plain_numbers():
    texts = _texts(_parse(_all_plots()[1]))
    assert {"1", "10", "100", "1,000", "cluster size (documents)", "clusters"} <= set(texts)


def test_s_curve_title_and_threshold():
    texts = _texts(_parse(_all_plots()[2]))
    assert "34 bands x 3 rows" in texts and "threshold 0.5" in texts and "P(candidate)" in texts


def test_bar_labels_are_escaped_and_largest_on_top():
    root = _parse(_all_plots()[3])
    height = {e.text: float(e.get("y")) for e in root.iter(f"{SVG}text")}
    assert height["c&d"] < height["a<b"]  # the larger value is drawn higher
    assert "1,500" in _texts(root) or "1,400" in _texts(root)


@pytest.mark.parametrize("svg, message", [
    (plots.similarity_histogram([], [], 0.5), "no candidate pairs were verified"),
    (plots.cluster_sizes({}), "no clusters"),
    (plots.s_curve(None, None, None), "no LSH parameters in stats.json"),
    (plots.horizontal_bars({}, name="stages", xlabel="seconds", empty="no timings recorded"),
     "no timings recorded"),
])
def test_empty_plots_say_why(svg, message):
    assert message in _texts(_parse(svg))


@pytest.mark.parametrize("high, expected", [
    (1.0, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),
    (7.45, [0, 1, 2, 3, 4, 5, 6, 7]),
    (1575, [0, 200, 400, 600, 800, 1000, 1200, 1400]),
    (0.03, [0, 0.005, 0.01, 0.015, 0.02, 0.025, 0.03]),
])
def test_nice_ticks(high, expected):
    assert plots.nice_ticks(high)[0] == pytest.approx(expected)


def test_report_does_not_import_matplotlib(tmp_path):
    code = ("import sys; from nearcopy.report import write_report; "
            f"write_report({str(tmp_path)!r}); print('matplotlib' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
