"""Throughput of the cleaning stage (docs/s, MB/s) and the language-ID share of its time.

Corpus: ../shared/eval/news_copies/docs.jsonl (9,580 news pages, 12.6 MB), or
--corpus FILE.jsonl. Runs the per-document cleaner in 1 process (with the
time split rules vs language ID) and the full `clean_corpus` (incl. corpus
boilerplate, writing outputs) with --workers processes.
With --html, also compares Resiliparse and trafilatura main-text extraction on
news-like pages built from the corpus (body kept %, chrome left %, pages/s).

With --jobs, also runs `nearcopy run` (clean + dedup), `nearcopy dedup` (no
cleaning) and `nearcopy clean` on the corpus with --workers, --repeat times each,
alternating (the clean job against the dedup job is the whole-command comparison), and
reports per-stage wall seconds from their stats.json plus each job's wall and
CPU seconds (all processes). Both jobs read and sketch in one pass (`run` cleans
in it too), so cleaning's cost is what `run` takes beyond `dedup`: its wall time
against the dedup job's stages (read_sketch + dedup), and its CPU against the
whole dedup job's CPU. CPU time is the fairer yardstick on a shared machine. The ratios
come as ratios of the medians and, per round of the three jobs, as [min, median, max]
(`paired_ratios`).

Usage: python bench/bench_clean.py [--corpus F] [--workers 2] [--limit N] [--html]
                                   [--jobs] [--repeat 3]
"""

from __future__ import annotations

import argparse
import html
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nearcopy.clean import CleanConfig, Cleaner
from nearcopy.clean.corpus import clean_corpus
from nearcopy.document import Document

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "news_copies" / "docs.jsonl"


def load(path: Path, limit: int | None) -> list[Document]:
    docs = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            docs.append(Document(rec["id"], rec["text"]))
            if limit and len(docs) >= limit:
                break
    return docs


def bench_single(docs: list[Document]) -> dict:
    """Wall and CPU time of `Cleaner.clean` in this process (CPU time is steadier on a
    shared machine), the language-ID share, and how many lines reached the model."""
    from nearcopy.clean import language, normalize
    cleaner = Cleaner(CleanConfig())
    cleaner.clean(Document("warm-up", "Load the language model outside the timing."))
    # One-time loads outside the timing: that warm-up line is guessed English from its
    # function words, so it never reached the model; ftfy loads on the first non-ASCII text.
    language._load_model()
    normalize._ftfy_tables()
    language._predict_text.cache_clear()
    cleaner.timings.update(dict.fromkeys(cleaner.timings, 0.0))
    start, cpu = time.perf_counter(), time.process_time()
    for doc in docs:
        cleaner.clean(doc)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    mb = sum(len(d.text.encode("utf-8")) for d in docs) / 1e6
    share = cleaner.timings["language_id"] / max(1e-9, sum(cleaner.timings.values()))
    cache = language._predict_text.cache_info()
    return {"workers": 1, "docs_per_s": round(len(docs) / elapsed), "mb_per_s": round(mb / elapsed, 2),
            "seconds": round(elapsed, 2), "cpu_seconds": round(cpu, 2),
            "cpu_mb_per_s": round(mb / cpu, 2), "language_id_share": round(share, 3),
            "model_calls": cache.misses, "model_cache_hits": cache.hits}


def bench_corpus(docs: list[Document], workers: int) -> dict:
    mb = sum(len(d.text.encode("utf-8")) for d in docs) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        summary = clean_corpus(iter(docs), Path(tmp), CleanConfig(), workers=workers)
        elapsed = time.perf_counter() - start
    return {"workers": workers, "docs_per_s": round(len(docs) / elapsed),
            "mb_per_s": round(mb / elapsed, 2), "seconds": round(elapsed, 2),
            "boilerplate_seconds": summary["seconds"]["boilerplate"],
            "note": "includes process start-up, JSON output and the corpus boilerplate pass"}


