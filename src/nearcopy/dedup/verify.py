"""Exact verification of candidate pairs: Jaccard and containment of shingle sets.

Every LSH candidate is checked before it may join a cluster, so band collisions
between unrelated documents never merge them. Sets are the sorted distinct
32-bit shingle values of each document, stored back to back (CSR layout).
"""

from __future__ import annotations

import numpy as np

from nearcopy.native import kernel


@kernel()
def _intersection_size(values, a0, a1, b0, b1):
    i, j, common = a0, b0, 0
    while i < a1 and j < b1:
        x, y = values[i], values[j]
        if x == y:
            common += 1
            i += 1
            j += 1
        elif x < y:
            i += 1
        else:
            j += 1
    return common


@kernel("(i8[:], i8[:], i8[:])(u4[:]r, i8[:]r, i8[:]r, i8[:]r)")
def overlap_counts(values, offsets, left, right):
    """|A ∩ B| for every pair, with |A| and |B|, from CSR shingle sets."""
    n = left.shape[0]
    inter = np.empty(n, dtype=np.int64)
    size_a = np.empty(n, dtype=np.int64)
    size_b = np.empty(n, dtype=np.int64)
    for k in range(n):
        a, b = left[k], right[k]
        a0, a1, b0, b1 = offsets[a], offsets[a + 1], offsets[b], offsets[b + 1]
        inter[k] = _intersection_size(values, a0, a1, b0, b1)
        size_a[k] = a1 - a0
        size_b[k] = b1 - b0
    return inter, size_a, size_b


def jaccard(values: np.ndarray, offsets: np.ndarray, left: np.ndarray,
            right: np.ndarray) -> np.ndarray:
    """Exact Jaccard |A∩B| / |A∪B| of each pair (0 where both sets are empty)."""
    inter, size_a, size_b = overlap_counts(values, offsets, left, right)
    union = size_a + size_b - inter
    return np.where(union > 0, inter / np.maximum(union, 1), 0.0)


def containment(values: np.ndarray, offsets: np.ndarray, left: np.ndarray,
                right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(C(A in B), C(B in A)) = |A∩B|/|A| and |A∩B|/|B| for each pair."""
    inter, size_a, size_b = overlap_counts(values, offsets, left, right)
    return (np.where(size_a > 0, inter / np.maximum(size_a, 1), 0.0),
            np.where(size_b > 0, inter / np.maximum(size_b, 1), 0.0))


def signature_agreement(signatures: np.ndarray, left: np.ndarray, right: np.ndarray,
                        chunk: int = 65536) -> np.ndarray:
    """Estimated Jaccard of each pair: the fraction of equal signature slots."""
    out = np.empty(left.shape[0], dtype=np.float64)
    for start in range(0, left.shape[0], chunk):
        sl = slice(start, start + chunk)
        out[sl] = (signatures[left[sl]] == signatures[right[sl]]).mean(axis=1)
    return out
