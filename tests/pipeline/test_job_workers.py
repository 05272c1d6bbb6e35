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
