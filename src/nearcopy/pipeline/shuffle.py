"""The distributed shuffles: LSH band keys, candidate pairs, containment postings.

Map tasks (one per shard) emit rows partitioned by a hash of the grouping key;
reduce tasks (one per partition) sort their rows and emit pairs, which are
re-partitioned by *range of the left document index* so that verify tasks (one
per range) see every copy of a pair, de-duplicate it, and together produce the
globally sorted, distinct pair list of `lsh.candidate_pairs` in the local job.
The grouping, pairing and verification code is `nearcopy.dedup`'s own.
"""

from __future__ import annotations

import inspect
from pathlib import Path

import numpy as np

from nearcopy.dedup import containment, decide, lsh, verify
from nearcopy.dedup.decide import Decisions, LoadedSets
from nearcopy.pipeline.markers import load_array, save_array, write_marker
from nearcopy.pipeline.shard_arrays import ShardArrays, SubsetSource, remap

BAND_ROW = np.dtype([("key", "<u8"), ("band", "<u2"), ("index", "<i8")])
POSTING_ROW = np.dtype([("value", "<u4"), ("index", "<i8")])
PAIR_ROW = np.dtype([("pair", "<u8"), ("count", "<i8")])
CONTAINED_ROW = np.dtype([("small", "<i8"), ("big", "<i8")])
#: `find_copies`'s default, read from its signature so the two cannot drift apart
MIN_SHARED = inspect.signature(decide.find_copies).parameters["min_shared"].default
HISTOGRAM_BINS = 50


def part_name(prefix: str, index: int) -> str:
    return f"{prefix}-{index:05d}.npy"


def active_rows(folder: Path, distinct: np.ndarray) -> np.ndarray:
    """`find_copies`'s active mask for one shard: distinct texts with a non-empty signature."""
    signatures = load_array(folder / "signatures.npy", mmap=True)
    if signatures.shape[0] == 0:
        return distinct
    return distinct & (np.asarray(signatures[:, 0]) != decide.EMPTY_SIGNATURE)


def _loaded_sets(payload: dict, left: np.ndarray, right: np.ndarray):
    """Full sets of the documents of these pairs, and the pairs in their local positions."""
    involved = np.unique(np.concatenate([left, right]))
    source = SubsetSource(ShardArrays(payload["work"], payload["starts"]), involved)
    loaded = LoadedSets(source, np.arange(involved.size), involved.size)
    return involved, loaded, *remap(involved, left, right)


def _scatter(folder: Path, prefix: str, rows: np.ndarray, part: np.ndarray, parts: int):
    order = np.argsort(part, kind="stable")
    bounds = np.searchsorted(part[order], np.arange(parts + 1))
    for p in range(parts):
        save_array(folder / part_name(prefix, p), rows[order[bounds[p]:bounds[p + 1]]])


def _range_of(left: np.ndarray, num_docs: int, ranges: int) -> np.ndarray:
    return (left.astype(np.int64) * ranges) // max(num_docs, 1)


def _gather_parts(folders, prefix: str, index: int) -> np.ndarray:
    return np.concatenate([load_array(Path(f) / part_name(prefix, index)) for f in folders])


# -- LSH bands --------------------------------------------------------------------------------
def band_map(payload: dict) -> dict:
    """(band key, band, global index) of every active document, by key hash into partitions."""
    folder = Path(payload["folder"])
    active = np.flatnonzero(active_rows(folder, payload["distinct"]))
    sub = np.asarray(load_array(folder / "signatures.npy", mmap=True)[active])
    num_bands, rows = payload["num_bands"], payload["rows"]
    out = np.empty(active.size * num_bands, dtype=BAND_ROW)
    for band in range(num_bands):
        sl = slice(band * active.size, (band + 1) * active.size)
        out["key"][sl] = lsh.band_keys(sub, band, rows)
        out["band"][sl] = band
        out["index"][sl] = payload["first"] + active
    parts = payload["partitions"]
    _scatter(folder, "bands", out, (out["key"] % np.uint64(parts)).astype(np.int64), parts)
    result = {"rows": int(out.size)}
    write_marker(folder, "bands", payload["fingerprint"], result)
    return result


