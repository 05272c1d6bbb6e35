"""Ray executor: the same batches and shard tasks, run as Ray tasks on a cluster.

`map_ordered` keeps a bounded window of tasks in flight and yields results in
input order, exactly like `LocalExecutor`, so every stage gives byte-identical
results on one machine and on a cluster. Ray retries a task whose worker died
(`max_retries`); tasks write their files under a temporary name and rename them,
so a retried task never leaves a duplicate or half-written output behind.

Ray is an optional extra and is imported only when this executor is built.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from nearcopy.errors import ConfigError, MissingDependencyError
from nearcopy.executors.base import Executor

log = logging.getLogger("nearcopy.executors")


def import_ray():
    """The `ray` module, or MissingDependencyError naming the install line."""
    try:
        import ray
    except ImportError:
        raise MissingDependencyError("--executor ray", "ray") from None
    return ray


class RayExecutor(Executor):
    """Runs batches as Ray tasks on an existing cluster (`address`) or a local instance.

    Args:
        address: ``None`` starts a local Ray instance on this machine; ``"auto"`` joins
            the cluster this machine belongs to; ``"ray://host:10001"`` connects a client.
        num_cpus: CPUs of the local instance (ignored when joining a cluster).
        in_flight_per_worker: tasks submitted ahead per cluster CPU (bounds memory).
        max_retries: times Ray re-runs a task whose worker process or node died.

    Example:
        >>> with RayExecutor(num_cpus=2) as ex:            # doctest: +SKIP
        ...     list(ex.map_ordered(sum, [[1, 2], [3]]))
        [3, 3]
    """

    def __init__(self, address: str | None = None, num_cpus: int | None = None, *,
                 in_flight_per_worker: int = 2, max_retries: int = 3):
        if num_cpus is not None and num_cpus < 1:
            raise ConfigError(f"num_cpus {num_cpus} must be at least 1 (or None for all)")
        if in_flight_per_worker < 1:
            raise ConfigError(f"in_flight_per_worker {in_flight_per_worker} must be >= 1")
        self._ray = import_ray()
        self.address = address
        self.max_retries = max_retries
        self._owns = False
        if not self._ray.is_initialized():
            self._start(address, num_cpus)
        cpus = int(self._ray.cluster_resources().get("CPU", 1))
        self.workers = max(1, cpus)
        self.in_flight = self.workers * in_flight_per_worker
        self._remotes: dict[Callable, Any] = {}

    def _start(self, address: str | None, num_cpus: int | None) -> None:
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                  "logging_level": logging.WARNING}
        if address:
            kwargs["address"] = address
        else:
            kwargs["num_cpus"] = num_cpus
        try:
            self._ray.init(**kwargs)
        except ConnectionError as exc:
            raise ConfigError(f"cannot connect to the Ray cluster at {address!r}: {exc}; "
                              "start it with `ray start --head` or check --ray-address") from exc
        self._owns = True

    def _remote(self, fn: Callable):
        remote = self._remotes.get(fn)
        if remote is None:
            remote = self._ray.remote(max_retries=self.max_retries, retry_exceptions=False)(fn)
            self._remotes[fn] = remote
        return remote

    def map_ordered(self, fn: Callable[[Any], Any], batches: Iterable[Any]) -> Iterator[Any]:
        remote = self._remote(fn)
        pending: deque = deque()
        try:
            for batch in batches:
                pending.append(remote.remote(batch))
                if len(pending) >= self.in_flight:
                    yield self._get(pending.popleft())
            while pending:
                yield self._get(pending.popleft())
        finally:
            for ref in pending:  # a failure or an abandoned generator: stop what is left
                self._ray.cancel(ref)

    def _get(self, ref):
        try:
            return self._ray.get(ref)
        except self._ray.exceptions.RayTaskError as exc:
            cause = getattr(exc, "cause", None)
            if isinstance(cause, BaseException):
                raise cause from None  # the task's own error (e.g. InputFormatError), not Ray's
            raise

    def close(self) -> None:
        if self._owns and self._ray.is_initialized():
            self._ray.shutdown()
        self._owns = False

