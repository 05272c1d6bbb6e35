"""Exact repeated spans across documents, with a suffix array (Lee et al. 2021).

Why tokens, not bytes: each document becomes the sequence of its word tokens
(the same tokens, NFKC + case folding, as the `nearcopy dedup` shingles), each
token hash mapped to a dense id, documents joined with a unique separator id
each. `min_span` then counts words whatever the spacing or case, and spans
never cross a document. libdivsufsort (pydivsufsort) sorts bytes, so the ids
are written as fixed-width big-endian bytes (3 bytes below 2**24 ids) and only
the suffixes at token-aligned offsets are kept: their byte order is their token
order. LCPs come from pydivsufsort's Kasai.

A k-gram class (k = min_span) is a run of suffix-array rows with LCP >= k; it
counts if its occurrences lie in 2+ different documents (a repeat inside one
document only is the cleaner's business, not reported), and then lists every
occurrence, also repeats within a document. Consecutive classes whose
occurrence sets are the same set shifted by one token are chained into one
span of k + chain - 1 tokens: a span is a maximal run with a constant
occurrence set, so spans may overlap where the set changes.

Sharding (corpus larger than memory): documents go to disk in shards of at
most `shard_tokens` tokens. Each shard gets its own suffix array (repeats
inside the shard) and writes its distinct k-token window hashes; a hash-range
partitioned merge finds hashes in 2+ shards. Classes with such a hash are
dropped from the shard results and found instead, complete and confirmed
token by token, by one more suffix array over the regions of every shard
that such windows cover. The result equals the unsharded one.

Limits: one shard (~`BYTES_PER_TOKEN` bytes of RAM per token) and the
cross-shard regions must fit in memory, and so must the repeated occurrences
(16 bytes each); a highly duplicated corpus makes the region pass as large as
its duplicated part. Shards hold < 2**31 / 3 tokens (32-bit suffix arrays).
"""

from __future__ import annotations

import tempfile
import unicodedata
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
from numba import njit
from pydivsufsort import divsufsort, kasai

from nearcopy.dedup.charclass import SINGLE, WORD
from nearcopy.dedup.hashing import FNV_OFFSET, FNV_PRIME
from nearcopy.dedup.kernels import (
    ASCII_CLASS_NB,
    RANGES_NB,
    classify,
    decode_at,
    fmix64,
)
from nearcopy.dedup.shingles import encode, normalize_for_hash
from nearcopy.errors import ConfigError

DEFAULT_MIN_SPAN = 50
#: peak bytes of RAM per shard token (measured, bench/RESULTS_spans.md); sizes shards
BYTES_PER_TOKEN = 64
_BASE = np.uint64(0x100000001B3)
_ZERO = np.uint64(0)


