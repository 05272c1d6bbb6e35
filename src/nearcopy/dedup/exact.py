"""Exact copies: documents whose normalised text hashes to the same 64-bit value."""

from __future__ import annotations

import numpy as np


def first_of_group(hashes: np.ndarray) -> np.ndarray:
    """For each document, the index of the first document with the same hash.

    Documents with first_of_group[i] == i are the distinct texts; the others are
    exact copies of that first one.
    """
    n = hashes.shape[0]
    order = np.argsort(hashes, kind="stable")
    sorted_hashes = hashes[order]
    starts = np.ones(n, dtype=bool)
    starts[1:] = sorted_hashes[1:] != sorted_hashes[:-1]
    group_first = order[np.flatnonzero(starts)]
    group_of_sorted = np.cumsum(starts) - 1
    first = np.empty(n, dtype=np.int64)
    first[order] = group_first[group_of_sorted]
    return first
