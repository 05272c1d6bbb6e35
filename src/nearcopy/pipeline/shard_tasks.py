"""Per-shard tasks of the distributed job: read (+clean), count boilerplate, sketch, write.

Each task is a module-level function of one payload dict (so any executor can
ship it), works only inside its shard folder and the output folder, publishes
its files atomically and writes its completion marker last.
"""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path

import numpy as np
import orjson
import xxhash

from nearcopy.dedup import decide
from nearcopy.dedup.sketch import sketch_texts
from nearcopy.io.base import SkipCounter, atomic_write
from nearcopy.io.jsonl import JsonlWriter
from nearcopy.io.parquet import ParquetWriter
from nearcopy.pipeline import outputs
from nearcopy.pipeline.batching import chunks
from nearcopy.pipeline.job import _clean_batch, put_cleaning
from nearcopy.pipeline.markers import load_array, save_array, write_marker
from nearcopy.pipeline.shard_arrays import ShardArrays, SubsetSource, remap
from nearcopy.pipeline.shards import Shard, shard_documents

METHOD_CODES = ("", decide.METHOD_EXACT, decide.METHOD_NEAR, decide.METHOD_CONTAINED)


def spool_record(doc, result) -> dict:
    """The spool line of one document: as `BatchJob._spool_one` writes it, plus `_b`
    (bytes of the input text) and `_chars` (characters removed by rule) for the stats."""
    record = {"id": doc.id, "text": doc.text, "meta": doc.metadata, "src": doc.source}
    if result is not None:
        chars = put_cleaning(record, result)[2]
        if chars:
            record["_chars"] = chars
    record["_b"] = len(doc.text.encode("utf-8", "surrogatepass"))
    return record


def iter_spool(folder: Path, skip=()):
    """(position, record) of a shard's spool, leaving out the positions in `skip`."""
    skip = set(skip)
    with open(Path(folder) / "spool.jsonl", "rb") as handle:
        for position, line in enumerate(handle):
            if position not in skip:
                yield position, orjson.loads(line)


def read_shard(payload: dict) -> dict:
    """Read (+clean) one shard into spool.jsonl; id hashes go to idhash.npy."""
    folder = Path(payload["folder"])
    folder.mkdir(parents=True, exist_ok=True)
    shard = Shard(**payload["shard"])
    skips = SkipCounter(strict=payload["strict"])
    docs = shard_documents(shard, skips=skips, **payload["input"])
    cleaner = payload["cleaner"]
    hashes: list[int] = []
    with atomic_write(folder / "spool.jsonl") as spool:
        for batch in chunks(docs, payload["batch_size"]):
            results = (_clean_batch((cleaner, batch, None, None))[0] if cleaner is not None
                       else [None] * len(batch))
            spool.write(b"".join(orjson.dumps(spool_record(doc, res), default=str) + b"\n"
                                 for doc, res in zip(batch, results)))
            hashes.extend(xxhash.xxh3_64_intdigest(doc.id.encode("utf-8", "surrogatepass"))
                          for doc in batch)
    save_array(folder / "idhash.npy", np.array(hashes, dtype=np.uint64))
    result = {"records": len(hashes), "skips": dict(skips.counts), "examples": skips.examples}
    write_marker(folder, "read", payload["fingerprint"], result)
    return result


def count_boilerplate(payload: dict) -> dict:
    """Count template-like lines of the shard's kept-so-far documents (a fresh counter)."""
    folder = Path(payload["folder"])
    counter = copy.deepcopy(payload["counter"])
    for _, rec in iter_spool(folder, payload["skip"]):
        if "dropped" not in rec:
            counter.add(rec["text"])
    counter._compact()
    save_array(folder / "boiler_keys.npy", counter.keys)
    save_array(folder / "boiler_counts.npy", counter.counts)
    result = {"num_docs": counter.num_docs}
    write_marker(folder, "boilerplate", payload["fingerprint"], result)
    return result


def sketch_shard(payload: dict) -> dict:
    """Sketch the shard's documents (not dropped, not repeated ids); collect its stats."""
    folder = Path(payload["folder"])
    stats = {"read": 0, "bytes": 0, "sketched": 0, "sketch_bytes": 0}
    clean_counts: Counter[str] = Counter()
    clean_chars: Counter[str] = Counter()
    meta_keys: dict[str, None] = {}
    ids: list[bytes] = []

    def texts():
        for _, rec in iter_spool(folder, payload["skip"]):
            stats["read"] += 1
            stats["bytes"] += rec["_b"]
            for key in rec["meta"]:
                meta_keys.setdefault(key, None)
            for line in rec.get("removed_lines") or ():
                clean_counts[f"line/{line['rule']}"] += 1
            clean_chars.update(rec.get("_chars") or {})
            if "dropped" in rec:
                clean_counts[f"document/{rec['dropped']['rule']}"] += 1
                continue
            ids.append(rec["id"].encode("utf-8", "surrogatepass") + b"\n")
            yield rec["text"]

    params, keep_sets, table = payload["params"], payload["keep_sets"], payload["table"]
    batches = [sketch_texts([table.strip(t)[0] for t in chunk] if table is not None else chunk,
                            params, keep_sets=keep_sets)
               for chunk in chunks(texts(), payload["batch_size"])]
    _save_sketches(folder, batches, params.num_perm)
    with atomic_write(folder / "ids.txt") as handle:
        handle.write(b"".join(ids))
    stats["sketched"] = sum(len(b) for b in batches)
    stats["sketch_bytes"] = int(sum(int(b.lengths.sum()) for b in batches))
    result = {**stats, "clean_counts": dict(clean_counts), "clean_chars": dict(clean_chars),
              "meta_keys": list(meta_keys)}
    write_marker(folder, "sketch", payload["fingerprint"], result)
    return result


