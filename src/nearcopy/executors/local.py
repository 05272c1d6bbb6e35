"""Local executor: worker processes on this machine's cores, or inline for one worker.

A sliding window of in-flight batches keeps memory bounded (a plain Pool.imap
would read the whole corpus ahead), and results come back in input order so
1 and N workers give byte-identical outputs.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from nearcopy.executors.base import Executor


#: glibc mallopt parameters (malloc.h) and what the workers set them to
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3
_WORKER_HEAP = ((_M_MMAP_THRESHOLD, 64 << 20), (_M_TRIM_THRESHOLD, 256 << 20),
                (_M_TOP_PAD, 16 << 20))


def keep_freed_heap() -> None:
    """Worker initializer: keep freed heap for the next task instead of returning it.

    Each task allocates and frees buffers of megabytes (an input range, its records, its
    sketches); by default glibc maps each one fresh and unmaps it when freed, and the
    next task faults every page in again: 0.4-0.6 s of system time per worker per 100k
    documents, a third of what two workers cost beyond one (issue #4). Not for the
    parent, whose peak memory counts and which trims its heap between passes.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        for option, value in _WORKER_HEAP:
            libc.mallopt(option, value)
    except (OSError, AttributeError):  # not glibc: its allocator decides
        pass


class LocalExecutor(Executor):
    """Runs batches in `workers` processes (fork on Linux), or in this process if workers == 1."""

    def __init__(self, workers: int = 1, *, in_flight_per_worker: int = 2):
        self.workers = max(1, workers)
        self.in_flight = self.workers * in_flight_per_worker
        self._pool: ProcessPoolExecutor | None = None

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
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
        with ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"),
                                 initializer=keep_freed_heap) as pool:
            yield from pool.map(fn, batches)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None