def band_reduce(payload: dict) -> dict:
    """Bucket pairs of one key partition (as `lsh.candidate_pairs`), split by left range."""
    folder = Path(payload["folder"])
    rows = _gather_parts(payload["shards"], "bands", payload["index"])
    order = np.lexsort((rows["index"], rows["key"], rows["band"]))
    rows = rows[order]
    cuts = np.flatnonzero(np.diff(rows["band"].astype(np.int64))) + 1
    found = [lsh.bucket_pairs(np.arange(seg.size), seg["key"].copy(), seg["index"].copy(),
                              payload["window"]) for seg in np.split(rows, cuts) if seg.size]
    pairs = np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.uint64)
    left = (pairs >> np.uint64(32)).astype(np.int64)
    _scatter(folder, "pairs", pairs, _range_of(left, payload["num_docs"], payload["ranges"]),
             payload["ranges"])
    result = {"pairs": int(pairs.size)}
    write_marker(folder, "reduce", payload["fingerprint"], result)
    return result


def verify_range(payload: dict) -> dict:
    """Distinct candidate pairs of one left-index range, verified; edges and stats."""
    folder = Path(payload["folder"])
    folder.mkdir(parents=True, exist_ok=True)
    pairs = np.unique(_gather_parts(payload["partitions"], "pairs", payload["index"]))
    left, right = lsh.unpack_pairs(pairs)
    sims = np.empty(0, dtype=np.float64)
    involved = np.empty(0, dtype=np.int64)
    if pairs.size and payload["exact_mode"]:
        involved, loaded, mleft, mright = _loaded_sets(payload, left, right)
        sims = loaded.jaccard(mleft, mright)
    elif pairs.size:
        involved = np.unique(np.concatenate([left, right]))
        mini = ShardArrays(payload["work"], payload["starts"]).gather(involved)
        sims = verify.signature_agreement(mini.signatures, *remap(involved, left, right))
        involved = np.empty(0, dtype=np.int64)  # signature mode loads no sets
    save_array(folder / "sets_loaded.npy", involved)
    ok = sims >= payload["threshold"]
    save_array(folder / "edges_left.npy", left[ok])
    save_array(folder / "edges_right.npy", right[ok])
    _save_borderline(folder, left, right, sims, payload["threshold"])
    hist, _ = np.histogram(sims, bins=HISTOGRAM_BINS, range=(0.0, 1.0))
    result = {"candidates": int(pairs.size), "verified": int(ok.sum()),
              "histogram": hist.tolist()}
    write_marker(folder, "verify", payload["fingerprint"], result)
    return result


def _save_borderline(folder: Path, left, right, sims, threshold: float) -> None:
    """This range's share of `Decisions.borderline_pairs`, back in pair order: the global
    choice over all ranges' shares (concatenated in range order) equals the local one."""
    part = Decisions(np.empty(0), np.empty(0), np.empty(0), np.empty(0), left, right, sims)
    b_left, b_right, b_sims = part.borderline_pairs(threshold)
    order = np.lexsort((b_right, b_left))
    save_array(folder / "borderline.npy", np.stack([b_left[order], b_right[order]]))
    save_array(folder / "borderline_sims.npy", b_sims[order])


