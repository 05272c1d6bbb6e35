"""Clusters are connected components of verified pairs; one representative each."""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

KEEP_LONGEST = "longest"
KEEP_FIRST = "first"
KEEP_POLICIES = (KEEP_LONGEST, KEEP_FIRST)


def components(num_docs: int, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Component label of every document, numbered by each component's first document."""
    if num_docs == 0:
        return np.empty(0, dtype=np.int64)
    graph = coo_matrix((np.ones(left.shape[0], dtype=np.int8), (left, right)),
                       shape=(num_docs, num_docs))
    _, labels = connected_components(graph, directed=False)
    # relabel by the smallest member so labels do not depend on scipy's traversal
    first = np.full(labels.max() + 1, num_docs, dtype=np.int64)
    np.minimum.at(first, labels, np.arange(num_docs))
    return first[labels]


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
