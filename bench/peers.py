"""The pipelines the benchmark times, each run as its own process by run_bench.py.

Tools:
  datasketch    MinHash(num_perm) + MinHashLSH(threshold): insert all, query all, union-find.
  rensa         RMinHash.from_token_sets (bulk API) + RMinHashLSH(num_bands=16): insert_many,
                query_all, union-find. 16 bands because rensa needs num_perm % num_bands == 0
                (the optimal (9, 13) is not allowed); 16 x 8 is the closest S-curve at 0.8.
  nearcopy-sig  nearcopy's signature stage alone (`sketch_texts`, one core), for the
                like-for-like signature rate; its whole job is the CLI, run by run_bench.

Peers tokenize like nearcopy on ASCII text: lower-case, `[a-z0-9]+` words, word
5-gram shingles (one shingle of all words if fewer than 5). Every tool reads the
corpus through the same streaming reader in batches of 2000, so only the timed
stages differ. Peers merge every LSH candidate (no verification): that is the
pipeline as those libraries document it. Stages are timed in CPU seconds of this
process (`time.process_time`), so a shared, busy machine slows them less than
it slows wall time; a rate per CPU second is a one-core rate.

    python bench/peers.py rensa corpus.jsonl --out out/rensa
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import orjson

BATCH = 2000
NGRAM = 5
SEED = 42
RENSA_BANDS = 16
_WORD = re.compile(r"[a-z0-9]+")
_clock = time.process_time


def read_batches(path: Path, timer: dict) -> Iterator[tuple[list[str], list[str]]]:
    """(ids, texts) batches; time spent reading and parsing goes to timer['read']."""
    ids, texts = [], []
    start = _clock()
    with open(path, "rb") as handle:
        for line in handle:
            record = orjson.loads(line)
            ids.append(record["id"])
            texts.append(record["text"])
            if len(texts) == BATCH:
                timer["read"] += _clock() - start
                yield ids, texts
                ids, texts = [], []
                start = _clock()
    timer["read"] += _clock() - start
    if texts:
        yield ids, texts


def shingles(text: str) -> set[str]:
    words = _WORD.findall(text.lower())
    if len(words) < NGRAM:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i:i + NGRAM]) for i in range(len(words) - NGRAM + 1)}


class UnionFind:
    def __init__(self, size: int):
        self.parent = list(range(size))

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def clusters(self) -> list[list[int]]:
        groups: dict[int, list[int]] = {}
        for x in range(len(self.parent)):
            groups.setdefault(self.find(x), []).append(x)
        return [g for g in groups.values() if len(g) > 1]


def run_datasketch(path: Path, threshold: float, num_perm: int, timer: dict, sig_only: bool):
    from datasketch import MinHash, MinHashLSH

    template = MinHash(num_perm=num_perm, seed=SEED)   # permutations are shared, not redrawn
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    all_ids, sketches, nbytes = [], [], 0
    for ids, texts in read_batches(path, timer):
        t0 = _clock()
        token_sets = [[s.encode("utf-8") for s in shingles(t)] for t in texts]
        t1 = _clock()
        batch = []
        for tokens in token_sets:
            m = MinHash(num_perm=num_perm, seed=SEED, permutations=template.permutations,
                        scheme=template.scheme)
            m.update_batch(tokens)
            batch.append(m)
        t2 = _clock()
        timer["tokenize"] += t1 - t0
        timer["sketch"] += t2 - t1
        nbytes += sum(len(t.encode("utf-8")) for t in texts)
        if not sig_only:
            with lsh.insertion_session() as session:
                for key, m in zip(range(len(all_ids), len(all_ids) + len(ids)), batch):
                    session.insert(key, m)
            timer["lsh"] += _clock() - t2
            sketches.extend(batch)
        all_ids.extend(ids)
    if sig_only:
        return all_ids, nbytes, []
    t0 = _clock()
    uf = UnionFind(len(all_ids))
    for key, m in enumerate(sketches):
        for other in lsh.query(m):
            uf.union(key, other)
    timer["lsh"] += _clock() - t0
    return all_ids, nbytes, _clusters(uf, timer)


def run_rensa(path: Path, threshold: float, num_perm: int, timer: dict, sig_only: bool):
    from rensa import RMinHash, RMinHashLSH

    lsh = RMinHashLSH(threshold=threshold, num_perm=num_perm, num_bands=RENSA_BANDS)
    all_ids, sketches, nbytes = [], [], 0
    for ids, texts in read_batches(path, timer):
        t0 = _clock()
        token_sets = [shingles(t) for t in texts]
        t1 = _clock()
        batch = RMinHash.from_token_sets(token_sets, num_perm, SEED)
        t2 = _clock()
        timer["tokenize"] += t1 - t0
        timer["sketch"] += t2 - t1
        nbytes += sum(len(t.encode("utf-8")) for t in texts)
        if not sig_only:
            lsh.insert_many(batch, start_key=len(all_ids))
            timer["lsh"] += _clock() - t2
            sketches.extend(batch)
        all_ids.extend(ids)
    if sig_only:
        return all_ids, nbytes, []
    t0 = _clock()
    uf = UnionFind(len(all_ids))
    for key, found in enumerate(lsh.query_all(sketches)):
        for other in found:
            uf.union(key, int(other))
    timer["lsh"] += _clock() - t0
    return all_ids, nbytes, _clusters(uf, timer)


def run_nearcopy_sig(path: Path, threshold: float, num_perm: int, timer: dict, sig_only: bool):
    """Signature stage only: timer['sketch'] without shingle sets (what peers compute),
    timer['sketch_with_sets'] with them (what `nearcopy dedup --verify exact` computes)."""
    from nearcopy.dedup.sketch import SketchParams, sketch_texts

    params = SketchParams(num_perm=num_perm, ngram=NGRAM, shingle="word", seed=SEED)
    sketch_texts(["warm up the compiled kernel once"], params)   # numba cache load, untimed
    all_ids, nbytes = [], 0
    for ids, texts in read_batches(path, timer):
        t0 = _clock()
        sketch_texts(texts, params, keep_sets=False)
        t1 = _clock()
        sketch_texts(texts, params, keep_sets=True)
        timer["sketch"] += t1 - t0
        timer["sketch_with_sets"] += _clock() - t1
        nbytes += sum(len(t.encode("utf-8")) for t in texts)
        all_ids.extend(ids)
    return all_ids, nbytes, []


def _clusters(uf: UnionFind, timer: dict) -> list[list[int]]:
    t0 = _clock()
    found = uf.clusters()
    timer["cluster"] += _clock() - t0
    return found


TOOLS = {"datasketch": run_datasketch, "rensa": run_rensa, "nearcopy-sig": run_nearcopy_sig}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run one benchmarked pipeline.")
    parser.add_argument("tool", choices=sorted(TOOLS))
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--threshold", type=float, default=0.8)
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--signature-only", action="store_true")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    timer = dict.fromkeys(("read", "tokenize", "sketch", "sketch_with_sets", "lsh", "cluster"),
                          0.0)
    ids, nbytes, clusters = TOOLS[args.tool](args.corpus, args.threshold, args.num_perm, timer,
                                             args.signature_only or args.tool == "nearcopy-sig")
    with open(args.out / "clusters.jsonl", "wb") as handle:
        for members in clusters:
            handle.write(orjson.dumps({"members": [ids[i] for i in members]}) + b"\n")
    result = {"tool": args.tool, "documents": len(ids), "bytes": nbytes,
              "seconds": {k: round(v, 4) for k, v in timer.items()},
              "in_process_seconds": round(time.perf_counter() - started, 4)}
    (args.out / "result.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    print(orjson.dumps(result).decode(), file=sys.stdout)


if __name__ == "__main__":
    main()
