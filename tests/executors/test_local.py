"""Local executor: ordered results, and forked workers that see this process's memory."""

from __future__ import annotations

import os

from nearcopy.executors.local import LocalExecutor

STATE: dict = {}


def _square(x: int) -> int:
    return x * x


def _read_state(key: str):
    return STATE[key], os.getpid()


def test_map_ordered_keeps_input_order_with_workers():
    with LocalExecutor(2) as executor:
        assert list(executor.map_ordered(_square, range(50))) == [x * x for x in range(50)]


def test_map_forked_workers_inherit_what_was_set_before_the_call():
    with LocalExecutor(2) as executor:
        list(executor.map_ordered(_square, range(4)))  # the long-lived pool forks here
        STATE["decisions"] = "set after the pool forked"
        try:
            results = list(executor.map_forked(_read_state, ["decisions"] * 6))
        finally:
            STATE.clear()
    assert [value for value, _ in results] == ["set after the pool forked"] * 6
    assert all(pid != os.getpid() for _, pid in results)


def test_map_forked_with_one_worker_runs_here():
    STATE["k"] = 1
    try:
        results = list(LocalExecutor(1).map_forked(_read_state, ["k"]))
    finally:
        STATE.clear()
    assert results == [(1, os.getpid())]