def run_job(command: str, corpus: Path, workers: int, out: Path) -> dict:
    """One `nearcopy COMMAND` as a child process (the installed command, as users run it):
    wall, CPU (user+sys), stage seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "nearcopy"), command, str(corpus), "--out",
                    str(out), "--workers", str(workers), "--quiet"], check=True,
                   env={**os.environ, "PYTHONWARNINGS": "ignore"})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    stages = json.loads((out / "stats.json").read_text()).get("stages", {})  # clean: none
    return {"wall": wall, "cpu": cpu,
            "stages": {k: v["seconds"] for k, v in stages.items() if "/" not in k}}


def bench_jobs(corpus: Path, workers: int, repeat: int) -> dict:
    """`run`, `dedup` and `clean` on the same corpus, alternating; medians of `repeat` runs."""
    import compileall

    import nearcopy
    # bytecode once, as an installed package has it (else each job compiles every module)
    compileall.compile_dir(Path(nearcopy.__file__).parent, quiet=1)
    runs: dict[str, list[dict]] = {"run": [], "dedup": [], "clean": []}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat):
            for command in runs:
                runs[command].append(run_job(command, corpus, workers, Path(tmp) / f"{command}{i}"))
    med = statistics.median
    run_stages = {k: round(med(r["stages"].get(k, 0.0) for r in runs["run"]), 2)
                  for k in runs["run"][0]["stages"]}
    dedup_stages = {k: round(med(r["stages"].get(k, 0.0) for r in runs["dedup"]), 2)
                    for k in runs["dedup"][0]["stages"]}
    run_wall, dedup_wall = med(r["wall"] for r in runs["run"]), med(r["wall"] for r in runs["dedup"])
    clean_wall, clean_cpu = med(r["wall"] for r in runs["clean"]), med(r["cpu"] for r in runs["clean"])
    run_cpu, dedup_cpu = med(r["cpu"] for r in runs["run"]), med(r["cpu"] for r in runs["dedup"])
    # `run` reads, cleans and sketches in one pass; `dedup` reads and sketches in one pass.
    dedup_stage_s = dedup_stages["read_sketch"] + dedup_stages["dedup"]
    ratios = job_ratios({"wall": run_wall, "cpu": run_cpu},
                        {"wall": dedup_wall, "cpu": dedup_cpu, "stages": dedup_stages},
                        {"wall": clean_wall})
    return {"workers": workers, "repeat": repeat,
            "run_stages_wall_s": run_stages, "dedup_stages_wall_s": dedup_stages,
            "run_job": {"wall_s": round(run_wall, 2), "cpu_s": round(run_cpu, 2)},
            "dedup_job": {"wall_s": round(dedup_wall, 2), "cpu_s": round(dedup_cpu, 2)},
            "clean_job": {"wall_s": round(clean_wall, 2), "cpu_s": round(clean_cpu, 2)},
            "clean_job_over_dedup_job_wall": round(ratios["clean_job_over_dedup_job_wall"], 2),
            "cleaning_wall_added_s": round(run_wall - dedup_wall, 2),
            "dedup_stage_wall_s": round(dedup_stage_s, 2),
            "cleaning_over_dedup_stage_wall": round(ratios["cleaning_over_dedup_stage_wall"], 2),
            "cleaning_cpu_added_s": round(run_cpu - dedup_cpu, 2),
            "cleaning_cpu_added_over_dedup_job_cpu":
                round(ratios["cleaning_cpu_added_over_dedup_job_cpu"], 2),
            "paired_ratios": paired_ratios(runs),
            "load_average": os.getloadavg()}


def job_ratios(run: dict, dedup: dict, clean: dict) -> dict[str, float]:
    """The three ratios of a `run`, a `dedup` and a `clean` job (or of their medians): the
    clean job's wall against the dedup job's; the wall and the CPU that cleaning adds to
    `run`, against the dedup stages' wall and the dedup job's CPU."""
    stages = dedup["stages"]["read_sketch"] + dedup["stages"]["dedup"]
    return {"clean_job_over_dedup_job_wall": clean["wall"] / dedup["wall"],
            "cleaning_over_dedup_stage_wall": (run["wall"] - dedup["wall"]) / stages,
            "cleaning_cpu_added_over_dedup_job_cpu": (run["cpu"] - dedup["cpu"]) / dedup["cpu"]}


def paired_ratios(runs: dict[str, list[dict]]) -> dict[str, list[float]]:
    """`job_ratios` per round of the alternating jobs, as [min, median, max]: a round's
    jobs ran back to back, so its ratios share the box's state (its load drifts over a
    bench by more than the ratios differ)."""
    rounds = [job_ratios(*jobs) for jobs in zip(runs["run"], runs["dedup"], runs["clean"])]
    return {name: [round(min(values), 2), round(statistics.median(values), 2),
                   round(max(values), 2)]
            for name, values in ((name, [r[name] for r in rounds]) for name in rounds[0])}


def make_page(title: str, paragraphs: list[str]) -> str:
    """A content-farm-like page: nav, breadcrumb, sidebar teasers, share bar, cookie banner."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    title = html.escape(title)
    teasers = "".join(f"<li><a href='/t{i}'>Teaser headline number {i} about markets...</a></li>"
                      for i in range(8))
    return (f"<html><head><title>{title}</title><script>var a=1;</script></head><body>"
            "<header><nav><ul><li><a href='/'>Home</a></li><li><a href='/n'>News</a></li>"
            "<li><a href='/b'>Business</a></li></ul></nav></header>"
            "<div class='crumbs'>Home &gt; News &gt; World Business</div>"
            f"<main><article><h1>{title}</h1><div class='meta'>Source: WorldNewsWire | "
            f"02.06.2015 11:33</div>{body}<div class='share'>Share this article</div></article>"
            f"<aside><h3>Related</h3><ul>{teasers}</ul></aside></main>"
            "<div class='cookie'>We use cookies to ensure that we give you the best experience "
            "on our website.</div><footer>Copyright 2015 Example Media. All rights reserved."
            "</footer></body></html>")


