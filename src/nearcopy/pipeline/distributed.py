"""The sharded batch job: the same results as `BatchJob`, run as tasks over input shards.

Stages (each a set of tasks on the executor, each task marked done in the
working folder `OUT/.nearcopy-work/`):

1. read (+clean) every shard into its spool (`shard-NNNNN/spool.jsonl`);
   the driver then drops repeated ids in global order, as the local reader does;
2. count corpus boilerplate per shard (only with the cleaner's boilerplate rule);
3. sketch every shard into numpy arrays (`shard-NNNNN/*.npy`);
4. shuffle LSH band keys by key hash, pair buckets, shuffle pairs by range,
   verify them exactly; the same for containment postings;
5. connected components over the edge files (streamed, see `components.py`),
   representatives, then write tasks produce `kept-NNNNN` / `removed-NNNNN`,
   and the driver writes clusters.jsonl, borderline_pairs.jsonl, stats.json and
   config.toml exactly as the local job does.

A re-run after a failure skips every task whose marker matches the job's
fingerprint (configuration + input files); the working folder is removed when
the job succeeds. The driver holds per-document arrays (about 40 bytes per
document), never all pairs, postings or edges at once.
"""

from __future__ import annotations

import itertools
import logging
import shutil
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import orjson

import nearcopy
from nearcopy.config import RunConfig
from nearcopy.dedup import cluster, exact
from nearcopy.errors import ConfigError, InputFormatError
from nearcopy.executors.base import Executor
from nearcopy.executors.local import LocalExecutor
from nearcopy.io.base import DUPLICATE_ID, SkipCounter, atomic_write
from nearcopy.io.discover import discover
from nearcopy.pipeline import outputs, shard_tasks, shuffle
from nearcopy.pipeline.components import StreamingComponents
from nearcopy.pipeline.markers import fingerprint, load_array, read_marker, write_marker
from nearcopy.pipeline.progress import progress
from nearcopy.pipeline.shard_arrays import shard_folder
from nearcopy.pipeline.shards import DEFAULT_SHARD_BYTES, Shard, plan_shards
from nearcopy.pipeline.stats import RunStats

log = logging.getLogger("nearcopy.pipeline")
WORK = ".nearcopy-work"


