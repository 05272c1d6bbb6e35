"""The executor contract: apply a function to batches, results in input order.

Stages hand batches to an executor and never import a concrete one, so the
same stage runs in-process, on local cores, or on a Ray cluster.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from typing import Any


class Executor(ABC):
    """Runs `fn(batch)` for each batch; yields results in the order of the batches."""

    workers: int = 1

    @abstractmethod
    def map_ordered(self, fn: Callable[[Any], Any], batches: Iterable[Any]) -> Iterator[Any]:
        """Apply fn to every batch, at most a bounded number in flight; keep input order."""

    def close(self) -> None:
        """Release workers."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
