"""Match one sketched document against stored ones: exact hash, LSH bands, containment.

The same steps, on the same functions, as `nearcopy.dedup.decide.find_copies`:
equal exact hashes are `exact` copies (similarity 1.0); documents sharing a band
key are candidates, kept as `near` copies when their verified similarity
(shingle Jaccard, or signature agreement with verify="signature") reaches the
threshold; documents sharing at least `min_shared` sampled shingle values
(`containment.sample_sets`, postings of more than `MAX_POSTING` documents
ignored) are containment candidates, verified on the full sets as
`containment.verify_contained` does: the smaller set must stand in the larger
one at the containment threshold. Documents with no shingles take part only in
exact matching, as in batch mode.

A verified pair is labelled as `decide.methods_for` labels a removed document:
`near` (similarity = Jaccard) when Jaccard reaches the threshold, else
`contained` (the asked document stands in the stored one; similarity =
C(asked in stored)) or `contains` (the stored document stands in the asked one;
similarity = C(stored in asked)). Batch mode puts `contains` pairs in one
cluster too, so the asked document is a copy with `keep="first"`; the API says
which way round the overlap goes (see docs/service.md).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass

import numpy as np

from nearcopy.dedup import containment, kernels, verify
from nearcopy.dedup.decide import METHOD_CONTAINED, METHOD_EXACT, METHOD_NEAR
from nearcopy.index.storage import ReadSession, StoredDocument

#: a stored document stands inside the asked one (the reverse of `contained`)
METHOD_CONTAINS = "contains"
#: order of the methods in a result list (then by similarity, then age)
_METHOD_RANK = {METHOD_EXACT: 0, METHOD_NEAR: 1, METHOD_CONTAINED: 1, METHOD_CONTAINS: 2}
#: fewest shingles of the contained side (`containment.verify_contained`'s default)
MIN_CONTAINED_SHINGLES = 20

#: at most this many stored documents are read per query and step; a text copied
#: more often than this is still reported, with the earliest copies first
MAX_CANDIDATES = 2000


@dataclass(frozen=True)
class Match:
    """A stored document that is a copy of the one asked about."""

    id: str
    similarity: float
    method: str  # exact | near | contained | contains

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Rules:
    """What decides a match (from the index's resolved DedupConfig)."""

    threshold: float
    num_bands: int
    rows_per_band: int
    verify: str = "exact"
    containment: float = 0.0    # 0: off (as in batch mode with verify="signature")
    containment_sample: int = 8
    min_shared: int = 2

    @property
    def uses_containment(self) -> bool:
        return self.verify == "exact" and self.containment > 0


def sampled_values(shingles: np.ndarray, rules: Rules) -> np.ndarray:
    """The containment samples of one full shingle set (empty when containment is off)."""
    if not rules.uses_containment or shingles.size == 0:
        return np.empty(0, dtype=np.uint32)
    values, _ = containment.sample_sets(np.asarray(shingles, dtype=np.uint32),
                                        np.array([shingles.size]), rules.containment_sample)
    return values


def band_key_matrix(signatures: np.ndarray, num_bands: int, rows: int) -> np.ndarray:
    """uint64[n, num_bands]: every document's key in every band.

    The same values as `lsh.band_keys` band by band (a test checks it), computed for
    all bands in one compiled loop: per-band numpy calls cost ~6 ms for one document
    at 34 bands, a numpy pass over all bands ~0.1 ms, the loop ~5 us.
    """
    return kernels.band_key_matrix(np.ascontiguousarray(signatures), num_bands, rows)


def find_matches(session: ReadSession, rules: Rules, *, exact_hash: int, signature: np.ndarray,
                 shingles: np.ndarray | None, band_keys: np.ndarray) -> list[Match]:
    """Every stored copy of one document, best first (exact, near or contained, contains;
    then by similarity, then the larger stored set for containers, then age)."""
    exact_keys = session.keys_by_exact_hash(exact_hash, MAX_CANDIDATES)
    near_keys: list[int] = []
    contain_keys: list[int] = []
    has_shingles = signature[0] != np.uint32(0xFFFFFFFF) if shingles is None else shingles.size
    if has_shingles:
        near_keys = session.keys_by_band(band_keys.tolist(), MAX_CANDIDATES)
        if shingles is not None and rules.uses_containment:
            contain_keys = containment_keys(session, rules, sampled_values(shingles, rules))
    wanted = set(exact_keys) | set(near_keys) | set(contain_keys)
    stored = sorted(session.fetch(sorted(wanted)), key=lambda d: d.key)
    exact = [d for d in stored if d.exact_hash == exact_hash]
    others = [d for d in stored if d.exact_hash != exact_hash]
    found = [((0, -1.0, 0, d.key), Match(d.id, 1.0, METHOD_EXACT)) for d in exact]
    if others and rules.verify == "exact" and shingles is not None:
        found += _verified(rules, shingles, others, set(near_keys), set(contain_keys))
    elif others:
        sims = similarities(rules.verify, signature, shingles, others)
        found += [((1, -float(s), 0, d.key), Match(d.id, round(float(s), 6), METHOD_NEAR))
                  for s, d in zip(sims, others) if s >= rules.threshold]
    found.sort(key=lambda item: item[0])
    return [m for _, m in found]


def containment_keys(session: ReadSession, rules: Rules, samples: np.ndarray) -> list[int]:
    """Stored documents sharing >= `min_shared` of these samples (`containment_candidates`).

    As in batch mode, a value held by more than `MAX_POSTING` documents (the asked
    one included) is boilerplate and proves nothing.
    """
    cap = containment.MAX_POSTING
    shared: Counter[int] = Counter()
    for keys in session.keys_by_sample(samples.tolist(), cap):
        if len(keys) < cap:  # len(keys) + 1 <= MAX_POSTING
            shared.update(keys)
    picked = sorted(k for k, n in shared.items() if n >= rules.min_shared)
    return picked[:MAX_CANDIDATES]


def _verified(rules: Rules, shingles: np.ndarray, others: list[StoredDocument],
              near_keys: set[int], contain_keys: set[int]) -> list[tuple[tuple, Match]]:
    """Exact-set verification of LSH and containment candidates (sort key, match)."""
    values, offsets = _csr([shingles.astype(np.uint32, copy=False)] + [d.shingles for d in others])
    left = np.zeros(len(others), dtype=np.int64)
    inter, size_q, size_d = verify.overlap_counts(values, offsets, left, left + 1 +
                                                  np.arange(len(others), dtype=np.int64))
    union = size_q + size_d - inter
    jac = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    # the smaller set is the contained side; on a tie the later document, i.e. the asked one
    asked_small = size_q <= size_d
    small_size = np.minimum(size_q, size_d)
    score = inter / np.maximum(small_size, 1)
    out = []
    for k, d in enumerate(others):
        near = d.key in near_keys and jac[k] >= rules.threshold
        held = d.key in contain_keys and score[k] >= rules.containment and \
            small_size[k] >= MIN_CONTAINED_SHINGLES
        if not (near or held):
            continue
        if jac[k] >= rules.threshold:
            method, sim, size = METHOD_NEAR, float(jac[k]), 0
        elif asked_small[k]:
            method, sim, size = METHOD_CONTAINED, float(score[k]), -int(size_d[k])
        else:
            method, sim, size = METHOD_CONTAINS, float(score[k]), 0
        out.append(((_METHOD_RANK[method], -sim, size, d.key), Match(d.id, round(sim, 6), method)))
    return out


def _csr(parts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([p.size for p in parts], out=offsets[1:])
    return np.concatenate(parts), offsets


def similarities(mode: str, signature: np.ndarray, shingles: np.ndarray | None,
                 others: list[StoredDocument]) -> np.ndarray:
    """Similarity of one document to each stored one, by the verify functions of batch mode."""
    right = np.arange(1, len(others) + 1, dtype=np.int64)
    left = np.zeros(len(others), dtype=np.int64)
    if mode == "exact" and shingles is not None:
        values, offsets = _csr([shingles.astype(np.uint32, copy=False)] + [d.shingles for d in others])
        return verify.jaccard(values, offsets, left, right)
    sigs = np.vstack([signature] + [d.signature for d in others])
    return verify.signature_agreement(sigs, left, right)
