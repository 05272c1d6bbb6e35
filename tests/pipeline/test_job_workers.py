"""Cleaning tasks carry a Cleaner's config, not the Cleaner: workers build one and keep it."""

from __future__ import annotations

import pickle

from nearcopy.clean import CleanConfig, Cleaner
from nearcopy.pipeline import job


def test_a_cleaning_task_carries_the_config_and_the_worker_keeps_one_cleaner(monkeypatch):
    monkeypatch.setattr(job, "_WORKER_CLEANER", None)
    shipped = job.shippable(Cleaner(CleanConfig()))
    assert isinstance(shipped, job.CleanerConfig)
    assert len(pickle.dumps(shipped)) < 2000  # a Cleaner pickles to ~12 KB and rebuilds its rules
    first = job._worker_cleaner(pickle.loads(pickle.dumps(shipped)))
    assert job._worker_cleaner(pickle.loads(pickle.dumps(shipped))) is first
    other = job._worker_cleaner(job.CleanerConfig(CleanConfig(rules={"stray_language": {"enabled": False}})))
    assert other is not first and other.stray is None


def test_the_write_pass_in_parts_on_the_workers_gives_the_same_bytes(invoke, tmp_path,
                                                                      monkeypatch):
    """Each worker writes a run of the spool; joined, the files equal one stream's, with
    documents dropped by cleaning, corpus boilerplate stripped and examples on the way."""
    import random

    from tests.conftest import random_text, run_per_workers, write_jsonl
    rng = random.Random(5)
    template = "The Morning Ledger is published by Ledger Media Group of Springfield"
    docs = []
    for i in range(60):
        story = random_text(rng, 80)
        docs.append({"id": f"s{i}", "text": f"{template}\n{story}", "site": f"site{i % 3}"})
        if i % 4 == 0:
            docs.append({"id": f"s{i}-copy", "text": story + " and one more line at the end"})
        if i % 7 == 0:
            docs.append({"id": f"tiny{i}", "text": "too short"})  # dropped by cleaning
    corpus = write_jsonl(tmp_path / "c.jsonl", docs)
    monkeypatch.setattr(job, "MIN_PART_DOCUMENTS", 1)
    monkeypatch.setattr(job, "PART_BYTES", 3000)  # many parts, some cut next to dropped lines
    calls = []
    monkeypatch.setattr(job.outputs, "_stream_parts",
                        _counting(job.outputs._stream_parts, calls))
    outs = run_per_workers(invoke, "run", corpus, tmp_path, ("1", "3"))
    assert len(calls) == 1 and calls[0] > 10  # only the 3-worker run wrote in parts
    removed = (outs[0] / "removed.jsonl").read_text()
    assert '"method":"filtered"' in removed and '"method":"near"' in removed
    for name in ("kept.jsonl", "removed.jsonl", "clusters.jsonl", "examples.jsonl"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    import json
    stats = [json.loads((out / "stats.json").read_text()) for out in outs]
    assert stats[0]["cleaning"]["counts"]["line/corpus_boilerplate"] > 40
    assert stats[0]["cleaning"] == stats[1]["cleaning"]
    assert stats[0]["documents"] == stats[1]["documents"]


def _counting(fn, calls):
    """`_stream_parts`, noting how many parts each call wrote."""
    def wrapped(parts, *args, **kwargs):
        calls.append(len(parts))
        return fn(parts, *args, **kwargs)
    return wrapped


_REAL_STREAM = job.outputs._stream


def _stream_failing_after_the_first_part(lines, kept, removed, *args):
    """`_stream` that fails in every part but the first (args[-3]: the part's first line)."""
    if args[-3] > 0:
        raise OSError(28, "No space left on device")
    return _REAL_STREAM(lines, kept, removed, *args)


def test_a_failing_write_part_stops_the_job_and_keeps_the_old_outputs(invoke, tmp_path,
                                                                       monkeypatch):
    """The parts after a failed one give up their turn instead of waiting for ever, and
    the outputs of the previous run stay as they were."""
    import random

    from tests.conftest import random_text, write_jsonl
    rng = random.Random(9)
    corpus = write_jsonl(tmp_path / "c.jsonl",
                         [{"id": f"d{i}", "text": random_text(rng, 60)} for i in range(80)])
    out = tmp_path / "out"
    assert invoke("dedup", corpus, "--out", out, "--quiet", "-j", "2").exit_code == 0
    before = (out / "kept.jsonl").read_bytes()
    monkeypatch.setattr(job, "MIN_PART_DOCUMENTS", 1)
    monkeypatch.setattr(job, "PART_BYTES", 2000)
    monkeypatch.setattr(job.outputs, "_stream", _stream_failing_after_the_first_part)
    failed = invoke("dedup", corpus, "--out", out, "--quiet", "-j", "2")
    assert failed.exit_code != 0 and "No space left" in failed.output, failed.output
    assert (out / "kept.jsonl").read_bytes() == before
    assert not list(out.glob(".kept.jsonl.*"))  # no temporary file left behind
