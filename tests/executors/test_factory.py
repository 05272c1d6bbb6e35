"""make_executor and the missing 'ray' extra."""

from __future__ import annotations

import sys

import pytest

from nearcopy.errors import ConfigError, MissingDependencyError
from nearcopy.executors.factory import make_executor
from nearcopy.executors.local import LocalExecutor


def test_make_local_executor():
    executor = make_executor("local", workers=3)
    assert isinstance(executor, LocalExecutor) and executor.workers == 3


def test_unknown_executor_and_address_without_ray():
    with pytest.raises(ConfigError, match="executor 'dask' is not one of: local, ray"):
        make_executor("dask")
    with pytest.raises(ConfigError, match="--ray-address auto needs --executor ray"):
        make_executor("local", address="auto")


def test_missing_ray_fails_at_construction_with_the_install_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    with pytest.raises(MissingDependencyError) as info:
        make_executor("ray")
    assert str(info.value) == ("--executor ray needs the 'ray' extra: "
                               "pip install 'nearcopy[ray]'")
    assert isinstance(info.value, ImportError)