def _save_sketches(folder: Path, batches, num_perm: int) -> None:
    def cat(name, dtype, shape=(0,)):
        parts = [getattr(b, name) for b in batches]
        return np.concatenate(parts).astype(dtype, copy=False) if parts \
            else np.empty(shape, dtype=dtype)

    counts = cat("set_counts", np.int64)
    offsets = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    save_array(folder / "exact_hashes.npy", cat("exact_hashes", np.uint64))
    save_array(folder / "lengths.npy", cat("lengths", np.int64))
    save_array(folder / "signatures.npy", cat("signatures", np.uint32, (0, num_perm)))
    save_array(folder / "set_values.npy", cat("set_values", np.uint32))
    save_array(folder / "set_offsets.npy", offsets)


def write_shard(payload: dict) -> dict:
    """Write kept-NNNNN and removed-NNNNN of one shard; method codes go to methods.npy."""
    folder, out_dir = Path(payload["folder"]), Path(payload["out_dir"])
    first, reps, number = payload["first"], payload["reps"], payload["number"]
    own = first + np.arange(reps.shape[0])
    removed = np.flatnonzero(reps != own)
    method, similarity = _shard_methods(payload, own[removed], reps[removed])
    writer_cls = ParquetWriter if payload["fmt"] == "parquet" else JsonlWriter
    names = [f"{kind}-{payload['index']:05d}{writer_cls.suffix}" for kind in ("kept", "removed")]
    for name in names:  # temporary files of an attempt whose worker died
        for stale in out_dir.glob(f".{name}.*.tmp"):
            stale.unlink(missing_ok=True)
    counts: Counter[str] = Counter()
    rep_ids, table = payload["rep_ids"], payload["table"]
    threshold, containment = payload["threshold"], payload["containment"]
    slot = dict(zip(removed.tolist(), range(removed.size)))
    with writer_cls(out_dir / names[0]) as kept, writer_cls(out_dir / names[1]) as dropped:
        index = -1
        for _, rec in iter_spool(folder, payload["skip"]):
            record = outputs._base_record(outputs.output_shaped(rec), payload["meta_keys"],
                                          payload["fmt"])
            if "dropped" in rec:
                dropped.write(outputs._dropped_fields(record))
                counts[f"removed/{outputs.METHOD_FILTERED}"] += 1
                continue
            index += 1
            if table is not None:
                before = len(record["text"])
                record["text"], extra = table.strip(record["text"])
                if extra:
                    record["removed_lines"] = (record.get("removed_lines") or []) + extra
                    counts[outputs.BOILERPLATE_LINES] += len(extra)
                    counts[outputs.BOILERPLATE_CHARS] += before - len(record["text"])
            cid = outputs.format_cluster_id(int(number[index]))
            if index not in slot:
                record["cluster_id"] = cid
                kept.write(record)
                counts["kept"] += 1
                continue
            k = slot[index]
            rep_id = rep_ids[int(reps[index])]
            sim = float(similarity[k])
            record.update(duplicate_of=rep_id, similarity=round(sim, 4), method=method[k],
                          reason=outputs._reason(method[k], rep_id, sim, threshold, containment),
                          cluster_id=cid)
            dropped.write(record)
            counts[f"removed/{method[k]}"] += 1
    codes = np.array([METHOD_CODES.index(m) for m in method], dtype=np.uint8)
    save_array(folder / "methods.npy", codes)
    result = {"counts": dict(counts), "files": names}
    write_marker(folder, "write", payload["fingerprint"], result)
    return result


def _shard_methods(payload: dict, removed: np.ndarray, reps: np.ndarray):
    """`decide.methods_for` for this shard's removed documents, in a small index space of just
    them, their representatives and the first documents of their exact-copy groups."""
    if removed.size == 0:
        return [], np.empty(0)
    first_removed, first_reps = payload["first_of_removed"], payload["first_of_reps"]
    involved = np.unique(np.concatenate([removed, reps, first_removed, first_reps]))
    exact_mode = payload["verify"] == "exact"
    arrays = ShardArrays(payload["work"], payload["starts"])
    mini = arrays.gather(involved, signatures=not exact_mode)
    at_removed, at_reps, at_first_removed, at_first_reps = remap(
        involved, removed, reps, first_removed, first_reps)
    mini_reps = np.arange(involved.size)
    mini_reps[at_removed] = at_reps
    mini_first = np.arange(involved.size)
    mini_first[at_removed] = at_first_removed
    mini_first[at_reps] = at_first_reps
    loaded = decide.LoadedSets(SubsetSource(arrays, involved), np.empty(0, dtype=np.int64),
                               involved.size) if exact_mode else None
    method, similarity = decide.methods_for(mini, mini_first, mini_reps, loaded,
                                            payload["threshold"], payload["containment_threshold"])
    if loaded is not None:  # documents whose sets were loaded, for stats "sets_loaded"
        save_array(Path(payload["folder"]) / "sets_loaded.npy", involved[loaded.indices])
    return [str(m) for m in method[at_removed]], similarity[at_removed]


def load_methods(folder: Path) -> np.ndarray:
    return load_array(Path(folder) / "methods.npy")
