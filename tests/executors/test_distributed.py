"""The sharded job on the local executor: identical results to BatchJob, shards, markers.

The same job runs on Ray in test_ray.py; here it runs in-process, so these tests are
fast and run without the 'ray' extra.
"""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nearcopy.cli.dedup import make_cleaner
from nearcopy.config import DedupConfig, RunConfig
from nearcopy.dedup import cluster, containment
from nearcopy.dedup.decide import InMemorySets, Sketches, find_copies
from nearcopy.dedup.sketch import sketch_texts
from nearcopy.errors import ConfigError
from nearcopy.executors.local import LocalExecutor
from nearcopy.io.base import SkipCounter
from nearcopy.io.discover import iter_documents
from nearcopy.pipeline.components import StreamingComponents
from nearcopy.pipeline.distributed import DistributedJob
from nearcopy.pipeline.job import BatchJob
from nearcopy.pipeline.shards import plan_shards, shard_documents
from tests.conftest import write_jsonl

SAME = ("clusters.jsonl", "borderline_pairs.jsonl")


def run_local(config, out, paths, **kwargs):
    return BatchJob(config, out, show_progress=False, **kwargs).run(paths)


def run_sharded(config, out, paths, executor=None, **kwargs):
    job = DistributedJob(config, out, show_progress=False,
                         executor=executor or LocalExecutor(1), **kwargs)
    summary = job.run(paths)
    return job, summary


def concat(folder, kind):
    return b"".join(p.read_bytes() for p in sorted(folder.glob(f"{kind}-*.jsonl")))


def assert_same_outputs(local, sharded):
    for name in SAME:
        assert (sharded / name).read_bytes() == (local / name).read_bytes(), name
    for kind in ("kept", "removed"):
        assert concat(sharded, kind) == (local / f"{kind}.jsonl").read_bytes(), kind


@pytest.mark.parametrize("config", [
    RunConfig(clean=False),
    RunConfig(clean=False, dedup=DedupConfig(threshold=0.8), batch_size=7),
    RunConfig(clean=False, dedup=DedupConfig(verify="signature")),
])
def test_sharded_job_gives_the_local_results(mixed, tmp_path, config):
    local = tmp_path / "local"
    s_local = run_local(config, local, [mixed], command="dedup")
    _job, s_sharded = run_sharded(config, tmp_path / "sharded", [mixed], shard_bytes=4000,
                                 partitions=3, command="dedup")
    assert_same_outputs(local, tmp_path / "sharded")
    for key in ("documents", "removed_by_method", "skipped", "cleaning", "pairs"):
        assert s_sharded[key] == s_local[key], key
    assert s_sharded["distributed"]["shards"] > 3  # a.jsonl and c.jsonl were split
    assert s_local["skipped"]["duplicate_id"] == 2
    assert s_local["removed_by_method"].get("contained") or config.dedup.verify != "exact"


def _reference(paths, config):
    """Decisions straight from `find_copies` on in-memory sketches (no BatchJob involved)."""
    dedup = config.dedup.resolved()
    docs = list(iter_documents(paths))
    exact_mode = dedup.verify == "exact"
    batch = sketch_texts([d.text for d in docs], dedup.sketch, keep_sets=exact_mode)
    samples = containment.sample_sets(batch.set_values, batch.set_counts,
                                      dedup.containment_sample) if exact_mode else (None, None)
    decisions = find_copies(
        Sketches(batch.exact_hashes, batch.lengths, batch.signatures, *samples),
        InMemorySets(batch.set_values, batch.set_counts) if exact_mode else None,
        threshold=dedup.threshold, num_bands=dedup.num_bands, rows=dedup.rows_per_band,
        keep=dedup.keep, window=dedup.bucket_window,
        containment_threshold=dedup.containment if exact_mode else 0.0)
    ids = [d.id for d in docs]
    removed = {ids[i]: (str(decisions.method[i]), round(float(decisions.similarity[i]), 4),
                        ids[int(decisions.representative[i])])
               for i in np.flatnonzero(~decisions.is_kept())}
    return removed, {k: v for k, v in decisions.stats.items() if k != "seconds"}


