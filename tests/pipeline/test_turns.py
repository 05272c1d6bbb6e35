"""Turns across forked processes: each task appends after the one before it."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from nearcopy.pipeline.turns import Turns, TurnsAborted

fork = multiprocessing.get_context("fork")


def _append_in_turn(turns: Turns, k: int, path: str, delay: float, fail: bool, results):
    try:
        time.sleep(delay)  # later tasks are ready first: they must still wait
        if fail:
            raise ValueError("boom")
        turns.wait_for(k)
        with open(path, "a") as handle:
            handle.write(f"{k}\n")
        turns.done(k)
        results[k] = 1
    except TurnsAborted:
        results[k] = 2
    except ValueError:
        turns.abort()
        results[k] = 3


def _run(tmp_path, delays, failing=-1):
    turns, path = Turns(), str(tmp_path / "out.txt")
    open(path, "w").close()
    results = fork.RawArray("i", len(delays))
    procs = [fork.Process(target=_append_in_turn,
                          args=(turns, k, path, delay, k == failing, results))
             for k, delay in enumerate(delays)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(timeout=20)
        assert not proc.is_alive(), "a task waited for a turn that never came"
    return (tmp_path / "out.txt").read_text().split(), list(results)


def test_tasks_act_in_order_whatever_order_they_are_ready_in(tmp_path):
    lines, results = _run(tmp_path, [0.3, 0.2, 0.1, 0.0])
    assert lines == ["0", "1", "2", "3"]
    assert results == [1, 1, 1, 1]


def test_a_failed_task_releases_every_later_one(tmp_path):
    lines, results = _run(tmp_path, [0.0, 0.2, 0.0, 0.0], failing=1)
    assert lines == ["0"]
    assert results == [1, 3, 2, 2]


def test_abort_in_this_process_stops_a_wait():
    turns = Turns()
    turns.abort()
    with pytest.raises(TurnsAborted):
        turns.wait_for(3)
