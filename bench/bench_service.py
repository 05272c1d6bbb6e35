"""Load test of `nearcopy serve`: N concurrent clients on loopback against a prefilled index.

    python bench/bench_service.py --docs 100000 --clients 8 --seconds 20

Prefills an index with --docs synthetic news-like documents (through the
library, on all cores), starts the real server process on 127.0.0.1, then runs
two bounded phases with --clients threads each: queries only, then adds only
(new documents, 1 in 5 a near copy of an indexed one). Reports requests/s and
p50/p99 latency and writes bench/RESULTS_service.md. Everything is bounded:
--seconds per phase and at most --max-requests per phase.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.client import HTTPConnection
from pathlib import Path

import httpx
import orjson

from nearcopy.config import DedupConfig
from nearcopy.document import Document
from nearcopy.index import Index
from nearcopy.index.steps import _prepare

HERE = Path(__file__).resolve().parent
WORDS = ["market", "bank", "rate", "oil", "price", "trade", "company", "shares", "profit", "quarter", "year", "said", "government", "minister", "policy", "growth", "export", "import", "dollar", "yen", "crude", "output", "plant", "workers", "union", "strike", "port", "ship", "grain", "wheat", "harvest", "farm", "city", "council", "bridge", "mayor", "vote", "budget", "tax", "school", "library", "storm", "power", "coast", "road", "police", "court", "judge", "law", "bill", "senate"]


def make_text(rng: random.Random, words: int) -> str:
    sentences, line = [], []
    for _ in range(words):
        line.append(rng.choice(WORDS) + str(rng.randint(0, 9999)))
        if len(line) >= 12:
            sentences.append(" ".join(line).capitalize() + ".")
            line = []
    return " ".join(sentences + [" ".join(line)]).strip()


def mutate(rng: random.Random, text: str, fraction: float) -> str:
    tokens = text.split()
    for i in rng.sample(range(len(tokens)), int(len(tokens) * fraction)):
        tokens[i] = "edit" + str(rng.randint(0, 10**9))
    return " ".join(tokens)


def prefill(path: Path, docs: int, words: int, cleaning: str) -> list[str]:
    """Build the index on all cores; returns a sample of indexed texts for near-copy queries."""
    from nearcopy.executors.local import LocalExecutor

    rng = random.Random(1)
    sample = []
    with Index.create(path, DedupConfig(), cleaning=cleaning, synchronous="NORMAL") as index:
        def batches():
            for start in range(0, docs, 2000):
                chunk = []
                for i in range(start, min(docs, start + 2000)):
                    text = make_text(rng, words)
                    if len(sample) < 2000 and i % 50 == 0:
                        sample.append(text)
                    chunk.append(Document(f"p{i}", text))
                yield index.preparer, chunk

        with LocalExecutor(os.cpu_count() or 1) as executor:
            for batch in executor.map_ordered(_prepare, batches()):
                index.insert_prepared([batch])
        index.save()
    return sample


class Server:
    def __init__(self, index: Path, port: int):
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "nearcopy.service", "--index",
                                      str(index), "--port", str(port)])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)


def run_phase(url: str, clients: int, seconds: float, max_requests: int, make_request):
    """Each client loops until time or request budget is spent; returns latencies (s)."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    budget = [max_requests]
    end = time.monotonic() + seconds

    def client(k: int) -> None:
        # The load generator shares the 2 cores with the server, so it must be cheap: one
        # keep-alive stdlib connection per client (httpx cost ~3x the CPU per request).
        rng = random.Random(k)
        host, port = url.removeprefix("http://").split(":")
        http = HTTPConnection(host, int(port), timeout=30)
        try:
            while time.monotonic() < end:
                with lock:
                    if budget[0] <= 0:
                        return
                    budget[0] -= 1
                method, path, body = make_request(rng, k)
                payload = orjson.dumps(body)
                t0 = time.perf_counter()
                http.request(method, path, body=payload,
                             headers={"Content-Type": "application/json"})
                r = http.getresponse()
                data = r.read()
                took = time.perf_counter() - t0
                with lock:
                    latencies.append(took)
                    if r.status != 200:
                        errors.append(f"{r.status} {data[:200]!r}")
        finally:
            http.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.monotonic() - started


