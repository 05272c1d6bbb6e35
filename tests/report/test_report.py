"""report.html of a small corpus run through the real CLI: content, self-containment, bounds."""

from __future__ import annotations

import json
import re

import orjson
import pytest

from nearcopy.report import page as page_module
from nearcopy.report import write_report
from tests.report.corpus import THRESHOLD, invoke


def _stats(folder):
    return json.loads((folder / "stats.json").read_text())


@pytest.mark.parametrize("command", ["run", "dedup"])
def test_summary_numbers_match_stats(outputs, reports, command):
    stats, html = _stats(outputs[command]), reports[command]
    docs = stats["documents"]
    for key, number in (("documents-in", docs["read"]), ("kept", docs["kept"]),
                        ("removed", docs["removed"]), ("clusters", docs["clusters"])):
        assert re.search(rf'data-key="{key}"><b>{number:,}</b>', html), key
    for method, count in stats["removed_by_method"].items():
        if method != "filtered":
            row = rf'<td>{method}</td><td>[^<]*</td><td class="num">{count:,}</td>'
            assert re.search(row, html), method


@pytest.mark.parametrize("command", ["run", "dedup"])
def test_every_plot_is_inline_svg(reports, command):
    html = reports[command]
    plots = re.findall(r'<svg class="plot" data-plot="([\w-]+)"', html)
    assert plots == ["similarity", "cluster-sizes", "s-curve", "cleaning", "stages"]
    assert f"threshold {THRESHOLD:g}" in html  # marked on the histogram and the S-curve


def test_run_report_shows_cleaning(outputs, reports):
    html, cleaning = reports["run"], _stats(outputs["run"])["cleaning"]
    for rule, chars in cleaning["chars_removed"].items():
        assert re.search(rf"<td>{rule}</td>.*?<td class=\"num\">{chars:,}</td></tr>", html), rule
    assert "dropped by cleaning rule gopher_word_count" in html
    assert re.search(r'<del title="removed by share_line">Share this article</del>', html)
    assert 'id="cleaning"' in html


def test_borderline_pairs_on_both_sides(outputs, reports):
    html = reports["run"]
    pairs = [orjson.loads(line) for line in
             (outputs["run"] / "borderline_pairs.jsonl").read_bytes().splitlines()]
    above = [p for p in pairs if p["similarity"] >= THRESHOLD]
    below = [p for p in pairs if p["similarity"] < THRESHOLD]
    assert above and below
    section = html[html.index('id="borderline"'):]
    for pair in (above[0], below[0]):
        assert f"{pair['id1']} / {pair['id2']}" in section
        assert f"Jaccard {pair['similarity']:.3f}" in section
    assert section.count("not a copy</span>") == min(len(below), page_module.BORDERLINE_EACH)


def test_largest_clusters_side_by_side(outputs, reports):
    html = reports["run"]
    clusters = (outputs["run"] / "clusters.jsonl").read_bytes().splitlines()
    first = orjson.loads(clusters[0])
    section = html[html.index('id="clusters"'):html.index('id="borderline"')]
    assert f"{first['cluster_id']}: {first['size']} documents" in section
    assert f'data-doc="{first["representative"]}"' in section
    assert "<mark>" in section  # shared passages highlighted


@pytest.mark.parametrize("command", ["run", "dedup", "clean"])
def test_configuration_shown(outputs, reports, command):
    html = reports[command]
    section = html[html.index('id="config"'):]
    if command == "clean":
        assert "clean_config.json" in section
    else:
        assert "[dedup]" in section and f"threshold = {THRESHOLD}" in section


@pytest.mark.parametrize("command", ["run", "dedup", "clean"])
def test_page_is_self_contained(reports, command):
    html = re.sub(r'xmlns(:\w+)?="http[^"]*"', "", reports[command])  # SVG namespaces
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"<(script|link|img|iframe)\b|@import|\bsrc=", html)


def test_clean_report_has_cleaning_plots_only(outputs, reports):
    html = reports["clean"]
    assert re.findall(r'data-plot="([\w-]+)"', html) == ["cleaning", "stages"]
    assert "gopher_word_count" in html and 'id="clusters"' not in html


def test_empty_folder_gives_a_page(tmp_path):
    path = write_report(tmp_path)
    html = path.read_text()
    assert 'data-key="documents-in"><b>0</b>' in html and "Not found in this folder" in html


def test_missing_folder_is_a_usage_error(tmp_path):
    result = invoke("report", tmp_path / "nope")
    assert result.exit_code == 2


def test_examples_are_bounded(tmp_path):
    """A run with many clusters and pairs still shows 20 clusters and 10+10 pairs."""
    (tmp_path / "stats.json").write_text(json.dumps(
        {"documents": {"read": 3000}, "parameters": {"threshold": 0.5, "num_bands": 20,
                                                     "rows_per_band": 5}}))
    with open(tmp_path / "clusters.jsonl", "w") as handle:
        for n in range(300):
            handle.write(json.dumps({"cluster_id": f"c{n:07d}", "representative": f"d{n}",
                                     "members": [f"d{n}", f"e{n}"], "size": 2 + n % 50}) + "\n")
    with open(tmp_path / "borderline_pairs.jsonl", "w") as handle:
        for n in range(500):
            sim = 0.3 + 0.4 * n / 500
            handle.write(json.dumps({"id1": f"a{n}", "id2": f"b{n}", "similarity": sim,
                                     "verified": sim >= 0.5}) + "\n")
    page = page_module.build_page(tmp_path)
    assert len(page.clusters) == 20 and page.clusters[0].title.startswith("c0000049: 51")
    assert len(page.above) == len(page.below) == 10
    assert page.above[0].similarity == pytest.approx(0.5) and page.below[0].similarity < 0.5
    assert all(pair.left.missing for pair in page.above)


def test_examples_file_spares_the_scan(tmp_path):
    """Texts in examples.jsonl are used without kept/removed files being read."""
    (tmp_path / "borderline_pairs.jsonl").write_text(json.dumps(
        {"id1": "a", "id2": "b", "similarity": 0.4, "verified": False}) + "\n")
    (tmp_path / "examples.jsonl").write_text(
        json.dumps({"id": "a", "text": "one two three four", "file": "kept"}) + "\n")
    pair = page_module.build_page(tmp_path).below[0]
    assert not pair.left.missing and pair.left.status == "kept" and pair.right.missing
