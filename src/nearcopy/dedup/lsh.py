"""LSH banding over MinHash signatures: parameter choice and candidate pairs.

Banding is done by sorting numpy arrays of band keys (one uint64 per document
and band), not with dicts of lists: memory stays at 8 bytes per document and
band, and the grouping runs at sort speed.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np

from nearcopy.dedup import kernels
from nearcopy.dedup.arrays import sorted_unique
from nearcopy.dedup.hashing import FNV_PRIME, fmix64_np
from nearcopy.disk_cache import disk_cached
from nearcopy.errors import ConfigError
from nearcopy.native import kernel

#: in a bucket, each member is paired with this many following members; buckets of
#: up to WINDOW + 1 documents therefore yield all their pairs (see `bucket_pairs`).
DEFAULT_WINDOW = 64


def _probability_curves(threshold: float, bands: np.ndarray, rows: np.ndarray, *,
                        above: bool) -> np.ndarray:
    """Integral of the false-negative (above) or false-positive (below) probability of
    each (bands, rows) pair: one row of the grid each.

    Every job chooses its bands this way; one call per pair (about 600 at 128
    permutations) took 0.1 s of a 20k-document job's 2 s (issue #4).
    """
    xs = np.linspace(threshold, 1.0, 201) if above else np.linspace(0.0, threshold, 201)
    collide = 1.0 - (1.0 - xs[None, :] ** rows[:, None]) ** bands[:, None]
    return np.trapezoid(1.0 - collide if above else collide, xs, axis=1)


@lru_cache(maxsize=64)
def optimal_bands(threshold: float, num_perm: int, *, false_positive_weight: float = 0.5,
                  false_negative_weight: float = 0.5) -> tuple[int, int]:
    """(num_bands, rows_per_band) minimising the weighted FP and FN probability mass.

    The same criterion as datasketch's `_optimal_param` (Leskovec et al., Mining of
    Massive Datasets, ch. 3): integrate the S-curve 1-(1-s^r)^b below the threshold
    (false positives) and its complement above (false negatives).
    """
    if not 0.0 < threshold < 1.0:
        raise ConfigError(f"threshold {threshold} must be between 0 and 1 (exclusive)")
    # The grid search took 15 ms of every job (1% of a 20k-document job, issue #4).
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    key = (f"{source}|{np.__version__}|{threshold!r}|{num_perm}|{false_positive_weight!r}|"
           f"{false_negative_weight!r}")
    return disk_cached("lsh-bands", key, lambda: _grid_search(
        threshold, num_perm, false_positive_weight, false_negative_weight))


def _grid_search(threshold: float, num_perm: int, false_positive_weight: float,
                 false_negative_weight: float) -> tuple[int, int]:
    grid = [(num_bands, rows) for num_bands in range(1, num_perm + 1)
            for rows in range(1, num_perm // num_bands + 1)]
    bands, rows = (np.array(column, dtype=float) for column in zip(*grid))
    fp = _probability_curves(threshold, bands, rows, above=False)
    fn = _probability_curves(threshold, bands, rows, above=True)
    errors = (false_positive_weight * fp + false_negative_weight * fn).tolist()
    best, best_error = (1, 1), float("inf")
    for pair, error in zip(grid, errors):  # the first of (nearly) equal minima, in grid order
        if error < best_error - 1e-12:
            best, best_error = pair, error
    return best


def collision_probability(similarity: np.ndarray | float, num_bands: int, rows: int):
    """Probability that two documents of this Jaccard share at least one band."""
    return 1.0 - (1.0 - np.asarray(similarity, dtype=float) ** rows) ** num_bands


def band_keys(signatures: np.ndarray, band: int, rows: int) -> np.ndarray:
    """uint64 key of one band for every signature row (the index stores these too)."""
    return block_keys(signatures[:, band * rows:(band + 1) * rows], band)


def block_keys(block: np.ndarray, band: int) -> np.ndarray:
    """uint64 key of each row of one band's columns; the band number seeds the hash."""
    block = block.astype(np.uint64)
    keys = np.full(block.shape[0], np.uint64(band + 1), dtype=np.uint64)
    for col in range(block.shape[1]):
        keys = fmix64_np((keys ^ block[:, col]) * FNV_PRIME)
    return keys