def summary(name: str, latencies: list[float], errors: list[str], wall: float) -> dict:
    ordered = sorted(latencies)
    pick = (lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000) \
        if ordered else (lambda q: float("nan"))
    return {"phase": name, "requests": len(ordered), "errors": len(errors),
            "per_second": len(ordered) / wall if wall else 0.0, "p50_ms": pick(0.50),
            "p99_ms": pick(0.99), "mean_ms": statistics.fmean(ordered) * 1000 if ordered else 0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--words", type=int, default=150, help="words per document")
    ap.add_argument("--clients", default="1,4,8",
                    help="comma-separated client counts; each runs a query and an add phase")
    ap.add_argument("--seconds", type=float, default=20.0, help="per phase")
    ap.add_argument("--max-requests", type=int, default=20_000, help="per phase")
    ap.add_argument("--cleaning", choices=["clean", "normalize", "none"], default="clean")
    ap.add_argument("--port", type=int, default=8731)
    ap.add_argument("--out", type=Path, default=HERE / "RESULTS_service.md")
    ap.add_argument("--index", type=Path, default=None,
                    help="keep the prefilled index here and reuse it when it exists "
                         "(its query sample is kept beside it); default: a temporary file")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.index or Path(tmp) / "bench.db"
        sample_file = path.with_name(path.name + ".sample.txt")
        t0 = time.monotonic()
        if args.index is not None and path.exists() and sample_file.exists():
            sample, build_s = sample_file.read_text().split("\n"), float("nan")
        else:
            sample = prefill(path, args.docs, args.words, args.cleaning)
            build_s = time.monotonic() - t0
            if args.index is not None:
                sample_file.write_text("\n".join(sample))
        size_mb = path.stat().st_size / 2**20
        with Index.open(path) as index:
            indexed = len(index)
        server = Server(path, args.port)
        try:
            def query(rng, k):
                text = rng.choice(sample)
                roll = rng.random()
                text = text if roll < 0.3 else mutate(rng, text, 0.1) if roll < 0.6 \
                    else make_text(rng, args.words)
                return "POST", "/v1/query", {"text": text}

            counter = iter(range(10**9))

            def add(rng, k):
                n = next(counter)
                text = mutate(rng, rng.choice(sample), 0.1) if n % 5 == 0 \
                    else make_text(rng, args.words)
                return "POST", "/v1/documents", {"id": f"bench-{k}-{n}", "text": text}

            results = []
            for clients in [int(c) for c in str(args.clients).split(",")]:
                for name, make in (("query", query), ("add", add)):
                    found = run_phase(server.url, clients, args.seconds, args.max_requests, make)
                    results.append({**summary(name, *found), "clients": clients})
        finally:
            server.stop()
    write_results(args, results, build_s, size_mb, indexed)


def write_results(args, results: list[dict], build_s: float, size_mb: float,
                  indexed: int) -> None:
    lines = ["# Service load test (bench/bench_service.py)", "",
             f"Command: `python bench/bench_service.py --docs {args.docs} --clients "
             f"{args.clients} --seconds {args.seconds} --cleaning {args.cleaning}`", "",
             f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()}. Server and clients share the machine.", "",
             f"Index: {indexed} documents of ~{args.words} words when the run began (each add "
             f"phase adds more), cleaning `{args.cleaning}`, "
             + ("reused from an earlier run" if build_s != build_s else f"built in {build_s:.0f} s")
             + f", {size_mb:.0f} MiB on disk. "
             f"Concurrent clients ({args.clients}) on 127.0.0.1, one request at a time each, "
             f"{args.seconds:.0f} s per phase. Adds are one document per request, each "
             "acknowledged after a durable commit (WAL, synchronous=FULL, group commit).", "",
             "| clients | phase | requests | errors | requests/s | p50 ms | p99 ms | mean ms |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['clients']} | {r['phase']} | {r['requests']} | {r['errors']} | "
                     f"{r['per_second']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
                     f"{r['mean_ms']:.1f} |")
    text = "\n".join(lines) + "\n"
    args.out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
