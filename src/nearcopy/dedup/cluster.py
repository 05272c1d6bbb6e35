"""Clusters are connected components of verified pairs; one representative each."""

from __future__ import annotations

import numpy as np

from nearcopy.native import kernel

KEEP_LONGEST = "longest"
KEEP_FIRST = "first"
KEEP_POLICIES = (KEEP_LONGEST, KEEP_FIRST)


@kernel("i8[:](i8, i8[:]r, i8[:]r)")
def _union_find(num_docs, left, right):
    """Labels = smallest member of each component (union by smaller root, path halving)."""
    parent = np.arange(num_docs)
    for k in range(left.shape[0]):
        a, b = left[k], right[k]
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        if a < b:
            parent[b] = a
        elif b < a:
            parent[a] = b
    for i in range(num_docs):  # roots are the smallest members; parents point lower
        parent[i] = parent[parent[i]]
    return parent


def components(num_docs: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Component label of every document: the index of the component's first document.

    A union-find over the edge list (numba), O(edges * α); no sparse matrix, and
    labels that do not depend on traversal order.
    """
    if num_docs == 0:
        return np.empty(0, dtype=np.int64)
    return _union_find(num_docs, np.asarray(left, dtype=np.int64),
                       np.asarray(right, dtype=np.int64))


def representatives(labels: np.ndarray, lengths: np.ndarray, policy: str) -> np.ndarray:
    """For each document, the index of its cluster's representative.

    `longest`: the longest text (the most complete copy), ties to the earliest;
    `first`: the earliest document in input order.
    """
    n = labels.shape[0]
    if policy == KEEP_FIRST:
        return labels.copy()
    # sort by (label, -length, index) and take the head of each label run
    order = np.lexsort((np.arange(n), -lengths, labels))
    heads = np.ones(n, dtype=bool)
    heads[1:] = labels[order][1:] != labels[order][:-1]
    rep_of_label = np.empty(labels.max() + 1 if n else 0, dtype=np.int64)
    rep_of_label[labels[order][heads]] = order[heads]
    return rep_of_label[labels]