@kernel("u8[:](i8[:]r, u8[:]r, i8[:]r, i8)")
def bucket_pairs(order, keys, index, window):
    """Pairs (i < j) of documents whose keys are equal, each with its next `window` peers
    in key order. keys[order] is sorted; the documents are index[order] (read through
    `order`, not gathered: two copies of a band took 16 MB per million documents)."""
    n = order.shape[0]
    cap = 1024
    out = np.empty(cap, dtype=np.uint64)
    count = 0
    start = 0
    while start < n:
        end = start + 1
        first_key = keys[order[start]]
        while end < n and keys[order[end]] == first_key:
            end += 1
        for a in range(start, end):
            for b in range(a + 1, min(end, a + 1 + window)):
                i, j = index[order[a]], index[order[b]]
                if i > j:
                    i, j = j, i
                if count == cap:
                    cap *= 2
                    grown = np.empty(cap, dtype=np.uint64)
                    grown[:count] = out[:count]
                    out = grown
                out[count] = (np.uint64(i) << np.uint64(32)) | np.uint64(j)
                count += 1
        start = end
    return out[:count]


def band_pairs(keys: np.ndarray, index: np.ndarray, window: int = DEFAULT_WINDOW) -> np.ndarray:
    """Distinct packed pairs of one band: documents `index` whose band `keys` are equal."""
    order = np.argsort(keys, kind="stable")
    return sorted_unique(bucket_pairs(order, keys, index, window))


@kernel("u8[:](u8[:]r, u8[:]r)")
def merge_pairs(a, b):
    """The union of two sorted distinct arrays, sorted and distinct (one linear merge:
    bands are merged as they come instead of all held and sorted at the end)."""
    out = np.empty(a.shape[0] + b.shape[0], dtype=np.uint64)
    i = j = k = 0
    while i < a.shape[0] and j < b.shape[0]:
        if a[i] < b[j]:
            out[k] = a[i]
            i += 1
        elif b[j] < a[i]:
            out[k] = b[j]
            j += 1
        else:
            out[k] = a[i]
            i += 1
            j += 1
        k += 1
    while i < a.shape[0]:
        out[k] = a[i]
        i += 1
        k += 1
    while j < b.shape[0]:
        out[k] = b[j]
        j += 1
        k += 1
    return out[:k].copy()


def candidate_pairs(signatures: np.ndarray, num_bands: int, rows: int, *,
                    active: np.ndarray | None = None,
                    window: int = DEFAULT_WINDOW) -> np.ndarray:
    """Distinct candidate pairs, packed as uint64 (i << 32 | j, i < j), over active rows.

    Rows not in `active` (exact copies already resolved, empty documents) take no part.
    """
    if num_bands * rows > signatures.shape[1]:
        raise ConfigError(f"num_bands * rows_per_band = {num_bands * rows} exceeds "
                          f"num_perm = {signatures.shape[1]}")
    index = np.flatnonzero(active) if active is not None else np.arange(signatures.shape[0])
    signatures = np.ascontiguousarray(signatures, dtype=np.uint32)
    index = index.astype(np.int64)
    merged = np.empty(0, dtype=np.uint64)
    for band in range(num_bands):  # merged as it goes: all bands' pairs at once took ~100 MB
        keys = kernels.band_keys_of(signatures, index, band, rows)
        merged = merge_pairs(merged, band_pairs(keys, index, window))
    return merged


def unpack_pairs(pairs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split packed pairs into (left, right) int64 index arrays."""
    return ((pairs >> np.uint64(32)).astype(np.int64),
            (pairs & np.uint64(0xFFFFFFFF)).astype(np.int64))
