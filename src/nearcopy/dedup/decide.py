"""From per-document sketches to decisions: exact groups, verified near pairs, clusters.

Pure array code shared by the batch job, the in-memory API and the index, so a
document gets the same verdict on every path.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from nearcopy.dedup import cluster, containment, exact, lsh, verify

METHOD_EXACT = "exact"
METHOD_NEAR = "near"
METHOD_CONTAINED = "contained"


@dataclass
class Sketches:
    """Per-document arrays of a whole corpus (index = position among sketched documents)."""

    exact_hashes: np.ndarray
    lengths: np.ndarray
    signatures: np.ndarray
    set_values: np.ndarray | None
    set_counts: np.ndarray

    @property
    def set_offsets(self) -> np.ndarray:
        offsets = np.zeros(self.set_counts.shape[0] + 1, dtype=np.int64)
        np.cumsum(self.set_counts, out=offsets[1:])
        return offsets

    def __len__(self) -> int:
        return int(self.lengths.shape[0])


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

    def is_kept(self) -> np.ndarray:
        return self.representative == np.arange(self.representative.shape[0])


def find_copies(sk: Sketches, *, threshold: float, num_bands: int, rows: int,
                verify_mode: str = "exact", keep: str = "longest",
                window: int = lsh.DEFAULT_WINDOW, containment_threshold: float = 0.0,
                containment_sample: int = 8) -> Decisions:
    """Exact groups, then LSH candidates among distinct texts verified at `threshold`,
    then (if `containment_threshold` > 0) partial copies verified by containment."""
    n = len(sk)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    first = exact.first_of_group(sk.exact_hashes)
    distinct = first == np.arange(n)
    timings["exact"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    active = distinct & (sk.set_counts > 0) if sk.set_values is not None else distinct & \
        (sk.signatures[:, 0] != np.uint32(0xFFFFFFFF)) if n else distinct
    pairs = lsh.candidate_pairs(sk.signatures, num_bands, rows, active=active, window=window)
    timings["lsh"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    left, right = lsh.unpack_pairs(pairs)
    sims = _similarity(sk, left, right, verify_mode)
    ok = sims >= threshold
    timings["verify"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    empty = np.empty(0, dtype=np.int64)
    c_small, c_big, c_score = empty, empty, np.empty(0)
    if containment_threshold > 0 and sk.set_values is not None and n:
        c_small, c_big, c_score = containment.contained_pairs(
            sk.set_values, sk.set_offsets, active, threshold=containment_threshold,
            sample_mod=containment_sample)
    timings["containment"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    exact_left = np.flatnonzero(~distinct)
    edge_l = np.concatenate([exact_left, left[ok], c_small])
    edge_r = np.concatenate([first[exact_left], right[ok], c_big])
    labels = cluster.components(n, edge_l, edge_r)
    reps = cluster.representatives(labels, sk.lengths, keep)
    method, similarity = _methods(sk, reps, verify_mode, threshold, containment_threshold)
    timings["cluster"] = time.perf_counter() - t0
    stats = {"candidate_pairs": int(pairs.size), "verified_pairs": int(ok.sum()),
             "rejected_pairs": int((~ok).sum()), "exact_copies": int((~distinct).sum()),
             "contained_pairs": int(c_small.size), "seconds": timings}
    return Decisions(labels, reps, method, similarity, left, right, sims, stats)


def _similarity(sk: Sketches, left: np.ndarray, right: np.ndarray, mode: str) -> np.ndarray:
    if left.size == 0:
        return np.empty(0, dtype=np.float64)
    if mode == "exact" and sk.set_values is not None:
        return verify.jaccard(sk.set_values, sk.set_offsets, left, right)
    return verify.signature_agreement(sk.signatures, left, right)


def _methods(sk: Sketches, reps: np.ndarray, mode: str, threshold: float,
             containment_threshold: float):
    """Method and similarity of each removed document relative to its representative.

    exact: same normalised text; near: Jaccard >= threshold; otherwise contained if the
    document stands in its representative (similarity = containment). A document
    joined only through other members is called by whichever figure is nearer its
    threshold.
    """
    n = reps.shape[0]
    removed = np.flatnonzero(reps != np.arange(n))
    method = np.full(n, "", dtype=object)
    similarity = np.ones(n, dtype=np.float64)
    same_text = sk.exact_hashes[removed] == sk.exact_hashes[reps[removed]]
    method[removed[same_text]] = METHOD_EXACT
    other = removed[~same_text]
    jac = _similarity(sk, other, reps[other], mode)
    method[other] = METHOD_NEAR
    similarity[other] = jac
    if containment_threshold > 0 and sk.set_values is not None and other.size:
        cont, _ = verify.containment(sk.set_values, sk.set_offsets, other, reps[other])
        use_c = (jac < threshold) & ((cont >= containment_threshold)
                                     | (cont / containment_threshold > jac / threshold))
        method[other[use_c]] = METHOD_CONTAINED
        similarity[other[use_c]] = cont[use_c]
    return method, similarity
