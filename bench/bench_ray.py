"""Ray executor overhead against the local executor on one machine, at 10k/100k/1M documents.

Generates a synthetic corpus (short news-like documents, ~10% exact and ~15% near
copies), runs `nearcopy dedup` on it three ways -- the local job (BatchJob,
LocalExecutor), the sharded job on the local executor, the sharded job on a local
Ray instance -- checks that clusters.jsonl is byte-identical, and records wall time,
driver peak RSS, shuffle volume and edge counts. Appends a table to bench/RESULTS_ray.md.

    python bench/bench_ray.py --docs 10000 100000 1000000 [--workers 2] [--shard-mb 16]
"""

from __future__ import annotations

import argparse
import filecmp
import json
import multiprocessing
import platform
import resource
import shutil
import sys
import time
from pathlib import Path

import numpy as np

VOCAB = 20000
WORDS = 110


def generate(path: Path, docs: int, seed: int = 11) -> int:
    """JSONL corpus: unrelated documents, exact copies (10%) and near copies (15%)."""
    rng = np.random.default_rng(seed)
    vocab = np.array([f"w{i}" for i in range(VOCAB)], dtype=object)
    path.parent.mkdir(parents=True, exist_ok=True)
    recent: list[np.ndarray] = []
    with open(path, "w", encoding="utf-8") as handle:
        for start in range(0, docs, 10000):
            n = min(10000, docs - start)
            words = rng.integers(0, VOCAB, size=(n, WORDS))
            kind = rng.random(n)
            lines = []
            for k in range(n):
                tokens = words[k]
                if recent and kind[k] < 0.25:
                    tokens = recent[int(rng.integers(0, len(recent)))].copy()
                    if kind[k] >= 0.10:  # near copy: replace ~4% of the words
                        where = rng.integers(0, WORDS, size=WORDS // 25)
                        tokens[where] = rng.integers(0, VOCAB, size=where.size)
                recent.append(tokens)
                if len(recent) > 2000:
                    recent.pop(0)
                lines.append(json.dumps({"id": f"d{start + k}",
                                         "text": " ".join(vocab[tokens])}))
            handle.write("\n".join(lines) + "\n")
    return path.stat().st_size


def _run(kind: str, corpus: Path, out: Path, workers: int, shard_mb: int, queue) -> None:
    """One run in a fresh process (so peak RSS is this run's own)."""
    from nearcopy.config import RunConfig
    from nearcopy.pipeline.distributed import DistributedJob
    from nearcopy.pipeline.job import BatchJob

    config = RunConfig(clean=False, workers=workers)
    started = time.perf_counter()
    if kind == "local":
        summary = BatchJob(config, out, show_progress=False, command="dedup").run([corpus])
        work = {}
    else:
        if kind == "ray":
            from nearcopy.executors.ray import RayExecutor
            t0 = time.perf_counter()
            executor = RayExecutor(num_cpus=workers)
            startup = time.perf_counter() - t0
        else:
            from nearcopy.executors.local import LocalExecutor
            executor, startup = LocalExecutor(workers), 0.0
        job = DistributedJob(config, out, show_progress=False, executor=executor,
                             command="dedup", keep_work=True, shard_bytes=shard_mb << 20)
        summary = job.run([corpus])
        work = _work_sizes(out / ".nearcopy-work")
        work["startup_s"] = round(startup, 2)
        shutil.rmtree(out / ".nearcopy-work", ignore_errors=True)
    seconds = time.perf_counter() - started
    queue.put({"kind": kind, "seconds": round(seconds, 2),
               "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
               "pairs": summary["pairs"], "stages": summary["stages"], **work})


def _work_sizes(work: Path) -> dict:
    def size(pattern):
        return sum(p.stat().st_size for p in work.glob(pattern))
    return {"shards": len(list(work.glob("shard-*"))),
            "spool_mb": round(size("shard-*/spool.jsonl") / 1e6, 1),
            "arrays_mb": round((size("shard-*/signatures.npy") + size("shard-*/set_values.npy")
                                + size("shard-*/set_offsets.npy")) / 1e6, 1),
            "band_shuffle_mb": round(size("shard-*/bands-*.npy") / 1e6, 1),
            "pair_shuffle_mb": round(size("bands/*/pairs-*.npy") / 1e6, 1),
            "posting_shuffle_mb": round(size("shard-*/postings-*.npy") / 1e6, 1),
            "containment_pairs_mb": round(size("contain/*/cpairs-*.npy") / 1e6, 1),
            "edges_mb": round((size("verify/*/edges_*.npy")
                               + size("contain_best/*/edges_*.npy")) / 1e6, 2)}


def measure(kind: str, corpus: Path, out: Path, workers: int, shard_mb: int) -> dict:
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_run, args=(kind, corpus, out, workers, shard_mb, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, nargs="+", default=[10000, 100000, 1000000])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("bench/.work/ray"))
    parser.add_argument("--results", type=Path, default=Path("bench/RESULTS_ray.md"))
    parser.add_argument("--shard-mb", type=int, default=16, help="input MB per shard task")
    parser.add_argument("--kinds", nargs="+", default=["local", "sharded-local", "ray"])
    args = parser.parse_args(argv)
    rows = []
    for docs in args.docs:
        corpus = args.out / f"corpus-{docs}.jsonl"
        if not corpus.exists():
            t0 = time.perf_counter()
            generate(corpus, docs)
            print(f"generated {docs} docs in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
        runs = {}
        for kind in args.kinds:
            runs[kind] = measure(kind, corpus, args.out / f"out-{docs}-{kind}", args.workers,
                                 args.shard_mb)
            brief = {k: v for k, v in runs[kind].items() if k not in ("pairs", "stages")}
            print(json.dumps({"docs": docs, **brief}), file=sys.stderr)
        same = all(filecmp.cmp(args.out / f"out-{docs}-{args.kinds[0]}" / "clusters.jsonl",
                               args.out / f"out-{docs}-{k}" / "clusters.jsonl", shallow=False)
                   for k in args.kinds[1:])
        rows.append((docs, corpus.stat().st_size, runs, same))
    _append(args, rows)


def _append(args, rows) -> None:
    lines = [(f"\n## {time.strftime('%Y-%m-%d')}: `python bench/bench_ray.py --docs "
             f"{' '.join(map(str, args.docs))} --workers {args.workers} --shard-mb {args.shard_mb}`\n"),
             (f"Machine: {platform.platform()}, {multiprocessing.cpu_count()} cores, Python "
             f"{platform.python_version()}. Times are wall seconds of the whole job (Ray: "
             "including starting the local instance); RSS is the driver's peak.\n"),
             ("| docs | MB | run | seconds | vs local | Ray start s | driver RSS MB | shards "
             "| band shuffle MB "
             "| pair shuffle MB | posting shuffle MB | candidate pairs | verified | "
             "contained | clusters.jsonl identical |"),
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for docs, size, runs, same in rows:
        base = runs[args.kinds[0]]["seconds"]
        for kind, r in runs.items():
            pairs = r["pairs"]
            lines.append(
                f"| {docs:,} | {size / 1e6:.0f} | {kind} | {r['seconds']} | "
                f"{r['seconds'] / base:.2f}x | {r.get('startup_s', '-')} | {r['rss_mb']} | "
                f"{r.get('shards', '-')} | "
                f"{r.get('band_shuffle_mb', '-')} | {r.get('pair_shuffle_mb', '-')} | "
                f"{r.get('posting_shuffle_mb', '-')} | {pairs['candidate_pairs']:,} | "
                f"{pairs['verified_pairs']:,} | {pairs['contained_pairs']:,} | "
                f"{'yes' if same else 'NO'} |")
    with open(args.results, "a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
