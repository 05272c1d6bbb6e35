"""MinHash by one-permutation hashing with optimal densification, in numpy.

Classic MinHash applies num_perm hash functions to every shingle (O(tokens x k));
one-permutation hashing (Li et al. 2012) splits one hash into a bin (high bits)
and a value (low bits) and keeps the minimum per bin: O(tokens + k). Empty bins
are filled by optimal densification (Shrivastava, ICML 2017), which keeps the
estimator unbiased with variance close to k-permutation MinHash.
"""

from __future__ import annotations

import numpy as np

from nearcopy.dedup.hashing import EMPTY_SLOT, LOW_32, SHIFT_32, fmix64_np


def one_permutation_sketch(shingles: np.ndarray, num_perm: int, state: np.uint64) -> np.ndarray:
    """uint32[num_perm] signature of a document's shingle hashes (all EMPTY if none)."""
    sig = np.full(num_perm, EMPTY_SLOT, dtype=np.uint32)
    if shingles.size == 0:
        return sig
    bins = (((shingles >> SHIFT_32) * np.uint64(num_perm)) >> SHIFT_32).astype(np.int64)
    np.minimum.at(sig, bins, (shingles & LOW_32).astype(np.uint32))
    filled = np.zeros(num_perm, dtype=bool)
    filled[bins] = True
    return densify(sig, filled, state)


def densify(sig: np.ndarray, filled: np.ndarray, state: np.uint64) -> np.ndarray:
    """Fill each empty bin from the first full bin on its fixed probe sequence."""
    num_perm = sig.size
    original = sig.copy()
    todo = np.flatnonzero(~filled).astype(np.uint64)
    attempt = np.uint64(1)
    while todo.size:
        probe = (fmix64_np(np.uint64(state) ^ ((todo << SHIFT_32) | attempt))
                 % np.uint64(num_perm)).astype(np.int64)
        hit = filled[probe]
        sig[todo[hit].astype(np.int64)] = original[probe[hit]]
        todo = todo[~hit]
        attempt = np.uint64(attempt + np.uint64(1))
    return sig


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """Fraction of agreeing slots: an unbiased estimate of the Jaccard similarity."""
    if sig_a.size == 0:
        return 0.0
    return float(np.count_nonzero(sig_a == sig_b)) / sig_a.size
