"""Precision and Jaccard on ../shared/eval/news_copies (skipped where it is absent)."""

import importlib.util
from pathlib import Path

import pytest

EVAL_DIR = Path(__file__).resolve().parents[3] / "shared" / "eval"

pytestmark = pytest.mark.eval


@pytest.fixture(scope="module")
def eval_module():
    if not (EVAL_DIR / "news_copies" / "docs.jsonl").exists():
        pytest.skip(f"eval data absent at {EVAL_DIR}")
    path = Path(__file__).resolve().parents[2] / "bench" / "eval_clean.py"
    spec = importlib.util.spec_from_file_location("eval_clean", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_base_bodies_kept_and_copies_closer(eval_module):
    result = eval_module.evaluate(EVAL_DIR, limit=800)
    assert result["base_pct_removed"] < 0.5
    for kind in ("only_wrapper", "only_junk", "only_repeat"):
        assert result["jaccard"][kind]["cleaned"] > result["jaccard"][kind]["raw"]