def bench_html(docs: list[Document], n: int = 300) -> dict:
    from nearcopy.io.html import html_to_text
    pages = []
    for doc in docs[:n]:
        lines = [line for line in doc.text.split("\n") if line.strip()]
        pages.append((make_page(lines[0], lines[1:]), lines[1:]))
    out = {}
    for backend in ("resiliparse", "trafilatura"):
        start = time.perf_counter()
        texts = [html_to_text(html, backend=backend) for html, _ in pages]
        elapsed = time.perf_counter() - start
        kept = sum(sum(p in text for p in paras) for text, (_, paras) in zip(texts, pages))
        total = sum(len(paras) for _, paras in pages)
        chrome = sum(("Teaser headline" in t) + ("Share this" in t) + ("cookies" in t)
                     + ("Home" in t) for t in texts) / (4 * len(texts))
        out[backend] = {"pages_per_s": round(len(pages) / elapsed, 1),
                        "body_paragraphs_kept": round(kept / total, 4),
                        "chrome_left": round(chrome, 3)}
    return out


def kernels_in_use() -> str:
    """"aot", or "jit" with a warning: when the ahead-of-time build fails, every process
    falls back to numba's JIT (same results, ~1 s more each), and timings of such a tree
    would compare start-ups, not cleaning."""
    from nearcopy.native import aot

    if aot.load() is not None:
        return "aot"
    print("bench_clean: the compiled kernels are not built (see the *.failed file in "
          f"{aot.cache_dir()}); every job runs numba's JIT", file=sys.stderr)
    return "jit"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--html", action="store_true")
    parser.add_argument("--jobs", action="store_true",
                        help="also time `nearcopy run` against `nearcopy dedup` (see above)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if not args.corpus.exists():
        print(f"corpus {args.corpus} not found; skipping")
        return 0
    docs = load(args.corpus, args.limit)
    result = {"documents": len(docs),
              "mb": round(sum(len(d.text.encode('utf-8')) for d in docs) / 1e6, 2),
              "kernels": kernels_in_use(),
              "single_process": bench_single(docs),
              "clean_corpus": bench_corpus(docs, args.workers)}
    if args.jobs:
        result["jobs"] = bench_jobs(args.corpus, args.workers, args.repeat)
    if args.html:
        result["html_extraction"] = bench_html(docs)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
