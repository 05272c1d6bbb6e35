"""Band parameters, candidate generation, verification and clustering."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nearcopy.dedup import cluster, exact, lsh, verify
from nearcopy.errors import ConfigError


@pytest.mark.parametrize("threshold, expected", [(0.5, (25, 5)), (0.8, (9, 13)),
                                                 (0.9, (5, 25))])
def test_optimal_bands_match_the_published_criterion(threshold, expected):
    # the same (b, r) datasketch's _optimal_param gives for num_perm=128, weights 0.5/0.5
    assert lsh.optimal_bands(threshold, 128) == expected


def _optimal_bands_by_pair(threshold, num_perm, fp_weight, fn_weight):
    """The criterion one (bands, rows) pair at a time: the first definition."""
    def curve(num_bands, rows, above):
        xs = np.linspace(threshold, 1.0, 201) if above else np.linspace(0.0, threshold, 201)
        collide = 1.0 - (1.0 - xs ** rows) ** num_bands
        return float(np.trapezoid(1.0 - collide if above else collide, xs))

    best, best_error = (1, 1), float("inf")
    for num_bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // num_bands + 1):
            error = (fp_weight * curve(num_bands, rows, False)
                     + fn_weight * curve(num_bands, rows, True))
            if error < best_error - 1e-12:
                best, best_error = (num_bands, rows), error
    return best


@settings(max_examples=12, deadline=None)
@given(st.floats(0.01, 0.99), st.sampled_from([8, 32, 128]), st.floats(0.05, 0.95))
def test_optimal_bands_equal_the_pair_by_pair_definition(threshold, num_perm, fp_weight):
    got = lsh._grid_search(threshold, num_perm, fp_weight, 1 - fp_weight)
    assert got == _optimal_bands_by_pair(threshold, num_perm, fp_weight, 1 - fp_weight)


def test_optimal_bands_are_kept_on_disk_between_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("NEARCOPY_CACHE_DIR", str(tmp_path))
    lsh.optimal_bands.cache_clear()
    try:
        assert lsh.optimal_bands(0.73, 64) == lsh._grid_search(0.73, 64, 0.5, 0.5)
        assert len(list(tmp_path.glob("lsh-bands-*.pickle"))) == 1
        lsh.optimal_bands.cache_clear()  # a new process: read from disk
        assert lsh.optimal_bands(0.73, 64) == lsh._grid_search(0.73, 64, 0.5, 0.5)
    finally:
        lsh.optimal_bands.cache_clear()


def test_weighting_false_negatives_lowers_the_s_curve():
    b1, r1 = lsh.optimal_bands(0.8, 128)
    b2, r2 = lsh.optimal_bands(0.8, 128, false_negative_weight=0.9, false_positive_weight=0.1)
    assert lsh.collision_probability(0.7, b2, r2) > lsh.collision_probability(0.7, b1, r1)


def test_invalid_threshold():
    with pytest.raises(ConfigError, match="between 0 and 1"):
        lsh.optimal_bands(1.0, 128)


def test_candidate_pairs_find_equal_bands_only_among_active():
    sigs = np.array([[1, 2, 3, 4], [1, 2, 9, 9], [5, 6, 3, 4], [1, 2, 3, 4]], dtype=np.uint32)
    pairs = lsh.candidate_pairs(sigs, 2, 2)
    left, right = lsh.unpack_pairs(pairs)
    assert sorted(zip(left.tolist(), right.tolist())) == [(0, 1), (0, 2), (0, 3), (1, 3), (2, 3)]
    active = np.array([True, True, True, False])
    left, right = lsh.unpack_pairs(lsh.candidate_pairs(sigs, 2, 2, active=active))
    assert sorted(zip(left.tolist(), right.tolist())) == [(0, 1), (0, 2)]


def test_big_bucket_is_windowed_not_quadratic():
    sigs = np.zeros((1000, 4), dtype=np.uint32)
    pairs = lsh.candidate_pairs(sigs, 1, 4, window=3)
    assert pairs.size == 3 * 1000 - 6


def test_exact_jaccard_and_containment():
    values = np.array([1, 2, 3, 4, 2, 3, 4, 5, 9], dtype=np.uint32)
    offsets = np.array([0, 4, 8, 9])
    left, right = np.array([0, 0]), np.array([1, 2])
    assert verify.jaccard(values, offsets, left, right).tolist() == [3 / 5, 0.0]
    c_ab, c_ba = verify.containment(values, offsets, left, right)
    assert c_ab.tolist() == [0.75, 0.0] and c_ba.tolist() == [0.75, 0.0]


def test_first_of_group():
    hashes = np.array([5, 7, 5, 9, 7], dtype=np.uint64)
    assert exact.first_of_group(hashes).tolist() == [0, 1, 0, 3, 1]


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 40), edges=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 39)),
                                            max_size=60))
def test_components_form_a_partition_consistent_with_edges(n, edges):
    edges = [(a, b) for a, b in edges if a < n and b < n]
    left = np.array([a for a, _ in edges], dtype=np.int64)
    right = np.array([b for _, b in edges], dtype=np.int64)
    labels = cluster.components(n, left, right)
    assert labels.shape == (n,)
    for a, b in edges:
        assert labels[a] == labels[b]
    # label = smallest member, so labels are members of their own component
    for i in range(n):
        assert labels[labels[i]] == labels[i] and labels[i] <= i
    # a union-find reference gives the same partition
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x
    for a, b in edges:
        parent[find(a)] = find(b)
    groups = {}
    for i in range(n):
        groups.setdefault(find(i), set()).add(i)
    mine = {}
    for i in range(n):
        mine.setdefault(int(labels[i]), set()).add(i)
    assert sorted(map(sorted, groups.values())) == sorted(map(sorted, mine.values()))


def test_representative_is_longest_then_earliest_or_first():
    labels = np.array([0, 0, 0, 3, 3])
    lengths = np.array([10, 30, 30, 5, 5])
    assert cluster.representatives(labels, lengths, "longest").tolist() == [1, 1, 1, 3, 3]
    assert cluster.representatives(labels, lengths, "first").tolist() == [0, 0, 0, 3, 3]


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 40), st.integers(0, 7), st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_compiled_band_keys_equal_the_numpy_keys(n, band, rows, seed):
    from nearcopy.dedup import kernels

    rng = np.random.default_rng(seed)
    sigs = rng.integers(0, 2**32, size=(n, 32), dtype=np.uint32)
    index = np.sort(rng.choice(n, size=n // 2, replace=False)).astype(np.int64) if n else \
        np.empty(0, dtype=np.int64)
    expected = lsh.block_keys(sigs[index, band * rows:(band + 1) * rows], band)
    assert np.array_equal(kernels.band_keys_of(sigs, index, band, rows), expected)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 19), st.integers(0, 19)), max_size=25),
       st.lists(st.integers(0, 5), min_size=20, max_size=20))
def test_longest_representative_is_the_longest_earliest_member(edges, lengths):
    labels = cluster.components(20, np.array([a for a, _ in edges], dtype=np.int64),
                                np.array([b for _, b in edges], dtype=np.int64))
    reps = cluster.representatives(labels, np.array(lengths, dtype=np.int64), "longest")
    for doc in range(20):
        group = [i for i in range(20) if labels[i] == labels[doc]]
        assert reps[doc] == min(group, key=lambda i: (-lengths[i], i))
