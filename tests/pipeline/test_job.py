"""The batch job end to end: output contract, detection against known clusters, determinism."""

from __future__ import annotations

import json
import tomllib

import pyarrow.parquet as pq
import pytest

from tests.conftest import read_jsonl, run_per_workers, write_jsonl

OUTPUTS = ("kept.jsonl", "removed.jsonl", "clusters.jsonl", "stats.json", "config.toml")


def _dedup(invoke, corpus, out, *extra):
    result = invoke("dedup", corpus, "--out", out, "--quiet", *extra)
    assert result.exit_code == 0, result.output
    return out


def test_output_contract(invoke, copies_corpus, tmp_path):
    corpus, docs, _ = copies_corpus
    out = _dedup(invoke, corpus, tmp_path / "out")
    for name in OUTPUTS:
        assert (out / name).exists(), name
    assert not list(out.glob(".*.tmp")) and not (out / ".nearcopy-work").exists()
    kept, removed = read_jsonl(out / "kept.jsonl"), read_jsonl(out / "removed.jsonl")
    assert len(kept) + len(removed) == len(docs)
    assert {r["id"] for r in kept} | {r["id"] for r in removed} == {d["id"] for d in docs}
    kept_ids = {r["id"] for r in kept}
    for rec in removed:
        assert set(rec) >= {"id", "text", "duplicate_of", "similarity", "method", "reason"}
        assert rec["duplicate_of"] in kept_ids
        assert rec["method"] in ("exact", "near")
        assert 0.0 < rec["similarity"] <= 1.0
    for cl in read_jsonl(out / "clusters.jsonl"):
        assert cl["size"] == len(cl["members"]) >= 2
        assert cl["representative"] in cl["members"] and cl["representative"] in kept_ids
    stats = json.loads((out / "stats.json").read_text())
    assert stats["documents"]["read"] == len(docs)
    assert stats["parameters"]["num_bands"] * stats["parameters"]["rows_per_band"] <= 128
    assert {"read_sketch", "dedup", "write"} <= set(stats["stages"])  # read and sketch fused
    assert stats["stages"]["read_sketch"]["mb"] > 0
    config = tomllib.loads((out / "config.toml").read_text())
    assert config["dedup"]["threshold"] == stats["parameters"]["threshold"]


def test_finds_exactly_the_known_clusters(invoke, copies_corpus, tmp_path):
    corpus, _, truth = copies_corpus
    out = _dedup(invoke, corpus, tmp_path / "out", "--threshold", "0.8")
    found = {frozenset(c["members"]) for c in read_jsonl(out / "clusters.jsonl")}
    assert found == {frozenset(c) for c in truth if len(c) > 1}
    methods = {r["id"]: r["method"] for r in read_jsonl(out / "removed.jsonl")}
    assert all(methods[i] == "exact" for i in methods if i.endswith("-exact"))
    assert all(methods[i] == "near" for i in methods if "-near" in i)


def test_one_and_many_workers_give_identical_outputs(invoke, copies_corpus, tmp_path):
    corpus, _, _ = copies_corpus
    one = _dedup(invoke, corpus, tmp_path / "one", "--workers", "1")
    many = _dedup(invoke, corpus, tmp_path / "many", "--workers", "2")
    for name in ("clusters.jsonl", "kept.jsonl", "removed.jsonl"):
        assert (one / name).read_bytes() == (many / name).read_bytes(), name


def test_small_batches_do_not_change_results(invoke, copies_corpus, tmp_path):
    corpus, _, _ = copies_corpus
    ref = _dedup(invoke, corpus, tmp_path / "ref")
    config = tmp_path / "c.toml"
    config.write_text("batch_size = 7\nworkers = 2\n")
    small = _dedup(invoke, corpus, tmp_path / "small", "--config", config)
    assert (ref / "clusters.jsonl").read_bytes() == (small / "clusters.jsonl").read_bytes()


def test_keep_first_and_longest(invoke, tmp_path):
    base = " ".join(f"word{i}" for i in range(100))
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"id": "short", "text": base},
                                                {"id": "long", "text": base + " extra tail"}])
    out = _dedup(invoke, corpus, tmp_path / "l", "--keep", "longest")
    assert [r["id"] for r in read_jsonl(out / "kept.jsonl")] == ["long"]
    out = _dedup(invoke, corpus, tmp_path / "f", "--keep", "first")
    assert [r["id"] for r in read_jsonl(out / "kept.jsonl")] == ["short"]


def test_parquet_output_has_the_same_records(invoke, copies_corpus, tmp_path):
    corpus, _, _ = copies_corpus
    ref = _dedup(invoke, corpus, tmp_path / "j")
    out = _dedup(invoke, corpus, tmp_path / "p", "--format", "parquet")
    table = pq.read_table(out / "removed.parquet").to_pylist()
    assert [r["id"] for r in table] == [r["id"] for r in read_jsonl(ref / "removed.jsonl")]
    assert [r["duplicate_of"] for r in table] == \
        [r["duplicate_of"] for r in read_jsonl(ref / "removed.jsonl")]
    assert pq.read_table(out / "kept.parquet").num_rows == \
        len(read_jsonl(ref / "kept.jsonl"))


def test_passthrough_fields_survive(invoke, tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"id": "a", "text": "some words here",
                                                 "url": "http://x", "tags": ["n", 1]}])
    out = _dedup(invoke, corpus, tmp_path / "o")
    assert read_jsonl(out / "kept.jsonl")[0] == {"id": "a", "text": "some words here",
                                                  "url": "http://x", "tags": ["n", 1],
                                                  "cluster_id": None}


