"""Suffix array over token ids, k-gram classes and their chaining into spans."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydivsufsort import divsufsort, kasai

from nearcopy.dedup.arrays import member_of
from nearcopy.errors import ConfigError
from nearcopy.native import kernel


@kernel("i4[:](i4[:]r, i8)")
def _aligned(sa, width):
    out = np.empty(sa.shape[0] // width, dtype=np.int32)
    n = 0
    for i in range(sa.shape[0]):
        if sa[i] % width == 0:
            out[n] = sa[i] // width
            n += 1
    return out[:n]


def suffix_array(ids: np.ndarray) -> np.ndarray:
    """Suffix array (int32) of a uint32 sequence via libdivsufsort on its big-endian bytes."""
    top = int(ids.max()) if ids.size else 0
    width = next(w for w in (1, 2, 3, 4) if top < 1 << (8 * w))
    if ids.size * width > np.iinfo(np.int32).max:
        raise ConfigError(f"a shard of {ids.size:,} tokens is too large for a 32-bit suffix "
                          "array; use a smaller shard size")
    raw = np.empty((ids.size, width), dtype=np.uint8)
    for j in range(width):
        raw[:, j] = (ids >> np.uint32(8 * (width - 1 - j))) & np.uint32(0xFF)
    return _aligned(divsufsort(raw.reshape(-1)), width)


def _dense_with_separators(hashes: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Dense token ids, one unique separator id after each unit."""
    order = np.argsort(hashes, kind="stable")  # radix sort: 4x faster than the default here
    ordered = hashes[order]
    new = np.concatenate([[True], ordered[1:] != ordered[:-1]]) if ordered.size else ordered > 0
    inverse = np.empty(hashes.size, dtype=np.uint32)
    inverse[order] = np.cumsum(new, dtype=np.int64) - 1
    del order, ordered
    distinct = int(new.sum())
    ids = np.empty(hashes.size + lengths.size, dtype=np.uint32)
    seps = np.cumsum(lengths + 1) - 1
    mask = np.ones(ids.size, dtype=bool)
    mask[seps] = False
    ids[mask] = inverse
    ids[seps] = distinct + np.arange(lengths.size, dtype=np.uint32)
    return ids


def kgram_classes(hashes, lengths, unit_doc, unit_start, k):
    """k-gram classes of a token sequence that occur in 2+ documents.

    Units are documents (or regions of them) with their document and global
    start position. Returns (global positions grouped by class, class bounds,
    unit-local position without separators of each class's first member).
    """
    empty = np.empty(0, dtype=np.int64)
    if hashes.size == 0:
        return empty, np.zeros(1, dtype=np.int64), empty
    ids = _dense_with_separators(hashes, lengths)
    sa = suffix_array(ids)
    lcp = kasai(ids, sa)
    del ids
    flag = lcp[:-1] >= k
    prev = np.concatenate([[False], flag[:-1]])
    nxt = np.concatenate([flag[1:], [False]])
    first_row, last_row = np.flatnonzero(flag & ~prev), np.flatnonzero(flag & ~nxt) + 1
    sizes = last_row - first_row + 1
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    rows = np.arange(bounds[-1], dtype=np.int64) - np.repeat(bounds[:-1] - first_row, sizes)
    local = sa[rows].astype(np.int64)
    del sa, lcp
    sep_start = np.concatenate([[0], np.cumsum(lengths + 1)[:-1]])
    unit = np.searchsorted(sep_start, local, side="right") - 1
    glob = unit_start[unit] + (local - sep_start[unit])
    doc = unit_doc[unit]
    if bounds[-1] == 0:
        return empty, np.zeros(1, dtype=np.int64), empty
    keep = np.minimum.reduceat(doc, bounds[:-1]) != np.maximum.reduceat(doc, bounds[:-1])
    first_token = (local - unit)[bounds[:-1]]
    return select_classes(glob, bounds, keep) + (first_token[keep],)


def select_classes(values, bounds, keep):
    """The CSR rows of `values` where keep is True."""
    sizes = np.diff(bounds)[keep]
    member = np.repeat(keep, np.diff(bounds))
    return values[member], np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)


# ---------------------------------------------------------------- chaining


