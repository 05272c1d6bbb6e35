"""Speed and peak memory of `nearcopy spans` at 100k documents, against `nearcopy dedup`.

Why a synthetic corpus: the injected spans give a known answer (every pool
passage must come out as a span), and the size is exact. Each command runs as
its own process; its peak RSS is that process's ru_maxrss from wait4 (both
commands are single-process here: dedup runs with --workers 1).

    python bench/bench_spans.py --docs 100000 --work /tmp/bench_spans
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SPANS = "from nearcopy.cli.spans import spans_command; spans_command()"


def generate(path: Path, docs: int, seed: int, words: int, pool: int, share: float) -> dict:
    """Zipf-like prose; `share` of documents carry a 60-150 word passage from a pool."""
    rng = np.random.default_rng(seed)
    vocab = np.array([f"w{i}" for i in range(50_000)])
    weights = 1.0 / np.arange(1, vocab.size + 1)
    weights /= weights.sum()
    passages = [" ".join(rng.choice(vocab, rng.integers(60, 151), p=weights)) + " p" + str(i)
                for i in range(pool)]
    lengths = rng.integers(words // 2, words * 3 // 2, docs)
    all_words = rng.choice(vocab, int(lengths.sum()), p=weights)
    cuts = np.concatenate([[0], np.cumsum(lengths)])
    carriers, used = 0, np.zeros(pool, dtype=np.int64)
    with open(path, "w", encoding="utf-8") as handle:
        for d in range(docs):
            body = " ".join(all_words[cuts[d]:cuts[d + 1]])
            if rng.random() < share:
                carriers += 1
                half = body.find(" ", len(body) // 2)
                pick = rng.integers(pool)
                used[pick] += 1
                body = body[:half] + " " + passages[pick] + body[half:]
            handle.write(json.dumps({"id": f"doc{d}", "text": body}) + "\n")
    return {"documents": docs, "carriers": carriers, "pool": pool,
            "repeated": np.flatnonzero(used >= 2).tolist(),
            "mb": round(path.stat().st_size / 1e6, 1)}


def measure(cmd: list[str]) -> tuple[float, int]:
    """(seconds, peak RSS bytes) of one command run to completion."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    return seconds, usage.ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--words", type=int, default=250, help="mean words per document")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench_spans"))
    parser.add_argument("--shard-mb", type=int, nargs="*", default=[1024, 256],
                        help="runs of the span stage, one per shard size")
    parser.add_argument("--reuse-dedup", type=Path, default=None,
                        help="a previous `nearcopy dedup` output folder on the same corpus "
                             "(wall time from its stats.json; RSS not known)")
    parser.add_argument("--results", type=Path,
                        default=Path(__file__).with_name("RESULTS_spans.md"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    corpus = args.work / "corpus.jsonl"
    info = generate(corpus, args.docs, 1, args.words, pool=500, share=0.05)
    rows = []
    dedup_dir = args.reuse_dedup or args.work / "dedup"
    if args.reuse_dedup is None:
        seconds, rss = measure(["nearcopy", "dedup", str(corpus), "--out", str(dedup_dir),
                                "--workers", "1", "--quiet"])
    dedup_stats = json.loads((dedup_dir / "stats.json").read_text())
    if args.reuse_dedup is not None:
        seconds, rss = dedup_stats["total"]["seconds"], 0
    near = sum(v["seconds"] for k, v in dedup_stats["stages"].items()
               if k in ("sketch", "dedup"))
    containment = dedup_stats["stages"].get("dedup/containment", {}).get("seconds", 0.0)
    rows.append(("nearcopy dedup --workers 1", seconds, rss, "", ""))
    for shard_mb in args.shard_mb:
        out = args.work / f"spans_{shard_mb}"
        seconds, rss = measure([sys.executable, "-c", SPANS, str(corpus), "--out", str(out),
                                "--shard-mb", str(shard_mb), "--remove", "--quiet"])
        stats = json.loads((out / "stats.json").read_text())
        with open(out / "spans.jsonl", encoding="utf-8") as handle:
            found = {json.loads(line)["text"].split()[-1] for line in handle}
        recall = sum(f"p{i}" in found for i in info["repeated"]) / max(len(info["repeated"]), 1)
        rows.append((f"nearcopy spans --shard-mb {shard_mb} --remove", seconds, rss,
                     stats["shards"], (f"{stats['spans']} spans, {stats['tokens']:,} tokens, "
                                       f"stages {stats['stages']}, recall of passages used 2+ "
                                       f"times {recall:.2f}")))
    write_results(args, info, rows, near, containment)


def write_results(args, info, rows, near, containment) -> None:
    base = rows[0][1]
    lines = ["# Span stage: speed and memory", "",
             (f"Command: `python bench/bench_spans.py --docs {args.docs} --words {args.words}"
              f" --shard-mb {' '.join(map(str, args.shard_mb))}`"), "",
             (f"Corpus: {info['documents']:,} synthetic documents ({info['mb']} MB JSONL, "
              f"~{args.words} words each, Zipf vocabulary of 50k words); {info['carriers']:,} "
              f"carry one of {info['pool']} passages of 60-150 words. Machine: "
              f"{os.cpu_count()} cores, Python {sys.version.split()[0]}."), "",
             "| command | wall s | x dedup | peak RSS MB | shards | notes |",
             "|---|---:|---:|---:|---:|---|"]
    for name, seconds, rss, shards, notes in rows:
        memory = f"{rss / 2**20:,.0f}" if rss else "n/a"
        lines.append(f"| `{name}` | {seconds:.1f} | {seconds / base:.2f} | {memory} "
                     f"| {shards} | {notes} |")
    lines += ["", (f"Near-duplicate stage inside dedup (sketch + dedup stages): {near:.1f} s; "
                   f"its containment sub-stage: {containment:.1f} s."), ""]
    args.results.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