@dataclass(frozen=True)
class SpanParams:
    """What decides the spans; `shard_tokens=0` means one shard (all in memory)."""

    min_span: int = DEFAULT_MIN_SPAN
    shard_tokens: int = 0

    def __post_init__(self):
        if self.min_span < 2:
            raise ConfigError(f"min_span = {self.min_span} is too small; use 2 or more tokens")
        if self.shard_tokens < 0:
            raise ConfigError(f"shard_tokens = {self.shard_tokens} is negative; use 0 (one "
                              "shard) or a positive number of tokens")

    @classmethod
    def from_megabytes(cls, min_span: int, shard_mb: int) -> SpanParams:
        """Shards sized so that one shard's suffix array fits in `shard_mb` MiB."""
        if shard_mb <= 0:
            raise ConfigError(f"shard size {shard_mb} MB must be positive")
        return cls(min_span=min_span, shard_tokens=max(1, shard_mb * 2**20 // BYTES_PER_TOKEN))


# ---------------------------------------------------------------- tokens


@njit(cache=True)
def _tokenize(buf, offsets, ascii_class, ranges, hashes, starts, ends, counts):
    """Token hashes (as shingles.token_hashes) and byte bounds of each document."""
    n = 0
    for d in range(offsets.shape[0] - 1):
        pos, stop, first, in_word, word_start = offsets[d], offsets[d + 1], n, False, 0
        h = FNV_OFFSET
        while pos <= stop:
            cls, length = -1, 1
            if pos < stop:
                b0 = buf[pos]
                if b0 < 0x80:
                    cls = ascii_class[b0]
                else:
                    cp, length = decode_at(buf, pos)
                    cls = classify(cp, ascii_class, ranges)
            if cls == WORD:
                if not in_word:
                    in_word, word_start, h = True, pos, FNV_OFFSET
            elif in_word:
                hashes[n], starts[n], ends[n] = fmix64(h), word_start - offsets[d], pos - offsets[d]
                n += 1
                in_word = False
            t = FNV_OFFSET
            for j in range(length if cls == WORD or cls == SINGLE else 0):
                c = buf[pos + j]
                if 65 <= c <= 90:
                    c += 32
                t = (t ^ np.uint64(c)) * FNV_PRIME
                h = (h ^ np.uint64(c)) * FNV_PRIME
            if cls == SINGLE:
                hashes[n], starts[n], ends[n] = fmix64(t), pos - offsets[d], pos + length - offsets[d]
                n += 1
            pos += length
        counts[d] = n - first
    return n


def tokenize_texts(encoded: list[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(hashes, byte starts, byte ends, per-document counts) of already-encoded texts."""
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    buf = np.frombuffer(b"".join(encoded) + b"\0\0\0\0", dtype=np.uint8)
    size = max(int(offsets[-1]), 1)
    hashes = np.empty(size, dtype=np.uint64)
    starts, ends = np.empty(size, dtype=np.int64), np.empty(size, dtype=np.int64)
    counts = np.zeros(len(encoded), dtype=np.int64)
    n = _tokenize(buf, offsets, ASCII_CLASS_NB, RANGES_NB, hashes, starts, ends, counts)
    return hashes[:n], starts[:n], ends[:n], counts


def _normalized_map(text: str) -> tuple[str, np.ndarray]:
    """Normalised text and, per normalised char, the original char index it came from.

    NFKC may compose across characters, so base characters are normalised with
    their combining marks; if that still differs from the whole-text result (rare),
    positions are scaled proportionally (approximate, never out of range).
    """
    whole = normalize_for_hash(text)
    pieces, origin, i = [], [], 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFKC", text[i:j]).casefold()
        pieces.append(piece)
        origin.extend([i] * len(piece))
        i = j
    if "".join(pieces) == whole:
        return whole, np.array(origin + [len(text)], dtype=np.int64)
    scale = len(text) / max(len(whole), 1)
    return whole, np.minimum((np.arange(len(whole) + 1) * scale).astype(np.int64), len(text))


def token_offsets(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(token hashes, char starts, char ends) of one text, offsets in the original text."""
    data = encode(text)
    hashes, starts, ends, _ = tokenize_texts([data])
    if text.isascii():
        return hashes, starts, ends
    buf = np.frombuffer(data, dtype=np.uint8)
    char_at_byte = np.concatenate([[0], np.cumsum((buf & 0xC0) != 0x80)])
    _, origin = _normalized_map(text)
    return hashes, origin[char_at_byte[starts]], origin[char_at_byte[ends]]


# ---------------------------------------------------------------- suffix arrays


@njit(cache=True)
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


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique by sort (radix for integers): several times faster here than np.unique."""
    ordered = np.sort(values, kind="stable")
    return ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])] if ordered.size \
        else ordered


def _member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """values in sorted_set, by binary search (np.isin sorts both sides)."""
    if sorted_set.size == 0:
        return np.zeros(values.shape, dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), sorted_set.size - 1)
    return sorted_set[at] == values


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


def _classes(hashes, lengths, unit_doc, unit_start, k):
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
    return _select(glob, bounds, keep) + (first_token[keep],)


def _select(values, bounds, keep):
    """The CSR rows of `values` where keep is True."""
    sizes = np.diff(bounds)[keep]
    member = np.repeat(keep, np.diff(bounds))
    return values[member], np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)


# ---------------------------------------------------------------- chaining


@njit(cache=True)
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


def _spans_from_classes(pos, bounds, doc_offsets, k) -> SpanIndex:
    """Chain classes whose occurrence sets are the previous class's shifted by one."""
    count, sizes = bounds.size - 1, np.diff(bounds)
    cls = np.repeat(np.arange(count, dtype=np.int64), sizes)
    order = np.argsort(pos, kind="stable")
    sorted_pos = pos[order]
    at = np.minimum(np.searchsorted(sorted_pos, sorted_pos - 1), max(pos.size - 1, 0))
    doc_start = _member(sorted_pos, doc_offsets)
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
    head_pos, head_bounds = _select(pos, bounds, steps > 0)
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


# ---------------------------------------------------------------- sharding


@njit(cache=True)
def _window_hashes(tokens, lengths, k):
    """Rolling hash of every k-token window inside a unit; `valid` marks real windows."""
    out = np.zeros(tokens.shape[0], dtype=np.uint64)
    valid = np.zeros(tokens.shape[0], dtype=np.bool_)
    top = np.uint64(1)
    for _ in range(k - 1):
        top *= _BASE
    start = 0
    for u in range(lengths.shape[0]):
        h = _ZERO
        for i in range(start, start + lengths[u]):
            if i - start >= k:
                h -= tokens[i - k] * top
            h = h * _BASE + tokens[i]
            if i - start >= k - 1:
                out[i - k + 1] = fmix64(h)
                valid[i - k + 1] = True
        start += lengths[u]
    return out, valid


def _cross_shard_keys(paths: list[Path], budget_bytes: int) -> np.ndarray:
    """Window hashes present in 2+ shards, merging hash ranges that fit the budget."""
    arrays = [np.load(p, mmap_mode="r") for p in paths]
    total = sum(a.size for a in arrays)
    buckets = max(1, -(-total * 16 // max(budget_bytes, 1)))
    edges = [(i << 64) // buckets for i in range(buckets + 1)]
    found = []
    for low, high in pairwise(edges):
        parts = []
        for arr in arrays:
            lo = np.searchsorted(arr, np.uint64(low)) if low < 2**64 else arr.size
            hi = np.searchsorted(arr, np.uint64(high)) if high < 2**64 else arr.size
            parts.append(np.asarray(arr[lo:hi]))
        merged = np.sort(np.concatenate(parts)) if parts else np.empty(0, dtype=np.uint64)
        found.append(_sorted_unique(merged[1:][merged[1:] == merged[:-1]]))
    return np.concatenate(found) if found else np.empty(0, dtype=np.uint64)


class SpanFinder:
    """Feed documents' token hashes in corpus order with `add`, then call `finish`.

    Example:
        >>> finder = SpanFinder(SpanParams(min_span=3))
        >>> for text in ["a b c d e", "x a b c d y"]:
        ...     finder.add(token_offsets(text)[0])
        >>> index = finder.finish()
        >>> index.occurrences(0)
        [(0, 0, 4), (1, 1, 5)]
    """

    def __init__(self, params: SpanParams, *, workdir: Path | None = None):
        self.params = params
        self._workdir_arg = workdir
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._buffer: list[np.ndarray] = []
        self._buffered = 0
        self._lengths: list[int] = []
        self._shards: list[tuple[Path, int, int]] = []  # (path, first doc, docs)
        self.stats = {"shards": 0, "region_tokens": 0, "cross_shard_keys": 0}

    def add(self, tokens: np.ndarray) -> None:
        """Append one document (its token hashes, uint64)."""
        self._buffer.append(np.asarray(tokens, dtype=np.uint64))
        self._lengths.append(int(tokens.size))
        self._buffered += int(tokens.size)
        limit = self.params.shard_tokens
        if limit and self._buffered >= limit:
            self._flush()

    def _dir(self) -> Path:
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="nearcopy-spans-",
                                                    dir=self._workdir_arg)
        return Path(self._tmp.name)

    def _flush(self) -> None:
        if not self._buffer:
            return
        first = len(self._lengths) - len(self._buffer)
        path = self._dir() / f"shard_{len(self._shards):05d}.npy"
        np.save(path, np.concatenate(self._buffer))
        self._shards.append((path, first, len(self._buffer)))
        self._buffer, self._buffered = [], 0

    def finish(self) -> SpanIndex:
        """Find the spans; temporary shard files are deleted."""
        k = self.params.min_span
        doc_offsets = np.concatenate([[0], np.cumsum(self._lengths, dtype=np.int64)])
        try:
            if not self._shards:
                self.stats["shards"] = 1
                lengths = np.array(self._lengths, dtype=np.int64)
                tokens = (np.concatenate(self._buffer) if self._buffer
                          else np.empty(0, dtype=np.uint64))
                self._buffer = []
                pos, bounds, _ = _classes(tokens, lengths, np.arange(lengths.size),
                                          doc_offsets[:-1], k)
            else:
                self._flush()
                pos, bounds = self._sharded(doc_offsets, k)
            return _spans_from_classes(pos, bounds, doc_offsets, k)
        finally:
            if self._tmp is not None:
                self._tmp.cleanup()
                self._tmp = None

    def _shard(self, index, doc_offsets):
        path, first, count = self._shards[index]
        lengths = np.array(self._lengths[first:first + count], dtype=np.int64)
        return np.load(path), lengths, np.arange(first, first + count), doc_offsets[first:]

    def _sharded(self, doc_offsets, k):
        """Per-shard classes, then one more suffix array over cross-shard regions."""
        self.stats["shards"] = len(self._shards)
        results, key_paths = [], []
        for i in range(len(self._shards)):
            tokens, lengths, docs, starts = self._shard(i, doc_offsets)
            keys, valid = _window_hashes(tokens, lengths, k)
            key_paths.append(self._dir() / f"keys_{i:05d}.npy")
            np.save(key_paths[-1], _sorted_unique(keys[valid]))
            del keys, valid  # the suffix array needs the memory; recomputed below
            pos, bounds, first_token = _classes(tokens, lengths, docs, starts[:lengths.size], k)
            results.append((pos, bounds, _window_hashes(tokens, lengths, k)[0][first_token]))
        budget = max(self.params.shard_tokens * BYTES_PER_TOKEN, 1 << 20)
        cross = _cross_shard_keys(key_paths, budget)
        self.stats["cross_shard_keys"] = int(cross.size)
        kept = [_select(pos, bounds, ~_member(keys, cross)) for pos, bounds, keys in results]
        region = self._regions(cross, doc_offsets, k)
        if region is not None:
            pos, bounds, first_token = _classes(*region[:4], k)
            keys, _ = _window_hashes(region[0], region[1], k)
            kept.append(_select(pos, bounds, _member(keys[first_token], cross)))
        sizes = [np.diff(b) for _, b in kept]
        all_sizes = np.concatenate(sizes) if sizes else np.empty(0, dtype=np.int64)
        bounds = np.concatenate([[0], np.cumsum(all_sizes)]).astype(np.int64)
        return np.concatenate([p for p, _ in kept]).astype(np.int64), bounds

    def _regions(self, cross, doc_offsets, k):
        """Token runs covered by a cross-shard window: (tokens, lengths, docs, starts)."""
        if cross.size == 0:
            return None
        parts, lengths, docs, starts = [], [], [], []
        for i in range(len(self._shards)):
            tokens, unit_len, unit_doc, unit_start = self._shard(i, doc_offsets)
            keys, valid = _window_hashes(tokens, unit_len, k)
            hit = np.flatnonzero(valid & _member(keys, cross))
            if hit.size == 0:
                continue
            cover = np.zeros(tokens.size + 1, dtype=np.int64)
            np.add.at(cover, hit, 1)
            np.add.at(cover, hit + k, -1)
            covered = np.cumsum(cover)[:-1] > 0
            unit_first = np.concatenate([[0], np.cumsum(unit_len)[:-1]])
            boundary = np.zeros(tokens.size + 1, dtype=bool)
            boundary[unit_first] = True  # a run never crosses a document
            before = np.concatenate([[False], covered[:-1]]) & ~boundary[:-1]
            after = np.concatenate([covered[1:], [False]]) & ~boundary[1:]
            run_start = np.flatnonzero(covered & ~before)
            run_end = np.flatnonzero(covered & ~after) + 1
            unit = np.searchsorted(unit_first, run_start, side="right") - 1
            parts.append(tokens[covered])
            lengths.append(run_end - run_start)
            docs.append(unit_doc[unit])
            starts.append(unit_start[unit] + run_start - unit_first[unit])
        tokens = np.concatenate(parts)
        self.stats["region_tokens"] = int(tokens.size)
        return tokens, np.concatenate(lengths), np.concatenate(docs), np.concatenate(starts)


def find_spans(texts: list[str], min_span: int = DEFAULT_MIN_SPAN) -> list[dict]:
    """Repeated spans of in-memory texts, with character offsets (for tests, `compare`).

    Example:
        >>> spans = find_spans(["one two three four", "zero one two three"], min_span=3)
        >>> spans[0]["tokens"], spans[0]["occurrences"]
        (3, [(0, 0, 13), (1, 5, 18)])
    """
    offsets = [token_offsets(t) for t in texts]
    finder = SpanFinder(SpanParams(min_span=min_span))
    for hashes, _, _ in offsets:
        finder.add(hashes)
    index = finder.finish()
    out = []
    for s in range(len(index)):
        occ = [(d, int(offsets[d][1][a]), int(offsets[d][2][b - 1]))
               for d, a, b in index.occurrences(s)]
        out.append({"tokens": int(index.lengths[s]), "occurrences": occ})
    return out
