"""Small numpy helpers on sorted integer arrays, shared by the dedup stages."""

from __future__ import annotations

import numpy as np


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique of a 1-D array, by sort: several times faster here than np.unique, which
    also imports numpy.ma (20 ms) on its first call in a process (issue #4)."""
    ordered = np.sort(values, kind="stable")
    return ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])] if ordered.size \
        else ordered


def sorted_union(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """np.union1d of two 1-D arrays, without np.unique (see sorted_unique)."""
    return sorted_unique(np.concatenate([np.ravel(first), np.ravel(second)]))


def sorted_difference(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """np.setdiff1d(values, sorted_set) for a sorted, distinct `sorted_set`."""
    distinct = sorted_unique(np.ravel(values))
    return distinct[~member_of(distinct, sorted_set)]


def member_of(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """values in sorted_set, by binary search (np.isin sorts both sides)."""
    if sorted_set.size == 0:
        return np.zeros(values.shape, dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), sorted_set.size - 1)
    return sorted_set[at] == values
