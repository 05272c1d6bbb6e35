"""From per-document sketches to decisions: exact groups, verified near pairs, clusters.

Pure array code shared by the batch job, the in-memory API and the index, so a
document gets the same verdict on every path.

Full shingle sets are loaded only for the documents that take part in a
candidate pair (`SetSource.load`): most documents of a corpus are no one's
candidate, so the job neither sorts nor keeps their sets.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from nearcopy.dedup import blocks, cluster, containment, exact, lsh, verify
from nearcopy.dedup.arrays import sorted_difference, sorted_union, sorted_unique

METHOD_EXACT = "exact"
METHOD_NEAR = "near"
METHOD_CONTAINED = "contained"
EMPTY_SIGNATURE = np.uint32(0xFFFFFFFF)


class SetSource(Protocol):
    """Gives the full sorted shingle sets of chosen documents."""

    def load(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(values, offsets): CSR sets of `indices`, in that order."""

    def inline(self) -> SetSource:
        """A source that makes the sets in the calling process (no pool of its own): what
        forked verification processes load with (`find_copies(block_map=...)`)."""


class InMemorySets:
    """A SetSource over sets that are already in memory (CSR by document)."""

    def __init__(self, values: np.ndarray, counts: np.ndarray):
        self.values = values
        self.offsets = np.zeros(counts.shape[0] + 1, dtype=np.int64)
        np.cumsum(counts, out=self.offsets[1:])

    def inline(self) -> InMemorySets:
        return self

    def load(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        starts, ends = self.offsets[indices], self.offsets[indices + 1]
        offsets = np.zeros(indices.shape[0] + 1, dtype=np.int64)
        np.cumsum(ends - starts, out=offsets[1:])
        parts = [self.values[a:b] for a, b in zip(starts, ends)]
        values = np.concatenate(parts) if parts else np.empty(0, dtype=np.uint32)
        return values, offsets


@dataclass
class Sketches:
    """Per-document arrays of a whole corpus (index = position among sketched documents)."""

    exact_hashes: np.ndarray
    lengths: np.ndarray
    signatures: np.ndarray
    sample_values: np.ndarray | None = None   # containment samples (None: containment off)
    sample_counts: np.ndarray | None = None
    set_values: np.ndarray | None = None      # full sets, where a caller holds them all
    set_counts: np.ndarray | None = None
    nonempty: np.ndarray | None = None        # signature not empty (else read from column 0)

    @property
    def set_offsets(self) -> np.ndarray:
        offsets = np.zeros(self.set_counts.shape[0] + 1, dtype=np.int64)
        np.cumsum(self.set_counts, out=offsets[1:])
        return offsets

    def __len__(self) -> int:
        return int(self.lengths.shape[0])


class LoadedSets:
    """Full sets of a subset of documents, addressed by global document index.

    Global indices map to loaded positions by binary search over the sorted loaded
    indices (a per-document map cost 8 MB per million documents for every block).
    """

    def __init__(self, source: SetSource, indices: np.ndarray, num_docs: int):
        self.source = source
        self.num_docs = num_docs
        self.indices = sorted_unique(np.asarray(indices).ravel())
        self.values, self.offsets = source.load(self.indices)

    def local(self, docs: np.ndarray) -> np.ndarray:
        """Positions of documents `docs` among the loaded ones (they must be loaded)."""
        return np.searchsorted(self.indices, docs)

    def _ensure(self, *arrays: np.ndarray) -> None:
        """Load the sets of any of these documents that are not loaded yet."""
        missing = sorted_difference(np.concatenate(arrays), self.indices)
        if missing.size:
            self.__init__(self.source, np.concatenate([self.indices, missing]), self.num_docs)

    def jaccard(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        self._ensure(left, right)
        return verify.jaccard(self.values, self.offsets, self.local(left), self.local(right))

    def containment(self, left: np.ndarray, right: np.ndarray) -> np.ndarray:
        self._ensure(left, right)
        return verify.containment(self.values, self.offsets, self.local(left),
                                  self.local(right))[0]


@dataclass
class Decisions:
    """Cluster label, representative, method and similarity for every document."""

    labels: np.ndarray          # component label (smallest member index)
    representative: np.ndarray  # index of the kept document of its cluster
    method: np.ndarray          # '' for kept documents, else exact/near/contained
    similarity: np.ndarray      # similarity to the representative (1.0 for kept)
    pair_left: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    pair_right: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    pair_similarities: np.ndarray = field(default_factory=lambda: np.empty(0))
    stats: dict = field(default_factory=dict)

    def is_kept(self) -> np.ndarray:
        return self.representative == np.arange(self.representative.shape[0])

    def borderline_pairs(self, threshold: float, per_side: int = 50, width: float = 0.1):
        """Indices (left, right, similarity) of candidate pairs nearest the threshold,
        up to `per_side` just below it and `per_side` at or above it."""
        sims = self.pair_similarities
        chosen = []
        for side in (sims < threshold, sims >= threshold):
            idx = np.flatnonzero(side & (np.abs(sims - threshold) <= width))
            idx = idx[np.argsort(np.abs(sims[idx] - threshold), kind="stable")][:per_side]
            chosen.append(idx)
        idx = np.concatenate(chosen)
        return self.pair_left[idx], self.pair_right[idx], sims[idx]


def find_copies(sk: Sketches, sets: SetSource | None, *, threshold: float, num_bands: int,
                rows: int, keep: str = "longest", window: int = lsh.DEFAULT_WINDOW,
                containment_threshold: float = 0.0, min_shared: int = 2,
                block_bytes: int = blocks.DEFAULT_BLOCK_BYTES,
                candidates: "CandidateFinder | None" = None, block_map=None) -> Decisions:
    """Exact groups; LSH candidates among distinct texts verified at `threshold`; and, if
    `containment_threshold` > 0, partial copies verified by containment.

    `sets` None means verification by signature agreement (no containment).
    `candidates` finds the candidate pairs another way (the batch job's spilled
    sketches, pipeline/spilled.py); by default they come from the arrays in `sk`.
    `block_map` verifies the blocks of candidates in forked processes (see
    `_verify_in_blocks`); by default they are verified here, one after another.
    """
    n = len(sk)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    first = exact.first_of_group(sk.exact_hashes)
    distinct = first == np.arange(n)
    nonempty = sk.nonempty if sk.nonempty is not None or not n else \
        sk.signatures[:, 0] != EMPTY_SIGNATURE
    active = distinct & nonempty if n else distinct
    timings["exact"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    use_containment = containment_threshold > 0 and sets is not None and \
        sk.sample_values is not None and n > 0
    left, right, c_left, c_right = (candidates or _candidates)(
        sk, active, num_bands, rows, window, use_containment, min_shared)
    timings["candidates"] = time.perf_counter() - t0

    if sets is None:
        t0 = time.perf_counter()
        found = _Verified(verify.signature_agreement(sk.signatures, left, right))
        timings["verify"] = time.perf_counter() - t0
    else:
        found = _verify_in_blocks(sk, sets, first, distinct, left, right, c_left, c_right,
                                  threshold=threshold, keep=keep, timings=timings,
                                  containment_threshold=containment_threshold,
                                  block_bytes=block_bytes, block_map=block_map)
    ok = found.sims >= threshold

    t0 = time.perf_counter()
    exact_left = np.flatnonzero(~distinct)
    labels = cluster.components(n, np.concatenate([exact_left, left[ok], found.small]),
                                np.concatenate([first[exact_left], right[ok], found.big]))
    reps = cluster.representatives(labels, sk.lengths, keep)
    method, similarity = _label(sk, first, reps, found, threshold, containment_threshold)
    timings["cluster"] = timings.get("cluster", 0.0) + time.perf_counter() - t0
    stats = {"candidate_pairs": int(left.size), "verified_pairs": int(ok.sum()),
             "rejected_pairs": int((~ok).sum()), "exact_copies": int((~distinct).sum()),
             "containment_candidates": int(c_left.size),
             "contained_pairs": int(found.small.size), "sets_loaded": int(found.sets_loaded),
             "seconds": timings}
    return Decisions(labels, reps, method, similarity, left, right, found.sims, stats)


class CandidateFinder(Protocol):
    """(left, right) LSH candidate pairs and (c_left, c_right) containment candidates."""

    def __call__(self, sk: Sketches, active: np.ndarray, num_bands: int, rows: int,
                 window: int, use_containment: bool, min_shared: int): ...


def _candidates(sk: Sketches, active, num_bands: int, rows: int, window: int,
                use_containment: bool, min_shared: int):
    """(left, right) LSH candidate pairs and (c_left, c_right) containment candidates."""
    left, right = lsh.unpack_pairs(lsh.candidate_pairs(sk.signatures, num_bands, rows,
                                                       active=active, window=window))
    c_left = c_right = np.empty(0, dtype=np.int64)
    if use_containment:
        c_left, c_right = lsh.unpack_pairs(containment.containment_candidates(
            sk.sample_values, sk.sample_counts, active, min_shared=min_shared))
    return left, right, c_left, c_right


@dataclass
class _Verified:
    """What verification found: the similarity of every candidate pair, the contained
    pairs (small in big), and, from exact verification, each removed document's method
    and similarity and the block representative of each document in a block (-1 else)."""

    sims: np.ndarray
    small: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    big: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    method: np.ndarray | None = None
    similarity: np.ndarray | None = None
    block_reps: np.ndarray | None = None
    sets_loaded: int = 0


def _label(sk: Sketches, first, reps, found: _Verified, threshold: float,
           containment_threshold: float):
    """Method and similarity of every document: from the blocks where verification made
    them (checking the blocks clustered as the whole corpus does), else from signatures."""
    if found.method is None:
        return methods_for(sk, first, reps, None, threshold, containment_threshold)
    covered = found.block_reps >= 0
    if not np.array_equal(found.block_reps[covered], reps[covered]):
        raise RuntimeError("clusters of a verification block differ from the global ones")
    todo = np.flatnonzero(~covered & (reps != np.arange(reps.shape[0])))  # exact copies only
    label_removed(sk, first, todo, reps[todo], None, threshold, containment_threshold,
                  found.method, found.similarity)
    return found.method, found.similarity


def _verify_in_blocks(sk: Sketches, sets: SetSource, first, distinct, left, right, c_left,
                      c_right, *, threshold: float, containment_threshold: float, keep: str,
                      timings: dict, block_bytes: int, block_map=None) -> _Verified:
    """Verify the candidates block by block (see blocks.py), labelling each block's removed
    documents while its sets are loaded.

    Blocks are independent (whole candidate components), so `block_map` (a map over
    processes forked now, which inherit every array here) may verify them in parallel;
    each then loads its sets itself (`sets.inline()`). Verifying one block at a time in
    this process left the workers idle while it verified, and this process idle while
    they made sets: the dedup stage scaled 1.4x on 2 workers (issue #4).
    """
    global _BLOCKS
    n = len(sk)
    sims = np.zeros(left.size, dtype=np.float64)
    method = np.full(n, "", dtype=object)
    similarity = np.ones(n, dtype=np.float64)
    block_reps = np.full(n, -1, dtype=np.int64)
    smalls, bigs, loaded_count = [], [], 0
    for name in ("load_sets", "verify", "cluster"):
        timings[name] = 0.0
    todo = list(blocks.candidate_blocks(n, sk.lengths, left, right, c_left, c_right,
                                        block_bytes))
    source = sets.inline() if block_map is not None else sets
    _BLOCKS = _BlockContext(sk, source, first, np.flatnonzero(~distinct), left, right, c_left,
                            c_right, threshold, containment_threshold, keep, method, similarity)
    try:
        done = (block_map or map)(_verify_block, todo)
        for block, found in zip(todo, done):
            sims[block.pairs] = found.sims
            smalls.append(found.small)
            bigs.append(found.big)
            block_reps[found.nodes] = found.reps
            method[found.removed] = found.method
            similarity[found.removed] = found.similarity
            loaded_count += found.loaded
            for name, seconds in found.timings.items():
                timings[name] += seconds
    finally:
        _BLOCKS = None
    empty = np.empty(0, dtype=np.int64)
    return _Verified(sims, np.concatenate([empty, *smalls]), np.concatenate([empty, *bigs]),
                     method, similarity, block_reps, loaded_count)


@dataclass
class _BlockContext:
    """What verifying a block reads (set before forking: the processes inherit it)."""

    sk: Sketches
    sets: SetSource
    first: np.ndarray
    dups: np.ndarray
    left: np.ndarray
    right: np.ndarray
    c_left: np.ndarray
    c_right: np.ndarray
    threshold: float
    containment_threshold: float
    keep: str
    method: np.ndarray       # written for the block's removed documents (a forked
    similarity: np.ndarray   # process writes its own copy; the result carries them)


_BLOCKS: _BlockContext | None = None


@dataclass
class _BlockFound:
    """One block verified: its pairs' similarities, contained pairs, cluster
    representatives of its nodes, and its removed documents' method and similarity."""

    sims: np.ndarray
    small: np.ndarray
    big: np.ndarray
    nodes: np.ndarray
    reps: np.ndarray
    removed: np.ndarray
    method: np.ndarray
    similarity: np.ndarray
    loaded: int
    timings: dict


def _verify_block(block: blocks.Block) -> _BlockFound:
    """Load one block's sets, verify its pairs, cluster it and label its removed documents."""
    ctx = _BLOCKS
    sk, first = ctx.sk, ctx.first
    t0 = time.perf_counter()
    loaded = LoadedSets(ctx.sets, block.docs, len(sk))
    t1 = time.perf_counter()
    b_left, b_right = ctx.left[block.pairs], ctx.right[block.pairs]
    sims = loaded.jaccard(b_left, b_right)
    ok = sims >= ctx.threshold
    small = big = np.empty(0, dtype=np.int64)
    if block.c_pairs.size:
        at_small, at_big, _ = containment.verify_contained(
            loaded.values, loaded.offsets, loaded.local(ctx.c_left[block.c_pairs]),
            loaded.local(ctx.c_right[block.c_pairs]), threshold=ctx.containment_threshold)
        small, big = loaded.indices[at_small], loaded.indices[at_big]
    t2 = time.perf_counter()
    # this block's clusters: its documents, their exact copies, its verified links
    in_block = np.zeros(len(sk), dtype=bool)
    in_block[block.docs] = True
    copies = ctx.dups[in_block[first[ctx.dups]]]
    nodes = sorted_union(block.docs, copies)
    at = nodes.searchsorted
    labels = cluster.components(nodes.size,
                                np.concatenate([at(copies), at(b_left[ok]), at(small)]),
                                np.concatenate([at(first[copies]), at(b_right[ok]), at(big)]))
    reps = nodes[cluster.representatives(labels, sk.lengths[nodes], ctx.keep)]
    removed = nodes[reps != nodes]
    label_removed(sk, first, removed, reps[at(removed)], loaded, ctx.threshold,
                  ctx.containment_threshold, ctx.method, ctx.similarity)
    timings = {"load_sets": t1 - t0, "verify": t2 - t1, "cluster": time.perf_counter() - t2}
    return _BlockFound(sims, small, big, nodes, reps, removed, ctx.method[removed],
                       ctx.similarity[removed], int(loaded.indices.size), timings)


def _methods(sk: Sketches, reps: np.ndarray, mode: str, threshold: float,
             containment_threshold: float):
    """`methods_for` over a Sketches that holds the full sets of all its documents."""
    n = reps.shape[0]
    loaded = None
    if mode == "exact" and sk.set_values is not None:
        loaded = LoadedSets(InMemorySets(sk.set_values, sk.set_counts), np.arange(n), n)
    return methods_for(sk, np.arange(n), reps, loaded, threshold, containment_threshold)


def methods_for(sk: Sketches, first: np.ndarray, reps: np.ndarray, loaded: LoadedSets | None,
                threshold: float, containment_threshold: float):
    """Method and similarity of each removed document relative to its representative
    (see `label_removed`); kept documents get '' and 1.0."""
    n = reps.shape[0]
    removed = np.flatnonzero(reps != np.arange(n))
    method = np.full(n, "", dtype=object)
    similarity = np.ones(n, dtype=np.float64)
    label_removed(sk, first, removed, reps[removed], loaded, threshold, containment_threshold,
                  method, similarity)
    return method, similarity


def label_removed(sk: Sketches, first: np.ndarray, removed: np.ndarray, their_reps: np.ndarray,
                  loaded: LoadedSets | None, threshold: float, containment_threshold: float,
                  method: np.ndarray, similarity: np.ndarray) -> None:
    """Write into `method`/`similarity` how each of `removed` copies its representative.

    exact: same normalised text; near: Jaccard >= threshold; otherwise contained if the
    document stands in its representative (similarity = containment). A document
    joined only through other members is called by whichever figure is nearer its
    threshold. Exact copies of a document share its set (`first`).
    """
    same_text = sk.exact_hashes[removed] == sk.exact_hashes[their_reps]
    method[removed[same_text]] = METHOD_EXACT
    other, other_reps = removed[~same_text], their_reps[~same_text]
    method[other] = METHOD_NEAR
    if other.size == 0:
        return
    a, b = first[other], first[other_reps]
    if loaded is None:
        similarity[other] = verify.signature_agreement(sk.signatures, a, b)
        return
    jac = loaded.jaccard(a, b)
    similarity[other] = jac
    if containment_threshold > 0:
        cont = loaded.containment(a, b)
        use_c = (jac < threshold) & ((cont >= containment_threshold)
                                     | (cont / containment_threshold > jac / threshold))
        method[other[use_c]] = METHOD_CONTAINED
        similarity[other[use_c]] = cont[use_c]
