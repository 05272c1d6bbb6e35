"""The benchmark cannot rot: its smoke mode runs every tool end to end in seconds.

Speed ratios are printed, never asserted (CI machines are noisy); accuracy and
the shape of the results table are.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _jaccard(a: str, b: str) -> float:
    sa, sb = (set(zip(*(w[i:] for i in range(5)))) for w in (_words(a), _words(b)))
    return len(sa & sb) / len(sa | sb)


def test_generator_is_deterministic_and_truth_is_exact(tmp_path):
    first = generate.generate(600, tmp_path / "a", seed=3, check=True)
    generate.generate(600, tmp_path / "b", seed=3)
    assert (tmp_path / "a" / "corpus.jsonl").read_bytes() == \
        (tmp_path / "b" / "corpus.jsonl").read_bytes()
    assert first["unrelated_check"]["max_cross_family_jaccard"] < 0.1
    texts = {}
    for line in (tmp_path / "a" / "corpus.jsonl").read_text().splitlines():
        record = json.loads(line)
        texts[record["id"]] = record["text"]
    assert len(texts) == 600
    pairs = [p for line in (tmp_path / "a" / "truth.jsonl").read_text().splitlines()
             for p in json.loads(line)["pairs"]]
    assert pairs and any(j < 0.8 for *_, j in pairs) and any(j >= 0.8 for *_, j in pairs)
    for a, b, jac in pairs[:40]:
        assert _jaccard(texts[a], texts[b]) == pytest.approx(jac, abs=1e-4)


def _row(table: str, tool: str) -> list[str]:
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells[0] == tool:
            return cells
    raise AssertionError(f"no row for {tool} in:\n{table}")


@pytest.mark.slow
def test_smoke_benchmark_runs_all_tools(tmp_path):
    results = tmp_path / "RESULTS.md"
    proc = subprocess.run([sys.executable, str(BENCH / "run_bench.py"), "--smoke", "--work",
                           str(tmp_path / "work"), "--results", str(results)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    table = results.read_text()
    assert "| tool | signature MB/s (1 core) |" in table and "Goals (measured" in table
    sig = _row(table, "nearcopy-sig")
    assert float(sig[1]) > 0
    for tool in ("nearcopy dedup -j1", "nearcopy dedup -j2"):
        row = _row(table, tool)
        recall, false_merge = float(row[9]), float(row[10])
        assert recall >= 0.98 and false_merge <= 0.01, row
        assert float(row[3]) > 0 and float(row[4]) > 0 and float(row[7].replace(",", "")) > 0
    for peer in ("datasketch", "rensa"):
        row = _row(table, peer)
        assert 0.5 <= float(row[9]) <= 1.0 and 0.0 <= float(row[10]) <= 1.0, row
        assert float(row[1]) > 0
    assert _row(table, "nearcopy dedup -j1")[9:12] == _row(table, "nearcopy dedup -j2")[9:12]


def test_clean_bench_pairs_each_round_of_jobs():
    """bench_clean's per-round ratios: each round's run, dedup and clean jobs together."""
    import bench_clean

    def job(wall, cpu, read_sketch=0.0, dedup=0.0):
        return {"wall": wall, "cpu": cpu, "stages": {"read_sketch": read_sketch, "dedup": dedup}}

    runs = {"run": [job(2.0, 3.0), job(3.0, 4.5), job(2.2, 3.2)],
            "dedup": [job(1.0, 1.5, 0.3, 0.2), job(2.0, 3.0, 0.6, 0.4), job(1.1, 1.6, 0.3, 0.2)],
            "clean": [job(1.2, 2.0), job(1.8, 2.5), job(1.1, 2.0)]}
    ratios = bench_clean.paired_ratios(runs)
    assert ratios["clean_job_over_dedup_job_wall"] == [0.9, 1.0, 1.2]
    assert ratios["cleaning_over_dedup_stage_wall"] == [1.0, 2.0, 2.2]
    assert ratios["cleaning_cpu_added_over_dedup_job_cpu"] == [0.5, 1.0, 1.0]


def test_bench_clean_says_which_kernels_it_timed(monkeypatch, capsys):
    """A tree whose ahead-of-time build failed runs the JIT: the bench says so."""
    import bench_clean
    from nearcopy.native import aot
    assert bench_clean.kernels_in_use() == "aot"
    monkeypatch.setattr(aot, "load", lambda: None)
    assert bench_clean.kernels_in_use() == "jit"
    assert "not built" in capsys.readouterr().err
