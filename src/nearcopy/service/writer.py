"""The single writer thread: every change to the index goes through one queue.

Clients never see "database is locked": only this thread writes. Adds that
arrive while a commit is running are grouped into the next transaction (group
commit), so one fsync acknowledges many documents. A future is resolved only
after its transaction has committed, which is what makes an acknowledgement
durable.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from nearcopy.errors import ServiceError
from nearcopy.index.index import Index
from nearcopy.index.prepare import PreparedBatch

log = logging.getLogger("nearcopy.service")

#: documents per group commit; bounds one transaction's time and the WAL growth
MAX_GROUP_DOCS = 2048
_STOP = object()


class WriteQueue:
    """Runs `Index.insert_prepared` (grouped) and other writes on one thread."""

    def __init__(self, index: Index, *, max_group_docs: int = MAX_GROUP_DOCS):
        self.index = index
        self.max_group_docs = max_group_docs
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="nearcopy-writer", daemon=True)
        self._stopping = False

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Finish queued writes, then end the thread."""
        self._stopping = True
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def add(self, batch: PreparedBatch) -> Future:
        return self._submit(("add", batch))

    def call(self, fn: Callable[[], Any]) -> Future:
        """Run any other write (e.g. a removal) on the writer thread."""
        return self._submit(("call", fn))

    def _submit(self, item) -> Future:
        if self._stopping:
            raise ServiceError("the service is shutting down")
        future: Future = Future()
        self._queue.put((*item, future))
        return future

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            if item[0] == "call":
                _resolve(item[2], item[1])
                continue
            group, stop = self._gather(item)
            self._commit(group)
            if stop:
                return

    def _gather(self, first) -> tuple[list, bool]:
        """The first add plus every add already waiting, up to the group size."""
        group, size = [first], len(first[1])
        while size < self.max_group_docs:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                return group, True
            if item[0] != "add":
                self._commit(group)
                _resolve(item[2], item[1])
                group, size = [], 0
                continue
            group.append(item)
            size += len(item[1])
        return group, False

    def _commit(self, group: list) -> None:
        if not group:
            return
        try:
            results = self.index.insert_prepared([batch for _, batch, _ in group])
        except Exception as exc:  # noqa: BLE001 - one bad batch must not fail the others
            if len(group) > 1:
                for item in group:
                    self._commit([item])
                return
            log.warning("write failed: %s", exc)
            group[0][2].set_exception(exc)
            return
        for (_, _, future), result in zip(group, results):
            future.set_result(result)


def _resolve(future: Future, fn: Callable[[], Any]) -> None:
    try:
        future.set_result(fn())
    except Exception as exc:  # noqa: BLE001 - handed to the waiting request
        future.set_exception(exc)