@kernel("i8[:](i8[:]r, i8)")
def _chain_lengths(pred, count):
    """Length in classes of the chain starting at each head (0 for non-heads)."""
    succ = np.full(count, -1, dtype=np.int64)
    for g in range(count):
        if pred[g] >= 0:
            succ[pred[g]] = g
    steps = np.zeros(count, dtype=np.int64)
    for g in range(count):
        if pred[g] < 0:
            n, cur = 1, succ[g]
            while cur >= 0:
                n += 1
                cur = succ[cur]
            steps[g] = n
    return steps


@dataclass
class SpanIndex:
    """Repeated spans: span s has `lengths[s]` tokens at the global token positions
    `positions[bounds[s]:bounds[s+1]]` (sorted); document d owns global tokens
    `doc_offsets[d]:doc_offsets[d+1]`. Spans are ordered by first occurrence."""

    doc_offsets: np.ndarray
    lengths: np.ndarray
    bounds: np.ndarray
    positions: np.ndarray

    def __len__(self) -> int:
        return int(self.lengths.size)

    def occurrences(self, span: int) -> list[tuple[int, int, int]]:
        """(document index, token start, token end) of every occurrence of one span."""
        pos = self.positions[self.bounds[span]:self.bounds[span + 1]]
        doc = np.searchsorted(self.doc_offsets, pos, side="right") - 1
        start = pos - self.doc_offsets[doc]
        length = int(self.lengths[span])
        return [(int(d), int(s), int(s) + length) for d, s in zip(doc, start)]

    def removals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Merged (document, token start, token end) of every occurrence after the first."""
        first = np.zeros(self.positions.size, dtype=bool)
        first[self.bounds[:-1]] = True
        span_len = np.repeat(self.lengths, np.diff(self.bounds))
        starts, ends = self.positions[~first], (self.positions + span_len)[~first]
        if starts.size == 0:
            return starts, starts, starts
        order = np.argsort(starts, kind="stable")
        starts, ends = starts[order], ends[order]
        doc = np.searchsorted(self.doc_offsets, starts, side="right") - 1
        reach = np.maximum.accumulate(ends)
        new = np.flatnonzero(np.concatenate([[True], (starts[1:] > reach[:-1])
                                             | (doc[1:] != doc[:-1])]))
        doc, merged_start = doc[new], starts[new]
        merged_end = np.maximum.reduceat(ends, new)
        return doc, merged_start - self.doc_offsets[doc], merged_end - self.doc_offsets[doc]


def spans_from_classes(pos, bounds, doc_offsets, k) -> SpanIndex:
    """Chain classes whose occurrence sets are the previous class's shifted by one."""
    count, sizes = bounds.size - 1, np.diff(bounds)
    cls = np.repeat(np.arange(count, dtype=np.int64), sizes)
    order = np.argsort(pos, kind="stable")
    sorted_pos = pos[order]
    at = np.minimum(np.searchsorted(sorted_pos, sorted_pos - 1), max(pos.size - 1, 0))
    doc_start = member_of(sorted_pos, doc_offsets)
    found = (sorted_pos[at] == sorted_pos - 1) & ~doc_start if pos.size else doc_start
    prev = np.empty_like(cls)
    prev[order] = np.where(found, cls[order][at], -1)
    if count:
        low = np.minimum.reduceat(prev, bounds[:-1])
        high = np.maximum.reduceat(prev, bounds[:-1])
    else:
        low = high = np.empty(0, dtype=np.int64)
    ok = (low == high) & (low >= 0) & (low != np.arange(count))
    ok &= sizes[np.where(ok, low, 0)] == sizes
    steps = _chain_lengths(np.where(ok, low, -1), count)
    heads = np.flatnonzero(steps > 0)
    head_pos, head_bounds = select_classes(pos, bounds, steps > 0)
    # members of a class come in suffix order; sort each span's positions
    span_of = np.repeat(np.arange(heads.size), np.diff(head_bounds))
    order = np.lexsort((head_pos, span_of))
    head_pos = head_pos[order]
    by_first = np.argsort(head_pos[head_bounds[:-1]], kind="stable")
    lengths = (k + steps[heads] - 1)[by_first]
    pos_out, bounds_out = _reorder(head_pos, head_bounds, by_first)
    return SpanIndex(doc_offsets, lengths, bounds_out, pos_out)


def _reorder(values, bounds, order):
    sizes = np.diff(bounds)[order]
    new_bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    idx = np.arange(new_bounds[-1], dtype=np.int64) - np.repeat(
        new_bounds[:-1] - bounds[:-1][order], sizes)
    return values[idx], new_bounds
