"""Build an executor from its CLI name: `local` (processes on this machine) or `ray`."""

from __future__ import annotations

from nearcopy.errors import ConfigError
from nearcopy.executors.base import Executor
from nearcopy.executors.local import LocalExecutor

EXECUTORS = ("local", "ray")


def make_executor(name: str = "local", address: str | None = None,
                  workers: int | None = None) -> Executor:
    """The executor called `name`.

    Args:
        name: ``local`` or ``ray``.
        address: Ray cluster address (``auto``, ``ray://host:10001``); ``None`` starts a
            local Ray instance. Only valid with ``ray``.
        workers: local worker processes, or CPUs of a local Ray instance (None/0: all).

    Example:
        >>> make_executor("local", workers=1).workers
        1
    """
    if name not in EXECUTORS:
        raise ConfigError(f"executor '{name}' is not one of: {', '.join(EXECUTORS)}")
    if name == "local":
        if address:
            raise ConfigError(f"--ray-address {address} needs --executor ray")
        import os

        return LocalExecutor(workers or os.cpu_count() or 1)
    from nearcopy.executors.ray import RayExecutor

    return RayExecutor(address=address, num_cpus=workers or None)
