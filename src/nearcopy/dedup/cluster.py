"""Clusters are connected components of verified pairs; one representative each."""

from __future__ import annotations

import numpy as np

from nearcopy.dedup.arrays import sorted_union
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
    reps = np.arange(n)
    # only members of clusters of two or more need a choice (sorting all n documents took
    # ~40 MB of temporaries per million, issue #4): members and the labels they point to
    members = np.flatnonzero(labels != reps)
    members = sorted_union(members, labels[members])
    if members.size == 0:
        return reps
    m_labels, m_lengths = labels[members], lengths[members]
    # sort by (label, -length, index) and take the head of each label run
    order = np.lexsort((members, -m_lengths, m_labels))
    heads = np.ones(members.size, dtype=bool)
    heads[1:] = m_labels[order][1:] != m_labels[order][:-1]
    chosen = np.empty(n, dtype=np.int64)
    chosen[m_labels[order][heads]] = members[order][heads]
    reps[members] = chosen[m_labels]
    return reps
