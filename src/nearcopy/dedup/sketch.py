"""Sketch a batch of texts: exact-copy hash, length, MinHash signature and shingle set.

`sketch_texts` is the one entry point every caller uses (batch job, index,
service, benchmarks); it runs the compiled kernel, or the numpy reference when
numba is unavailable or `NEARCOPY_NO_NUMBA=1` is set.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import xxhash

from nearcopy.dedup import minhash, shingles
from nearcopy.dedup.hashing import seed_state


@dataclass(frozen=True)
class SketchParams:
    """What decides a signature; two sketches compare only if these are equal."""

    num_perm: int = 128
    ngram: int = 5
    shingle: str = "word"  # word | char
    seed: int = 42

    @property
    def char_mode(self) -> bool:
        return self.shingle == "char"


@dataclass
class SketchBatch:
    """Per-document arrays for one batch, in input order."""

    exact_hashes: np.ndarray   # uint64[n]: hash of the normalised text
    lengths: np.ndarray        # int64[n]: bytes of the normalised, whitespace-collapsed text
    signatures: np.ndarray     # uint32[n, num_perm]
    set_values: np.ndarray     # uint32[sum(set_counts)]: sorted distinct shingle values per doc
    set_counts: np.ndarray     # int64[n]
    sample_mod: int = 1        # the sets hold values v with v % sample_mod == 0 (1: all)

    def __len__(self) -> int:
        return int(self.lengths.shape[0])


def exact_hash(text: str) -> int:
    """64-bit hash of the text after NFKC, case folding and collapsing white space."""
    return xxhash.xxh3_64_intdigest(shingles.collapsed_bytes(shingles.encode(text)))


def use_compiled() -> bool:
    """The compiled kernels, unless `NEARCOPY_NO_NUMBA=1` asks for the numpy reference."""
    return os.environ.get("NEARCOPY_NO_NUMBA") != "1"


def sketch_texts(texts: list[str], params: SketchParams, *, keep_sets: bool = True,
                 sample_mod: int = 0, compiled: bool | None = None) -> SketchBatch:
    """Sketch texts with their full shingle sets (`keep_sets`), or only a 1-in-`sample_mod`
    sample of them (`keep_sets=False, sample_mod=8`: containment candidates), or none."""
    compiled = use_compiled() if compiled is None else compiled
    if sample_mod and sample_mod & (sample_mod - 1):
        raise ValueError(f"sample_mod {sample_mod} must be a power of two")
    mod = 1 if keep_sets else sample_mod
    encoded = [shingles.encode(t) for t in texts]
    state = seed_state(params.seed)
    if compiled:
        hashes, lengths, sigs, values, counts = _sketch_compiled(encoded, params, state, mod)
    else:
        hashes, lengths, sigs, values, counts = _sketch_numpy(encoded, params, state, mod)
    return SketchBatch(hashes, lengths, sigs, values, counts, max(mod, 1))


def shingle_sets(texts: list[str], params: SketchParams, *,
                 compiled: bool | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(values, counts): the full shingle sets `sketch_texts` gives, without the rest of
    the sketch (verification re-makes them for its candidates)."""
    compiled = use_compiled() if compiled is None else compiled
    if not compiled:
        batch = sketch_texts(texts, params, keep_sets=True, compiled=False)
        return batch.set_values, batch.set_counts
    from nearcopy.dedup import kernels

    encoded = [shingles.encode(t) for t in texts]
    n = len(encoded)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    buf = np.frombuffer(b"".join([*encoded, b"\0\0\0\0"]), dtype=np.uint8)
    counts = np.zeros(n, dtype=np.int64)
    values = kernels.shingle_sets_batch(buf, offsets, params.ngram, params.char_mode,
                                        seed_state(params.seed), kernels.ASCII_CLASS_NB,
                                        kernels.RANGES_NB, counts)
    return values, counts


def _sketch_compiled(encoded, params, state, mod):
    from nearcopy.dedup import kernels

    n = len(encoded)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    buf = np.frombuffer(b"".join([*encoded, b"\0\0\0\0"]), dtype=np.uint8)  # one copy
    sigs = np.empty((n, params.num_perm), dtype=np.uint32)
    counts = np.zeros(n, dtype=np.int64)
    collapsed = np.empty(buf.size, dtype=np.uint8)
    bounds = np.zeros(n + 1, dtype=np.int64)
    values = kernels.sketch_batch(buf, offsets, params.ngram, params.char_mode, state,
                                  params.num_perm, mod > 0, max(mod, 1) - 1,
                                  kernels.ASCII_CLASS_NB, kernels.RANGES_NB, sigs, counts,
                                  collapsed, bounds)
    view = memoryview(collapsed)
    digest = xxhash.xxh3_64_intdigest
    ends = bounds.tolist()  # Python ints: indexing numpy per document cost 0.1 s per 100k
    hashes = np.fromiter((digest(view[ends[i]:ends[i + 1]]) for i in range(n)),
                         dtype=np.uint64, count=n)
    return hashes, np.diff(bounds), sigs, values, counts


def _sketch_numpy(encoded, params, state, mod):
    n = len(encoded)
    sigs = np.empty((n, params.num_perm), dtype=np.uint32)
    counts = np.zeros(n, dtype=np.int64)
    sets = []
    for i, data in enumerate(encoded):
        tokens = shingles.token_hashes(data, char_mode=params.char_mode)
        hashes = shingles.shingle_hashes(tokens, params.ngram, state)
        sigs[i] = minhash.one_permutation_sketch(hashes, params.num_perm, state)
        if mod:
            sets.append(shingles.shingle_set(hashes, mod))
            counts[i] = sets[-1].size
    values = np.concatenate(sets) if sets else np.empty(0, dtype=np.uint32)
    collapsed = [shingles.collapsed_bytes(b) for b in encoded]
    hashes = np.array([xxhash.xxh3_64_intdigest(c) for c in collapsed], dtype=np.uint64).reshape(n)
    lengths = np.array([len(c) for c in collapsed], dtype=np.int64).reshape(n)
    return hashes, lengths, sigs, values.astype(np.uint32), counts