@pytest.mark.parametrize("verify", ["exact", "signature"])
def test_sharded_job_equals_find_copies(mixed, tmp_path, verify):
    config = RunConfig(clean=False, dedup=DedupConfig(verify=verify))
    _, summary = run_sharded(config, tmp_path / "out", [mixed], shard_bytes=5000, partitions=3)
    removed = {}
    for path in sorted((tmp_path / "out").glob("removed-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            removed[rec["id"]] = (rec["method"], rec["similarity"], rec["duplicate_of"])
    want_removed, want_stats = _reference([mixed], config)
    assert removed == want_removed
    assert {k: summary["pairs"][k] for k in want_stats} == want_stats


def test_sharded_run_with_cleaning_and_boilerplate(mixed, tmp_path):
    config = RunConfig(workers=1)
    cleaner, counter = make_cleaner(None, None)
    import copy

    s_local = run_local(config, tmp_path / "local", [mixed], cleaner=cleaner,
                        boilerplate=copy.deepcopy(counter))
    _, s_sharded = run_sharded(config, tmp_path / "sharded", [mixed], cleaner=cleaner,
                               boilerplate=copy.deepcopy(counter), shard_bytes=5000,
                               partitions=2)
    assert_same_outputs(tmp_path / "local", tmp_path / "sharded")
    assert s_sharded["cleaning"] == s_local["cleaning"]


def test_output_layout_and_stats(mixed, tmp_path):
    out = tmp_path / "out"
    (out / ".kept-00001.jsonl.stale.tmp").parent.mkdir(parents=True)
    (out / ".kept-00001.jsonl.stale.tmp").write_text("left by a dead worker")
    (out / "kept.jsonl").write_text("a local run's output")
    _job, summary = run_sharded(RunConfig(clean=False), out, [mixed], shard_bytes=8000)
    shards = summary["distributed"]["shards"]
    kept = [f"kept-{i:05d}.jsonl" for i in range(shards)]
    assert summary["distributed"]["outputs"]["kept"] == kept
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(kept + [k.replace("kept", "removed") for k in kept] + [
        "clusters.jsonl", "borderline_pairs.jsonl", "stats.json", "config.toml"])
    assert json.loads((out / "stats.json").read_text())["documents"] == summary["documents"]


def test_rerun_after_a_failure_redoes_only_unfinished_tasks(mixed, tmp_path):
    config = RunConfig(clean=False)
    run_local(config, tmp_path / "local", [mixed], command="dedup")
    out = tmp_path / "out"
    (out / "kept-00002.jsonl").mkdir(parents=True)  # the write of shard 2 fails
    with pytest.raises(OSError):
        run_sharded(config, out, [mixed], shard_bytes=4000, command="dedup")
    markers = {p: p.stat().st_mtime_ns for p in (out / ".nearcopy-work").rglob("_SUCCESS.*")}
    assert any(p.name == "_SUCCESS.write" for p in markers)
    (out / "kept-00002.jsonl").rmdir()
    job, summary = run_sharded(config, out, [mixed], shard_bytes=4000, command="dedup")
    shards = summary["distributed"]["shards"]
    done_before = sum(p.name == "_SUCCESS.write" for p in markers)
    assert job.tasks_run["read"] == job.tasks_run["sketch"] == job.tasks_run["bands"] == 0
    assert job.tasks_run["verify"] == 0
    assert job.tasks_run["write"] == shards - done_before
    assert_same_outputs(tmp_path / "local", out)
    assert not (out / ".nearcopy-work").exists()


def test_changed_input_invalidates_the_markers(tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"id": "a", "text": "one two three four five"}])
    out = tmp_path / "out"
    _first, _ = run_sharded(RunConfig(clean=False), out, [corpus], keep_work=True)
    write_jsonl(corpus, [{"id": "a", "text": "one two three four five"},
                         {"id": "b", "text": "one two three four five"}])
    second, summary = run_sharded(RunConfig(clean=False), out, [corpus], keep_work=True)
    assert second.tasks_run["read"] == 1 and summary["documents"]["removed"] == 1


def test_byte_range_shards_read_like_the_whole_file(tmp_path):
    rng = random.Random(2)
    records = [{"text": f"doc {i} " + "x" * rng.randint(1, 300)} for i in range(200)]
    path = write_jsonl(tmp_path / "big.jsonl", records)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("\n\n{bad\n" + json.dumps({"text": "last, no newline"}))
    shards = plan_shards([path], 2000, LocalExecutor(1))
    assert len(shards) > 10 and shards[0].first_line == 1
    whole = [(d.id, d.text, d.source) for d in iter_documents([path])]
    parts, skips = [], SkipCounter()
    for shard in shards:
        parts += [(d.id, d.text, d.source) for d in shard_documents(
            shard, skips=skips, id_field="id", text_field="text", max_doc_chars=10**6)]
    assert parts == whole and skips.counts["invalid_json"] == 1


def test_dedup_paragraphs_is_refused():
    with pytest.raises(ConfigError, match="--dedup-paragraphs"):
        DistributedJob(RunConfig(dedup_paragraphs=True), "out")


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40).flatmap(lambda n: st.tuples(
    st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60),
    st.integers(1, 5))))
def test_streaming_components_equal_scipy_components(case):
    n, edges, chunks = case
    left = np.array([a for a, _ in edges], dtype=np.int64)
    right = np.array([b for _, b in edges], dtype=np.int64)
    cc = StreamingComponents(n)
    for part in np.array_split(np.arange(left.size), chunks):
        cc.add(left[part], right[part])
    assert cc.labels().tolist() == cluster.components(n, left, right).tolist()