# -- containment ---------------------------------------------------------------------------------
def contain_map(payload: dict) -> dict:
    """Sampled shingle postings (value, global index) of active documents, by value hash.

    The samples are `containment.sample_sets` of the full sets: the values the local job
    sketches with `sample_mod`."""
    folder = Path(payload["folder"])
    active = active_rows(folder, payload["distinct"])
    offsets = load_array(folder / "set_offsets.npy")
    sample_values, sample_counts = containment.sample_sets(
        load_array(folder / "set_values.npy", mmap=True), np.diff(offsets), payload["sample_mod"])
    docs = np.repeat(np.arange(sample_counts.shape[0]), sample_counts)  # as containment_candidates
    keep = active[docs]
    out = np.empty(int(keep.sum()), dtype=POSTING_ROW)
    out["value"], out["index"] = sample_values[keep], docs[keep] + payload["first"]
    mixed = (out["value"].astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(33)
    parts = payload["partitions"]
    _scatter(folder, "postings", out, (mixed % np.uint64(parts)).astype(np.int64), parts)
    result = {"rows": int(out.size)}
    write_marker(folder, "contain_map", payload["fingerprint"], result)
    return result


def contain_reduce(payload: dict) -> dict:
    """Posting-list pairs of one value partition with their shared counts, by left range."""
    folder = Path(payload["folder"])
    rows = _gather_parts(payload["shards"], "postings", payload["index"])
    keys = (rows["value"].astype(np.uint64) << np.uint64(32)) | rows["index"].astype(np.uint64)
    keys.sort()
    pairs = containment._posting_pairs(keys, containment.MAX_POSTING)
    unique, counts = np.unique(pairs, return_counts=True)
    out = np.empty(unique.size, dtype=PAIR_ROW)
    out["pair"], out["count"] = unique, counts
    left = (unique >> np.uint64(32)).astype(np.int64)
    _scatter(folder, "cpairs", out, _range_of(left, payload["num_docs"], payload["ranges"]),
             payload["ranges"])
    result = {"pairs": int(unique.size)}
    write_marker(folder, "contain_reduce", payload["fingerprint"], result)
    return result


def contain_verify(payload: dict) -> dict:
    """Pairs sharing >= MIN_SHARED samples, verified (best container within this range);
    the winners go out by range of the contained document."""
    folder = Path(payload["folder"])
    folder.mkdir(parents=True, exist_ok=True)
    rows = _gather_parts(payload["partitions"], "cpairs", payload["index"])
    pairs, inverse = np.unique(rows["pair"], return_inverse=True)
    shared = np.bincount(inverse.ravel(), weights=rows["count"], minlength=pairs.size)
    pairs = pairs[shared >= MIN_SHARED]
    left, right = lsh.unpack_pairs(pairs)
    small, big, involved = _best_containers(payload, left, right)
    save_array(folder / "sets_loaded.npy", involved)
    out = np.empty(small.size, dtype=CONTAINED_ROW)
    out["small"], out["big"] = small, big
    _scatter(folder, "contained", out, _range_of(small, payload["num_docs"], payload["ranges"]),
             payload["ranges"])
    result = {"candidates": int(pairs.size), "verified": int(out.size)}
    write_marker(folder, "contain_verify", payload["fingerprint"], result)
    return result


def _best_containers(payload: dict, left: np.ndarray, right: np.ndarray):
    """`containment.verify_contained` on global indices: (contained, container, involved)."""
    if left.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    involved, loaded, mleft, mright = _loaded_sets(payload, left, right)
    small, big, _ = containment.verify_contained(loaded.values, loaded.offsets, mleft, mright,
                                                 threshold=payload["threshold"])
    return involved[small], involved[big], involved


def contain_best(payload: dict) -> dict:
    """Each contained document's best container over all ranges: the best of the ranges'
    winners, chosen by `verify_contained` again (its order is total, so this is exact)."""
    folder = Path(payload["folder"])
    folder.mkdir(parents=True, exist_ok=True)
    rows = _gather_parts(payload["verifiers"], "contained", payload["index"])
    small, big, _ = _best_containers(payload, rows["small"], rows["big"])
    save_array(folder / "edges_left.npy", small)
    save_array(folder / "edges_right.npy", big)
    result = {"contained": int(small.size)}
    write_marker(folder, "contain_best", payload["fingerprint"], result)
    return result