class DistributedJob:
    """A batch job over input shards; `run(paths)` returns the stats dict (stats.json).

    Args mirror `BatchJob`; `shard_bytes` is the input size per read task,
    `partitions` the number of shuffle partitions and pair ranges (default: two
    per executor worker), `keep_work` keeps the working folder after success.
    """

    def __init__(self, config: RunConfig, out_dir: str | Path, *, cleaner=None, boilerplate=None,
                 show_progress: bool = True, executor: Executor | None = None,
                 command: str = "run", shard_bytes: int = DEFAULT_SHARD_BYTES,
                 partitions: int | None = None, keep_work: bool = False):
        if config.dedup_paragraphs:
            raise ConfigError("--dedup-paragraphs is not available with --executor ray (it "
                              "needs every kept document in order); use --executor local")
        if shard_bytes < 1 or (partitions is not None and partitions < 1):
            raise ConfigError(f"shard_bytes {shard_bytes} and partitions {partitions} "
                              "must be at least 1")
        self.config = config
        self.dedup = config.dedup.resolved()
        self.out_dir = Path(out_dir)
        self.work = self.out_dir / WORK
        self.cleaner, self.boilerplate = cleaner, boilerplate
        self.show_progress = show_progress
        self.executor = executor or LocalExecutor(config.num_workers)
        self.command = command
        self.shard_bytes = shard_bytes
        self.partitions = partitions
        self.keep_work = keep_work
        self.stats = RunStats()
        self.skips = SkipCounter(strict=config.input.strict)
        self.clean_counts: Counter[str] = Counter()
        self.clean_chars: Counter[str] = Counter()
        self.paragraphs = None
        self.tasks_run: dict[str, int] = {}  # tasks run per stage (the rest were marked done)

    # -- driver ------------------------------------------------------------------------------------
    def run(self, paths: list[str | Path]) -> dict:
        started = time.perf_counter()
        files = discover(paths)
        self.paths = [str(p) for p in paths]
        self.out_dir.mkdir(parents=True, exist_ok=True)
        with self.executor:
            self.parts = self.partitions or max(1, 2 * self.executor.workers)
            self.fp = self._fingerprint(files)
            shards = self._plan(paths)
            self.folders = [shard_folder(self.work, s.index) for s in shards]
            read = self._read(shards)
            skip = self._repeated_ids(read)
            table = self._count_boilerplate(skip)
            self.starts, self.meta_keys, num_read = self._sketch(skip, table)
            labels, reps, dstats, borderline = self._decide()
            counts = self._write(skip, table, labels, reps, borderline)
        seconds = time.perf_counter() - started
        dstats["sets_loaded"] = self.sets_loaded
        summary = outputs.build_stats(self, num_read, counts, SimpleNamespace(
            stats=dstats, pair_similarities=np.empty(0)), seconds)
        summary["pairs"]["similarity_histogram"] = self.histogram
        summary["distributed"] = {"shards": len(shards), "partitions": self.parts,
                                  "tasks_run": self.tasks_run, "outputs": self.files}
        outputs.write_stats_and_config(self.out_dir, summary, self.config, self.dedup)
        if not self.keep_work:
            shutil.rmtree(self.work, ignore_errors=True)
        return summary

    def _fingerprint(self, files) -> str:
        listing = [(str(f.path), f.kind, f.path.stat().st_size, f.path.stat().st_mtime_ns)
                   for f in files]
        cleaner = repr(getattr(self.cleaner, "config", type(self.cleaner).__name__))
        boiler = None if self.boilerplate is None else {
            k: v for k, v in vars(self.boilerplate).items() if isinstance(v, (int, float, str))}
        return fingerprint(nearcopy.__version__, self.config.to_dict(), self.dedup.__dict__,
                           cleaner, boiler, listing, self.shard_bytes, self.parts)

    def _stage(self, stage: str, folders, fn, payload, desc: str) -> list:
        """Run fn(payload(i)) for every folder whose `stage` marker is missing or stale."""
        results = [read_marker(folder, stage, self.fp) for folder in folders]
        todo = [i for i, res in enumerate(results) if res is None]
        with progress(total=len(folders), desc=desc, unit="task",
                      enabled=self.show_progress) as bar:
            bar.update(len(folders) - len(todo))
            for i, res in zip(todo, self.executor.map_ordered(fn, (payload(i) for i in todo))):
                results[i] = res
                bar.update(1)
        self.tasks_run[stage] = len(todo)
        return results

    def _plan(self, paths) -> list[Shard]:
        done = read_marker(self.work, "plan", self.fp)
        if done is None:
            if self.work.exists():  # another input or configuration: nothing can be reused
                shutil.rmtree(self.work)
            shards = plan_shards(paths, self.shard_bytes, self.executor)
            write_marker(self.work, "plan", self.fp, {"shards": [s.as_dict() for s in shards]})
            return shards
        return [Shard(**s) for s in done["shards"]]

    # -- stage 1: read (+ clean) -------------------------------------------------------------------
    def _read(self, shards: list[Shard]) -> list[dict]:
        inputs = {"id_field": self.config.input.id_field,
                  "text_field": self.config.input.text_field,
                  "max_doc_chars": self.config.input.max_doc_chars}
        name = "read_clean" if self.cleaner else "read"
        with self.stats.stage(name):
            results = self._stage("read", self.folders, shard_tasks.read_shard, lambda i: {
                "folder": str(self.folders[i]), "shard": shards[i].as_dict(),
                "strict": self.config.input.strict, "input": inputs, "cleaner": self.cleaner,
                "batch_size": self.config.batch_size, "fingerprint": self.fp}, "read")
        for res in results:
            for reason, count in res["skips"].items():
                self.skips.counts[reason] += count
                self.skips.examples.setdefault(reason, res["examples"][reason])
        return results

    def _repeated_ids(self, read: list[dict]) -> list[list[int]]:
        """Spool positions, per shard, of documents whose id an earlier document had."""
        hashes = np.concatenate([load_array(f / "idhash.npy") for f in self.folders])
        order = np.argsort(hashes, kind="stable")
        repeated = np.zeros(hashes.size, dtype=bool)
        repeated[order[1:]] = hashes[order][1:] == hashes[order][:-1]
        bounds = np.concatenate([[0], np.cumsum([r["records"] for r in read])])
        skip = [np.flatnonzero(repeated[a:b]).tolist() for a, b in itertools.pairwise(bounds)]
        for folder, positions in zip(self.folders, skip):
            wanted = set(positions)
            for _, rec in shard_tasks.iter_spool(folder) if wanted else ():
                if _ in wanted:
                    path, _sep, line = rec["src"].rpartition(":")
                    self.skips.skip(DUPLICATE_ID, path or rec["src"],
                                    int(line) if line.isdigit() else None,
                                    f"id {rec['id']!r} seen before")
        return skip

    # -- stages 2 and 3: boilerplate, sketch -------------------------------------------------------
    def _count_boilerplate(self, skip):
        if self.boilerplate is None:
            return None
        import copy

        with self.stats.stage("boilerplate"):
            results = self._stage("boilerplate", self.folders, shard_tasks.count_boilerplate,
                                  lambda i: {"folder": str(self.folders[i]), "skip": skip[i],
                                             "counter": self.boilerplate,
                                             "fingerprint": self.fp}, "boilerplate")
            total = copy.deepcopy(self.boilerplate)
            for folder, res in zip(self.folders, results):
                part = copy.deepcopy(self.boilerplate)
                part.keys = load_array(folder / "boiler_keys.npy")
                part.counts = load_array(folder / "boiler_counts.npy")
                part.num_docs = res["num_docs"]
                total.merge(part)
            return total.finish()

    def _sketch(self, skip, table):
        params = self.dedup.sketch
        with self.stats.stage("sketch") as st:
            results = self._stage("sketch", self.folders, shard_tasks.sketch_shard, lambda i: {
                "folder": str(self.folders[i]), "skip": skip[i], "params": params,
                "keep_sets": self.dedup.verify == "exact", "table": table,
                "batch_size": self.config.batch_size, "fingerprint": self.fp}, "sketch")
            st.documents = sum(r["sketched"] for r in results)
            st.bytes = sum(r["sketch_bytes"] for r in results)
        read_stage = self.stats.stages["read_clean" if self.cleaner else "read"]
        read_stage.documents = num_read = sum(r["read"] for r in results)
        read_stage.bytes = sum(r["bytes"] for r in results)
        meta_keys: dict[str, None] = {}
        for res in results:
            self.clean_counts.update(res["clean_counts"])
            self.clean_chars.update(res["clean_chars"])
            meta_keys.update(dict.fromkeys(res["meta_keys"]))
        if num_read == 0:
            detail = f" ({dict(self.skips.counts)} skipped)" if self.skips.counts else ""
            raise InputFormatError(f"no documents found in {', '.join(self.paths)}{detail}")
        starts = np.concatenate([[0], np.cumsum([r["sketched"] for r in results])])
        return starts.astype(np.int64), list(meta_keys), num_read

    # -- stage 4: decide -----------------------------------------------------------------------------
    def _decide(self):
        """Exact groups, the band and containment shuffles, components, representatives."""
        dedup, num_docs = self.dedup, int(self.starts[-1])
        exact_mode = dedup.verify == "exact"
        base = {"work": str(self.work), "starts": self.starts, "fingerprint": self.fp,
                "num_docs": num_docs, "ranges": self.parts, "partitions": self.parts}
        with self.stats.stage("dedup") as st:
            st.documents = num_docs
            with self._timed("dedup/exact"):
                hashes = np.concatenate([load_array(f / "exact_hashes.npy") for f in self.folders])
                first = exact.first_of_group(hashes)
                distinct = first == np.arange(num_docs)
                del hashes
            with self._timed("dedup/candidates"):
                parts = self._shuffle_bands(base, distinct)
            with self._timed("dedup/verify"):
                ranges = [self.work / "verify" / f"range-{q:05d}" for q in range(self.parts)]
                verified = self._stage("verify", ranges, shuffle.verify_range, lambda q: {
                    **base, "folder": str(ranges[q]), "index": q, "partitions": parts,
                    "exact_mode": exact_mode, "threshold": dedup.threshold}, "verify")
            contained, contained_total, c_candidates = [], 0, 0
            with self._timed("dedup/containment"):
                if exact_mode and dedup.containment > 0 and num_docs:
                    contained, contained_total, c_candidates = self._containment(base, distinct)
            with self._timed("dedup/cluster"):
                cc = StreamingComponents(num_docs)
                exact_left = np.flatnonzero(~distinct)
                cc.add(exact_left, first[exact_left])
                for folder in ranges + contained:
                    cc.add(load_array(folder / "edges_left.npy"),
                           load_array(folder / "edges_right.npy"))
                labels = cc.labels()
                lengths = np.concatenate([load_array(f / "lengths.npy") for f in self.folders])
                reps = cluster.representatives(labels, lengths, dedup.keep)
        self.first = first
        self._loaded_from = ranges + [self.work / "contain_verify" / f"range-{q:05d}"
                                      for q in range(self.parts)] if contained else ranges
        candidates = sum(v["candidates"] for v in verified)
        ok = sum(v["verified"] for v in verified)
        dstats = {"candidate_pairs": candidates, "verified_pairs": ok,
                  "rejected_pairs": candidates - ok, "exact_copies": int((~distinct).sum()),
                  "containment_candidates": c_candidates, "contained_pairs": contained_total}
        counts = np.sum([v["histogram"] for v in verified], axis=0)
        edges = np.histogram(np.empty(0), bins=shuffle.HISTOGRAM_BINS, range=(0.0, 1.0))[1]
        self.histogram = {"edges": [round(float(e), 4) for e in edges],
                          "counts": [int(c) for c in counts]}
        return labels, reps, dstats, self._borderline(ranges)

    def _timed(self, name: str):
        return self.stats.stage(name)

    def _shuffle_bands(self, base: dict, distinct: np.ndarray) -> list[str]:
        dedup = self.dedup
        self._stage("bands", self.folders, shuffle.band_map, lambda i: {
            **base, "folder": str(self.folders[i]), "first": int(self.starts[i]),
            "distinct": distinct[self.starts[i]:self.starts[i + 1]],
            "num_bands": dedup.num_bands, "rows": dedup.rows_per_band}, "bands")
        parts = [self.work / "bands" / f"part-{p:05d}" for p in range(self.parts)]
        shards = [str(f) for f in self.folders]
        self._stage("reduce", parts, shuffle.band_reduce, lambda p: {
            **base, "folder": str(parts[p]), "index": p, "shards": shards,
            "window": dedup.bucket_window}, "band groups")
        return [str(p) for p in parts]

    def _containment(self, base: dict, distinct: np.ndarray):
        sample = self.dedup.containment_sample
        self._stage("contain_map", self.folders, shuffle.contain_map, lambda i: {
            **base, "folder": str(self.folders[i]), "first": int(self.starts[i]),
            "distinct": distinct[self.starts[i]:self.starts[i + 1]], "sample_mod": sample},
            "postings")
        shards = [str(f) for f in self.folders]
        parts = [self.work / "contain" / f"part-{p:05d}" for p in range(self.parts)]
        self._stage("contain_reduce", parts, shuffle.contain_reduce, lambda p: {
            **base, "folder": str(parts[p]), "index": p, "shards": shards}, "posting groups")
        checked = [self.work / "contain_verify" / f"range-{q:05d}" for q in range(self.parts)]
        verified = self._stage("contain_verify", checked, shuffle.contain_verify, lambda q: {
            **base, "folder": str(checked[q]), "index": q, "partitions": [str(p) for p in parts],
            "threshold": self.dedup.containment}, "containment")
        best = [self.work / "contain_best" / f"range-{q:05d}" for q in range(self.parts)]
        results = self._stage("contain_best", best, shuffle.contain_best, lambda q: {
            **base, "folder": str(best[q]), "index": q, "threshold": self.dedup.containment,
            "verifiers": [str(c) for c in checked]}, "containers")
        return best, sum(r["contained"] for r in results), sum(v["candidates"] for v in verified)

    def _borderline(self, ranges):
        left_right = [load_array(f / "borderline.npy") for f in ranges]
        pairs = np.concatenate(left_right, axis=1) if left_right else np.empty((2, 0), np.int64)
        sims = np.concatenate([load_array(f / "borderline_sims.npy") for f in ranges])
        from nearcopy.dedup.decide import Decisions

        merged = Decisions(np.empty(0), np.empty(0), np.empty(0), np.empty(0),
                           pairs[0].astype(np.int64), pairs[1].astype(np.int64), sims)
        return merged.borderline_pairs(self.dedup.threshold)

    # -- stage 5: write --------------------------------------------------------------------------------
    def _write(self, skip, table, labels, reps, borderline) -> dict:
        number, _sizes = outputs.cluster_ids(SimpleNamespace(labels=labels))
        in_cluster = np.flatnonzero(number >= 0)
        b_left, b_right, b_sims = borderline
        id_of = self._ids_at(np.unique(np.concatenate([in_cluster, b_left, b_right])))
        dedup, starts = self.dedup, self.starts
        with self.stats.stage("write") as st:
            st.documents = self.stats.stages["read_clean" if self.cleaner else "read"].documents
            results = self._stage("write", self.folders, shard_tasks.write_shard,
                                  lambda i: self._write_payload(i, skip, table, reps, number,
                                                                id_of), "write")
            self.files = {kind: [r["files"][k] for r in results]
                          for k, kind in enumerate(("kept", "removed"))}
            self._remove_stale_outputs()
            codes = np.zeros(labels.shape[0], dtype=np.uint8)
            codes[np.flatnonzero(reps != np.arange(reps.shape[0]))] = np.concatenate(
                [shard_tasks.load_methods(f) for f in self.folders])
            members: dict[int, list[str]] = {}
            for index in in_cluster:
                members.setdefault(int(number[index]), []).append(id_of[int(index)])
            self.sets_loaded = self._count_sets_loaded(labels.shape[0])
            counts: Counter[str] = Counter()
            for res in results:
                counts.update(res["counts"])
            outputs.file_boilerplate_counts(counts, self.clean_counts, self.clean_chars)
            methods = SimpleNamespace(method=_MethodCodes(codes))
            counts["clusters"] = outputs._write_clusters(self.out_dir / "clusters.jsonl", members,
                                                         number, reps, methods, id_of)
            with atomic_write(self.out_dir / "borderline_pairs.jsonl") as handle:
                for a, b, sim in zip(b_left, b_right, b_sims):
                    handle.write(orjson.dumps({"id1": id_of[int(a)], "id2": id_of[int(b)],
                                               "similarity": round(float(sim), 4),
                                               "verified": bool(sim >= dedup.threshold)}) + b"\n")
        del starts
        return dict(counts)

    def _write_payload(self, i, skip, table, reps, number, id_of) -> dict:
        a, b = int(self.starts[i]), int(self.starts[i + 1])
        own_reps = reps[a:b]
        removed = np.flatnonzero(own_reps != np.arange(a, b))
        dedup = self.dedup
        return {"folder": str(self.folders[i]), "out_dir": str(self.out_dir), "index": i,
                "skip": skip[i], "first": a, "reps": own_reps, "number": number[a:b],
                "rep_ids": {int(r): id_of[int(r)] for r in np.unique(own_reps[removed])},
                "table": table, "fmt": self.config.format, "meta_keys": self.meta_keys,
                "threshold": dedup.threshold, "containment": dedup.containment,
                "verify": dedup.verify,
                "containment_threshold": dedup.containment if dedup.verify == "exact" else 0.0,
                "first_of_removed": self.first[a + removed],
                "first_of_reps": self.first[own_reps[removed]],
                "work": str(self.work), "starts": self.starts, "fingerprint": self.fp}

    def _count_sets_loaded(self, num_docs: int) -> int:
        """Documents whose full sets verification or `_methods` loaded (stats "sets_loaded")."""
        if self.dedup.verify != "exact":
            return 0
        seen = np.zeros(num_docs, dtype=bool)
        for folder in self._loaded_from + list(self.folders):
            path = folder / "sets_loaded.npy"
            if path.exists():
                seen[load_array(path)] = True
        return int(seen.sum())

    def _ids_at(self, wanted: np.ndarray) -> dict[int, str]:
        """Ids of the documents at the given sorted global indices (from each shard's ids.txt)."""
        found: dict[int, str] = {}
        owner = np.searchsorted(self.starts, wanted, side="right") - 1
        for shard in np.unique(owner):
            first = int(self.starts[shard])
            local = set((wanted[owner == shard] - first).tolist())
            with open(self.folders[shard] / "ids.txt", "rb") as handle:
                for position, line in enumerate(handle):
                    if position in local:
                        found[first + position] = line[:-1].decode("utf-8", "surrogatepass")
        return found

    def _remove_stale_outputs(self) -> None:
        """Single-file outputs of a local run and shard files of a run with more shards."""
        written = {name for names in self.files.values() for name in names}
        for kind in ("kept", "removed"):
            for path in list(self.out_dir.glob(f"{kind}-*.*")) + [
                    self.out_dir / f"{kind}.jsonl", self.out_dir / f"{kind}.parquet"]:
                if path.is_file() and path.name not in written:
                    log.info("removing %s (not an output of this run)", path)
                    path.unlink()


class _MethodCodes:
    """decisions.method as `_write_clusters` reads it, from one byte per document."""

    def __init__(self, codes: np.ndarray):
        self.codes = codes

    def __getitem__(self, index):
        """The method of one document, or an array of them for an array of indices."""
        if isinstance(index, np.ndarray):
            return np.asarray(shard_tasks.METHOD_CODES, dtype=object)[self.codes[index]]
        return shard_tasks.METHOD_CODES[int(self.codes[index])]


def run_distributed(config: RunConfig, out_dir: str | Path, paths: list[str | Path], *,
                    cleaner=None, boilerplate=None, executor: Executor | None = None,
                    show_progress: bool = True, command: str = "run", **options) -> dict:
    """Run the sharded job; returns the stats dict also written to stats.json.

    Example:
        >>> from nearcopy.executors.factory import make_executor   # doctest: +SKIP
        >>> run_distributed(RunConfig(clean=False), "out", ["corpus.jsonl"],
        ...                 executor=make_executor("ray"), command="dedup")
    """
    job = DistributedJob(config, out_dir, cleaner=cleaner, boilerplate=boilerplate,
                         executor=executor, show_progress=show_progress, command=command,
                         **options)
    return job.run(list(paths))