def test_rerun_replaces_outputs_and_config_repeats_the_run(invoke, copies_corpus, tmp_path):
    corpus, _, _ = copies_corpus
    out = _dedup(invoke, corpus, tmp_path / "o", "--threshold", "0.9", "--ngram", "3")
    again = _dedup(invoke, corpus, tmp_path / "again", "--config", out / "config.toml")
    assert (out / "clusters.jsonl").read_bytes() == (again / "clusters.jsonl").read_bytes()
    stats = json.loads((again / "stats.json").read_text())
    assert stats["parameters"]["ngram"] == 3 and stats["parameters"]["threshold"] == 0.9


def test_char_shingles_and_signature_verification(invoke, copies_corpus, tmp_path):
    corpus, _, truth = copies_corpus
    out = _dedup(invoke, corpus, tmp_path / "c", "--shingle", "char", "--ngram", "8",
                 "--verify", "signature", "--threshold", "0.8")
    found = {frozenset(c["members"]) for c in read_jsonl(out / "clusters.jsonl")}
    assert found == {frozenset(c) for c in truth if len(c) > 1}


def test_unrelated_documents_sharing_names_are_not_merged(invoke, tmp_path):
    first = ("Mayor Elena Ruiz and council members Tom Adler and Grace Okafor voted on Tuesday "
             "to repair the Harbor Street bridge at a cost of 48 million dollars over three years")
    second = ("Mayor Elena Ruiz and council members Tom Adler and Grace Okafor voted on Tuesday "
              "against a ferry between the Harbor Street pier and the northern suburbs")
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"id": "a", "text": first},
                                                {"id": "b", "text": second}])
    out = _dedup(invoke, corpus, tmp_path / "o")
    assert read_jsonl(out / "clusters.jsonl") == []


@pytest.mark.parametrize("command", ["dedup", "run"])
def test_sample_corpus_runs(invoke, command, tmp_path):
    from tests.conftest import SAMPLE
    result = invoke(command, SAMPLE, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert "kept" in result.output
    assert read_jsonl(tmp_path / "o" / "clusters.jsonl")


def test_parquet_output_with_a_field_changing_type_is_a_clear_error(invoke, tmp_path):
    from nearcopy.io import parquet
    rows = [{"id": f"d{i}", "text": f"text number {i} here", "extra": i} for i in range(5000)]
    rows.append({"id": "last", "text": "the last text", "extra": "not a number"})
    corpus = write_jsonl(tmp_path / "c.jsonl", rows)
    assert parquet.BATCH_ROWS < len(rows)
    result = invoke("dedup", corpus, "--out", tmp_path / "o", "--format", "parquet", "-q")
    assert result.exit_code == 1
    assert "changes type" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o" / "kept.parquet").exists()  # nothing half-written


def test_boilerplate_documents_are_sketched_again_after_the_corpus_pass(invoke, tmp_path):
    """Texts are sketched while they are cleaned; corpus boilerplate is known only at the
    end, so the documents it changes are sketched again: a page that is an exact copy
    once its template line is gone must come out as an exact copy."""
    import random as _random
    from tests.conftest import random_text
    rng = _random.Random(11)
    template = "Tune in to Radio Alpha every morning at seven"
    stories = [random_text(rng, 120) for _ in range(14)]
    docs = [{"id": f"t{i}", "text": f"{template}\n{story}"} for i, story in enumerate(stories)]
    docs.append({"id": "bare", "text": stories[0]})  # t0 without its template line
    corpus = write_jsonl(tmp_path / "c.jsonl", docs)
    outs = run_per_workers(invoke, "run", corpus, tmp_path)
    removed = {r["id"]: r for r in read_jsonl(outs[0] / "removed.jsonl")}
    assert set(removed) == {"bare"} or set(removed) == {"t0"}
    assert next(iter(removed.values()))["method"] == "exact"
    kept = read_jsonl(outs[0] / "kept.jsonl")
    assert all(template not in r["text"] for r in kept)
    stats = json.loads((outs[0] / "stats.json").read_text())
    assert stats["cleaning"]["counts"]["line/corpus_boilerplate"] == 14
    assert stats["stages"]["resketch"]["documents"] == 14
    for name in ("kept.jsonl", "removed.jsonl", "clusters.jsonl"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_verification_sets_strip_only_the_documents_the_table_changes():
    """`_set_batch` strips corpus boilerplate from the texts `BatchJob.stripped` names and
    leaves the others as they are: the same sets as stripping every text, since the
    table changes no other text; a batch with none of them is given no table."""
    import numpy as np

    from nearcopy.clean import CleanConfig
    from nearcopy.clean.boilerplate import BoilerplateCounter
    from nearcopy.dedup.sketch import SketchParams, shingle_sets
    from nearcopy.pipeline.job import _set_batch, _strips
    template = "Subscribe to our daily briefing"
    counter = BoilerplateCounter(CleanConfig())
    texts = [f"Story {i} about the council budget and the roads.\n{template}" if i % 2 else
             f"Story {i} about the harbour and the new ferry line today." for i in range(24)]
    for text in texts:
        counter.add(text)
    table = counter.finish()
    assert len(table)
    stripped = frozenset(i for i, text in enumerate(texts) if table.strip(text)[1])
    assert stripped == frozenset(range(1, 24, 2))
    params = SketchParams()
    indices = np.arange(len(texts))
    got = _set_batch((params, texts, *_strips(table, stripped, indices)))
    want = shingle_sets([table.strip(text)[0] for text in texts], params)
    assert all(np.array_equal(a, b) for a, b in zip(got, want))
    assert _strips(table, stripped, np.array([0, 2, 4])) == (None, None)
    assert _strips(None, stripped, indices) == (None, None)
