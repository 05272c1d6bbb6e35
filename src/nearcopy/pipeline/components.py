"""Connected components over edge files that never have to fit in memory together.

A union-find whose root is always the smallest index (so the labels equal
`cluster.components`: each document's smallest fellow member) takes the edge
files one at a time. Memory is one int64 per document (8 GB for 1B documents)
plus the largest single edge file; the edges themselves are streamed. See
docs/ray.md for the measurement and the bound.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from nearcopy.native import kernel


@kernel()
def _find(parent, x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]  # path halving keeps parent[x] <= x
        x = parent[x]
    return x


@kernel("none(i8[:], i8[:]r, i8[:]r)")
def _union(parent, left, right):
    for k in range(left.shape[0]):
        a = _find(parent, left[k])
        b = _find(parent, right[k])
        if a < b:
            parent[b] = a
        elif b < a:
            parent[a] = b


@kernel("none(i8[:])")
def _flatten(parent):
    for i in range(parent.shape[0]):  # parent[i] <= i, so its root is already final
        parent[i] = parent[parent[i]]


class StreamingComponents:
    """Union-find over `num_docs` documents; feed edge arrays with `add`, then `labels()`.

    Example:
        >>> cc = StreamingComponents(4)
        >>> cc.add(np.array([3]), np.array([1]))
        >>> cc.labels().tolist()
        [0, 1, 2, 1]
    """

    def __init__(self, num_docs: int):
        self.parent = np.arange(num_docs, dtype=np.int64)
        self.edges = 0

    def add(self, left: np.ndarray, right: np.ndarray) -> None:
        if left.size:
            _union(self.parent, np.ascontiguousarray(left, dtype=np.int64),
                   np.ascontiguousarray(right, dtype=np.int64))
        self.edges += int(left.size)

    def add_all(self, edge_arrays: Iterable[tuple[np.ndarray, np.ndarray]]) -> None:
        for left, right in edge_arrays:
            self.add(left, right)

    def labels(self) -> np.ndarray:
        """Each document's component label: the smallest index in its component."""
        _flatten(self.parent)
        return self.parent
