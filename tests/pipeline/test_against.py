"""`run/dedup --against INDEX`: copies of indexed documents are removed too."""

from __future__ import annotations

import random

from tests.conftest import mutate, random_text, read_jsonl, write_jsonl


def test_dedup_against_an_index(invoke, tmp_path):
    rng = random.Random(11)
    archive = [{"id": f"old{i}", "text": random_text(rng, 150)} for i in range(5)]
    fresh = [{"id": "copy-of-old0", "text": mutate(rng, archive[0]["text"], 0.01)},
             {"id": "copy-of-copy", "text": mutate(rng, archive[0]["text"], 0.01)},
             {"id": "new", "text": random_text(rng, 150)}]
    index = tmp_path / "archive.db"
    result = invoke("index", "build", write_jsonl(tmp_path / "a.jsonl", archive), "--index",
                    index, "--no-clean", "--quiet")
    assert result.exit_code == 0, result.output
    corpus = write_jsonl(tmp_path / "b.jsonl", fresh)
    result = invoke("dedup", corpus, "--out", tmp_path / "o", "--against", index, "--quiet")
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in read_jsonl(tmp_path / "o" / "kept.jsonl")] == ["new"]
    removed = {r["id"]: r for r in read_jsonl(tmp_path / "o" / "removed.jsonl")}
    assert set(removed) == {"copy-of-old0", "copy-of-copy"}
    assert all(r["duplicate_of"] == "old0" and r["indexed"] for r in removed.values())
    assert read_jsonl(tmp_path / "o" / "clusters.jsonl") == []


def test_against_an_index_with_other_settings_is_a_clear_error(invoke, tmp_path):
    index = tmp_path / "i.db"
    docs = write_jsonl(tmp_path / "a.jsonl", [{"id": "a", "text": "some words " * 30}])
    assert invoke("index", "build", docs, "--index", index, "--no-clean", "-q").exit_code == 0
    result = invoke("dedup", docs, "--out", tmp_path / "o", "--against", index, "--ngram", "3",
                    "-q")
    assert result.exit_code == 1
    assert "differ from the index" in result.output
