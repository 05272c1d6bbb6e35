"""Match one sketched document against stored ones: exact hash, LSH bands, exact Jaccard.

The same three steps, on the same functions, as `nearcopy.dedup.decide.find_copies`:
equal exact hashes are `exact` copies (similarity 1.0); otherwise documents
sharing a band key are candidates, kept as `near` copies when their verified
similarity (shingle Jaccard, or signature agreement with verify="signature")
reaches the threshold. Documents with no shingles take part only in exact
matching, as in batch mode.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from nearcopy.dedup import verify
from nearcopy.dedup.decide import METHOD_EXACT, METHOD_NEAR
from nearcopy.dedup.hashing import FNV_PRIME, fmix64_np
from nearcopy.index.storage import ReadSession, StoredDocument

#: at most this many stored documents are read per query and step; a text copied
#: more often than this is still reported, with the earliest copies first
MAX_CANDIDATES = 2000


@dataclass(frozen=True)
class Match:
    """A stored document that is a copy of the one asked about."""

    id: str
    similarity: float
    method: str  # exact | near

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Rules:
    """What decides a match (from the index's resolved DedupConfig)."""

    threshold: float
    num_bands: int
    rows_per_band: int
    verify: str = "exact"


def band_key_matrix(signatures: np.ndarray, num_bands: int, rows: int) -> np.ndarray:
    """uint64[n, num_bands]: every document's key in every band.

    The same values as `lsh.band_keys` band by band (a test checks it), computed for
    all bands at once: per-band numpy calls cost ~6 ms for one document at 34 bands,
    this ~0.1 ms, which is most of a query's matching time.
    """
    n = signatures.shape[0]
    block = signatures[:, :num_bands * rows].astype(np.uint64).reshape(n, num_bands, rows)
    keys = np.broadcast_to(np.arange(1, num_bands + 1, dtype=np.uint64), (n, num_bands))
    for col in range(rows):
        keys = fmix64_np((keys ^ block[:, :, col]) * FNV_PRIME)
    return np.ascontiguousarray(keys, dtype=np.uint64)


def find_matches(session: ReadSession, rules: Rules, *, exact_hash: int, signature: np.ndarray,
                 shingles: np.ndarray | None, band_keys: np.ndarray) -> list[Match]:
    """Every stored copy of one document, best first (exact, then by similarity, then age)."""
    exact_keys = session.keys_by_exact_hash(exact_hash, MAX_CANDIDATES)
    near_keys: list[int] = []
    has_shingles = signature[0] != np.uint32(0xFFFFFFFF) if shingles is None else shingles.size
    if has_shingles:
        near_keys = session.keys_by_band(band_keys.tolist(), MAX_CANDIDATES)
    wanted = set(exact_keys) | set(near_keys)
    stored = sorted(session.fetch(sorted(wanted)), key=lambda d: d.key)
    exact = [d for d in stored if d.exact_hash == exact_hash]
    others = [d for d in stored if d.exact_hash != exact_hash]
    found = [(1.0, d.key, Match(d.id, 1.0, METHOD_EXACT)) for d in exact]
    if others:
        sims = similarities(rules.verify, signature, shingles, others)
        found += [(float(s), d.key, Match(d.id, round(float(s), 6), METHOD_NEAR))
                  for s, d in zip(sims, others) if s >= rules.threshold]
    found.sort(key=lambda item: (item[2].method != METHOD_EXACT, -item[0], item[1]))
    return [m for _, _, m in found]


def similarities(mode: str, signature: np.ndarray, shingles: np.ndarray | None,
                 others: list[StoredDocument]) -> np.ndarray:
    """Similarity of one document to each stored one, by the verify functions of batch mode."""
    right = np.arange(1, len(others) + 1, dtype=np.int64)
    left = np.zeros(len(others), dtype=np.int64)
    if mode == "exact" and shingles is not None:
        parts = [shingles.astype(np.uint32, copy=False)] + [d.shingles for d in others]
        offsets = np.zeros(len(parts) + 1, dtype=np.int64)
        np.cumsum([p.size for p in parts], out=offsets[1:])
        return verify.jaccard(np.concatenate(parts), offsets, left, right)
    sigs = np.vstack([signature] + [d.signature for d in others])
    return verify.signature_agreement(sigs, left, right)
