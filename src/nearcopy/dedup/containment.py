"""Partial copies: document A stands (mostly) inside document B.

Jaccard misses a page that holds another page's article plus its own junk, or
only the first half of it: J can be 0.5 while 95% of the shorter text stands in
the longer. Containment C(A in B) = |A ∩ B| / |A| catches them.

Candidates come from an inverted index over a consistent sample of each
document's shingle values (value mod `sample_mod` == 0; Broder 1997, "On the
resemblance and containment of documents"): two documents sharing a passage
share, in expectation, 1/sample_mod of its shingles in the sample. Pairs sharing
at least `min_shared` sampled values are then verified exactly on the full sets.
"""

from __future__ import annotations

import numpy as np

from nearcopy.dedup import verify
from nearcopy.native import kernel

#: sampled values shared by more documents than this are template boilerplate and
#: are not indexed (they would make quadratic candidate lists and prove nothing)
MAX_POSTING = 64


def sample_sets(values: np.ndarray, counts: np.ndarray, sample_mod: int):
    """Reduce full CSR sets to their 1-in-sample_mod sample (values v % sample_mod == 0)."""
    doc = np.repeat(np.arange(counts.shape[0]), counts)
    keep = (values & np.uint32(sample_mod - 1)) == 0
    return np.asarray(values[keep]), np.bincount(doc[keep], minlength=counts.shape[0])


@kernel("u8[:](u4[:]r, i8[:]r, b1[:]r, i8)")
def posting_keys(values, counts, active, first_doc):
    """(value << 32 | document) for every sample of an active document, in one array;
    the documents of `counts` are numbered from `first_doc`."""
    total = 0
    for d in range(counts.shape[0]):
        if active[d]:
            total += counts[d]
    keys = np.empty(total, dtype=np.uint64)
    at = 0
    pos = 0
    for d in range(counts.shape[0]):
        if active[d]:
            for k in range(pos, pos + counts[d]):
                keys[at] = (np.uint64(values[k]) << np.uint64(32)) | np.uint64(d + first_doc)
                at += 1
        pos += counts[d]
    return keys


@kernel("i8[:](u8[:]r, u8[:], i8)")
def partition_keys(keys, out, bits):
    """Scatter posting keys into `out` grouped by the top `bits` bits of their value
    (a counting sort, stable); returns the 2**bits + 1 group bounds. Every key of a value
    lands in one group, so groups can be paired independently (`partition_pairs`)."""
    parts = 1 << bits
    shift = np.uint64(64 - bits) if bits > 0 else np.uint64(0)
    bounds = np.zeros(parts + 1, dtype=np.int64)
    if bits == 0:
        out[:] = keys
        bounds[1] = keys.shape[0]
        return bounds
    for k in range(keys.shape[0]):
        bounds[np.int64(keys[k] >> shift) + 1] += 1
    for p in range(parts):
        bounds[p + 1] += bounds[p]
    at = bounds[:-1].copy()
    for k in range(keys.shape[0]):
        p = np.int64(keys[k] >> shift)
        out[at[p]] = keys[k]
        at[p] += 1
    return bounds


@kernel("u8[:](u8[:]r, i8)")
def _posting_pairs(keys, max_posting):
    """Pairs of documents whose sorted (value, document) keys share a value."""
    n = keys.shape[0]
    cap = 1024
    out = np.empty(cap, dtype=np.uint64)
    count = 0
    start = 0
    low = np.uint64(0xFFFFFFFF)
    while start < n:
        value = keys[start] >> np.uint64(32)
        end = start + 1
        while end < n and keys[end] >> np.uint64(32) == value:
            end += 1
        if 2 <= end - start <= max_posting:
            for a in range(start, end):
                for b in range(a + 1, end):
                    i, j = keys[a] & low, keys[b] & low
                    if i == j:
                        continue
                    if count == cap:
                        cap *= 2
                        grown = np.empty(cap, dtype=np.uint64)
                        grown[:count] = out[:count]
                        out = grown
                    out[count] = (i << np.uint64(32)) | j  # keys sort by document: i < j
                    count += 1
        start = end
    return out[:count]


