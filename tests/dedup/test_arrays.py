"""The numpy helpers that stand in for np.unique, np.union1d and np.setdiff1d."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from nearcopy.dedup.arrays import member_of, sorted_difference, sorted_union, sorted_unique

_arrays = st.lists(st.integers(0, 50), max_size=40).map(lambda v: np.array(v, dtype=np.int64))


@given(_arrays, _arrays)
def test_helpers_equal_numpy(first, second):
    assert np.array_equal(sorted_unique(first), np.unique(first))
    assert np.array_equal(sorted_union(first, second), np.union1d(first, second))
    distinct = np.unique(second)
    assert np.array_equal(sorted_difference(first, distinct), np.setdiff1d(first, distinct))
    assert np.array_equal(member_of(first, distinct), np.isin(first, distinct))
