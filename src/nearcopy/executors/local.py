"""Local executor: worker processes on this machine's cores, or inline for one worker.

A sliding window of in-flight batches keeps memory bounded (a plain Pool.imap
would read the whole corpus ahead), and results come back in input order so
1 and N workers give byte-identical outputs.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from nearcopy.executors.base import Executor
from nearcopy.pipeline.heap import keep_freed_heap

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


class LocalExecutor(Executor):
    """Runs batches in `workers` processes (fork on Linux), or in this process if workers == 1."""

    def __init__(self, workers: int = 1, *, in_flight_per_worker: int = 2):
        self.workers = max(1, workers)
        self.in_flight = self.workers * in_flight_per_worker
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            import multiprocessing  # (not for one worker: 15 ms of every start-up)
            from concurrent.futures import ProcessPoolExecutor
            method = "fork" if sys.platform.startswith("linux") else "spawn"
            self._pool = ProcessPoolExecutor(self.workers,
                                             mp_context=multiprocessing.get_context(method),
                                             initializer=keep_freed_heap)
        return self._pool

    def map_ordered(self, fn: Callable[[Any], Any], batches: Iterable[Any]) -> Iterator[Any]:
        if self.workers == 1:
            for batch in batches:
                yield fn(batch)
            return
        pool = self._get_pool()
        pending: deque = deque()
        for batch in batches:
            pending.append(pool.submit(fn, batch))
            if len(pending) >= self.in_flight:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    def map_forked(self, fn: Callable[[Any], Any], batches: Iterable[Any]) -> Iterator[Any]:
        """Like `map_ordered`, in `workers` processes forked now (Linux; else in this
        process): they inherit this process's memory as it is, so a stage whose input is
        large and already in memory (the decisions, for the write pass) ships only small
        payloads. They are shut down when the iterator ends."""
        if self.workers == 1 or not sys.platform.startswith("linux"):
            yield from map(fn, batches)
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=keep_freed_heap) as pool:
            yield from pool.map(fn, batches)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