def containment_candidates(sample_values: np.ndarray, sample_counts: np.ndarray,
                           active: np.ndarray, *, min_shared: int = 2,
                           max_posting: int = MAX_POSTING) -> np.ndarray:
    """Packed pairs (i << 32 | j, i < j) of active documents sharing >= min_shared samples.

    One uint64 array of (value, document) keys sorted in place: 8 bytes a sample,
    no index arrays (this stage set the job's peak memory before). A spilled corpus
    does the same over value partitions (pipeline/spilled.py).
    """
    keys = posting_keys(np.asarray(sample_values), sample_counts.astype(np.int64),
                        active.astype(np.bool_), 0)
    return shared_pairs([partition_pairs(keys, max_posting)], min_shared)


def partition_pairs(keys: np.ndarray, max_posting: int = MAX_POSTING):
    """(distinct pairs, how many sampled values each shares) among posting `keys` (sorted
    here, in place), counting only values held by 2..max_posting documents."""
    keys.sort()
    pairs = _posting_pairs(keys, max_posting)
    return np.unique(pairs, return_counts=True)


def shared_pairs(parts, min_shared: int) -> np.ndarray:
    """Pairs whose shared-value counts, summed over the value partitions, reach min_shared.

    `parts` (an iterable of `partition_pairs` results) is merged as it comes, so only the
    running union and one partition are held at a time."""
    pairs, counts = np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    for more, more_counts in parts:
        if more.size:
            pairs, counts = _merge_counted(pairs, counts, more, more_counts.astype(np.int64))
    return pairs[counts >= min_shared]


@kernel("(u8[:], i8[:])(u8[:]r, i8[:]r, u8[:]r, i8[:]r)")
def _merge_counted(a, a_counts, b, b_counts):
    """Union of two sorted distinct pair arrays, with the counts of a pair in both summed."""
    size = a.shape[0] + b.shape[0]
    out = np.empty(size, dtype=np.uint64)
    out_counts = np.empty(size, dtype=np.int64)
    i = j = k = 0
    while i < a.shape[0] or j < b.shape[0]:
        if j == b.shape[0] or (i < a.shape[0] and a[i] < b[j]):
            out[k], out_counts[k] = a[i], a_counts[i]
            i += 1
        elif i == a.shape[0] or b[j] < a[i]:
            out[k], out_counts[k] = b[j], b_counts[j]
            j += 1
        else:
            out[k], out_counts[k] = a[i], a_counts[i] + b_counts[j]
            i += 1
            j += 1
        k += 1
    return out[:k].copy(), out_counts[:k].copy()


def verify_contained(values: np.ndarray, offsets: np.ndarray, left: np.ndarray,
                     right: np.ndarray, *, threshold: float, min_shingles: int = 20):
    """(contained, container, containment) among candidate pairs, by exact set overlap.

    `left`/`right` index the CSR sets (`values`, `offsets`). Each contained
    document keeps only its best container (highest containment, then the larger
    set, then the earlier document), so a page that aggregates several stories
    cannot chain them all together through itself.
    """
    empty = np.empty(0, dtype=np.int64)
    if left.size == 0:
        return empty, empty, np.empty(0)
    inter, size_l, size_r = verify.overlap_counts(values, offsets, left, right)
    left_small = (size_l < size_r) | ((size_l == size_r) & (left > right))
    small = np.where(left_small, left, right)
    big = np.where(left_small, right, left)
    small_size = np.minimum(size_l, size_r)
    big_size = np.maximum(size_l, size_r)
    score = inter / np.maximum(small_size, 1)
    ok = (score >= threshold) & (small_size >= min_shingles)
    small, big, score, big_size = small[ok], big[ok], score[ok], big_size[ok]
    order = np.lexsort((big, -big_size, -score, small))
    first = np.ones(order.size, dtype=bool)
    first[1:] = small[order][1:] != small[order][:-1]
    best = order[first]
    return small[best], big[best], score[best]


def contained_pairs(values: np.ndarray, offsets: np.ndarray, active: np.ndarray, *,
                    threshold: float, min_shingles: int = 20, sample_mod: int = 8,
                    min_shared: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidates and verification in one call, over full CSR sets held in memory."""
    samples, counts = sample_sets(values, np.diff(offsets), sample_mod)
    pairs = containment_candidates(samples, counts, active, min_shared=min_shared)
    left = (pairs >> np.uint64(32)).astype(np.int64)
    right = (pairs & np.uint64(0xFFFFFFFF)).astype(np.int64)
    return verify_contained(values, offsets, left, right, threshold=threshold,
                            min_shingles=min_shingles)
