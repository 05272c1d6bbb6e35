"""Sharded span finding: shards in memory one at a time, cross-shard repeats confirmed."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from nearcopy.dedup.kernels import fmix64
from nearcopy.dedup.arrays import member_of, sorted_unique
from nearcopy.dedup.spans.suffix import SpanIndex, kgram_classes, select_classes, spans_from_classes
from nearcopy.dedup.spans.tokens import token_offsets
from nearcopy.errors import ConfigError
from nearcopy.native import kernel

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


@kernel("(u8[:], b1[:])(u8[:]r, i8[:]r, i8)")
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
        found.append(sorted_unique(merged[1:][merged[1:] == merged[:-1]]))
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
                pos, bounds, _ = kgram_classes(tokens, lengths, np.arange(lengths.size),
                                          doc_offsets[:-1], k)
            else:
                self._flush()
                pos, bounds = self._sharded(doc_offsets, k)
            return spans_from_classes(pos, bounds, doc_offsets, k)
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
            np.save(key_paths[-1], sorted_unique(keys[valid]))
            del keys, valid  # the suffix array needs the memory; recomputed below
            pos, bounds, first_token = kgram_classes(tokens, lengths, docs,
                                                     starts[:lengths.size], k)
            results.append((pos, bounds, _window_hashes(tokens, lengths, k)[0][first_token]))
        budget = max(self.params.shard_tokens * BYTES_PER_TOKEN, 1 << 20)
        cross = _cross_shard_keys(key_paths, budget)
        self.stats["cross_shard_keys"] = int(cross.size)
        kept = [select_classes(pos, bounds, ~member_of(keys, cross))
                for pos, bounds, keys in results]
        region = self._regions(cross, doc_offsets, k)
        if region is not None:
            pos, bounds, first_token = kgram_classes(*region[:4], k)
            keys, _ = _window_hashes(region[0], region[1], k)
            kept.append(select_classes(pos, bounds, member_of(keys[first_token], cross)))
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
            hit = np.flatnonzero(valid & member_of(keys, cross))
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
