"""The Ray executor on a real local Ray cluster (2 CPUs): identical results to local.

Run with `pytest -m ray`. Ray's own import-time deprecation warnings are not ours:
they are ignored narrowly (by category and module) on these tests only.
"""

from __future__ import annotations

import os

import pytest

from nearcopy.config import RunConfig
from nearcopy.executors.ray import RayExecutor
from nearcopy.pipeline.distributed import DistributedJob
from nearcopy.pipeline.job import BatchJob
from tests.executors.test_distributed import assert_same_outputs

pytestmark = [pytest.mark.ray,
              pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.*"),
              pytest.mark.filterwarnings("ignore::FutureWarning:ray.*")]


@pytest.fixture
def ray_executor(ray_session):
    return RayExecutor()  # joins the session's cluster, does not shut it down


def test_map_ordered_keeps_input_order(ray_executor):
    def slow_when_even(i):
        import time
        time.sleep(0.05 if i % 2 == 0 else 0.0)
        return i * i

    assert list(ray_executor.map_ordered(slow_when_even, range(12))) == [i * i for i in range(12)]
    assert ray_executor.workers == 2


def test_task_error_is_the_task_own_exception(ray_executor):
    def boom(_):
        raise ValueError("bad batch 7")

    with pytest.raises(ValueError, match="bad batch 7"):
        list(ray_executor.map_ordered(boom, [1]))


def test_dead_worker_is_retried_without_duplicate_output(ray_executor, tmp_path):
    flag = tmp_path / "died-once"
    out = tmp_path / "parts"

    def task(i):
        from nearcopy.io.base import atomic_write
        if i == 1 and not flag.exists():
            flag.write_text("x")
            os._exit(1)  # the worker process dies in the middle of the task
        with atomic_write(out / f"part-{i}.txt") as handle:
            handle.write(str(i).encode())
        return i

    assert list(ray_executor.map_ordered(task, range(4))) == [0, 1, 2, 3]
    assert flag.exists()
    assert sorted(p.name for p in out.iterdir()) == [f"part-{i}.txt" for i in range(4)]


def test_batch_job_on_ray_equals_local(ray_executor, copies_corpus, tmp_path):
    corpus, _, _ = copies_corpus
    config = RunConfig(clean=False, batch_size=16)
    BatchJob(config, tmp_path / "local", show_progress=False).run([corpus])
    BatchJob(config, tmp_path / "ray", show_progress=False, executor=ray_executor).run([corpus])
    for name in ("kept.jsonl", "removed.jsonl", "clusters.jsonl", "borderline_pairs.jsonl"):
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()


def test_sharded_job_on_ray_equals_local_and_restarts(ray_executor, mixed, tmp_path):
    config = RunConfig(clean=False)
    BatchJob(config, tmp_path / "local", show_progress=False, command="dedup").run([mixed])
    out = tmp_path / "ray"
    (out / "kept-00001.jsonl").mkdir(parents=True)  # the write task of shard 1 fails
    job = DistributedJob(config, out, show_progress=False, executor=ray_executor,
                         shard_bytes=12000, partitions=2, command="dedup")
    with pytest.raises(OSError):
        job.run([mixed])
    (out / "kept-00001.jsonl").rmdir()
    job = DistributedJob(config, out, show_progress=False, executor=ray_executor,
                         shard_bytes=12000, partitions=2, command="dedup")
    summary = job.run([mixed])
    assert job.tasks_run["read"] == job.tasks_run["sketch"] == job.tasks_run["verify"] == 0
    assert 1 <= job.tasks_run["write"] < summary["distributed"]["shards"]
    assert_same_outputs(tmp_path / "local", out)
    assert summary["parameters"]["workers"] == 2


def test_clean_corpus_on_ray_equals_local(ray_executor, tmp_path):
    from nearcopy.clean import CleanConfig
    from nearcopy.clean.corpus import clean_corpus
    from nearcopy.document import Document
    docs = [Document(f"d{i}", f"Home > News > Local\nTune in to Radio Local every morning at seven\n"
                              f"The council said road {i} would reopen after the repairs next week.")
            for i in range(30)]
    clean_corpus(iter(docs), tmp_path / "local", CleanConfig(), workers=1)
    clean_corpus(iter(docs), tmp_path / "ray", CleanConfig(), executor=ray_executor)
    for name in ("kept.jsonl", "dropped.jsonl"):
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
