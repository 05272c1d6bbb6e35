"""Speed, memory and accuracy of nearcopy against datasketch and rensa, in one command.

Why one command, same run: the machine is shared and noisy, so speed is only
reported as a ratio against a peer measured minutes apart on the same corpus.
Every tool runs in its own process (peak RSS per tool, see rss.py) on the same
generated corpus (generate.py), and every tool's clusters are scored against
the same exact ground truth (pairs with word-5-gram Jaccard >= 0.8).

    python bench/run_bench.py --sizes 20000 100000 --peers datasketch rensa
    python bench/run_bench.py --sizes 1000000 --peers-max-size 100000   # nearcopy memory
    python bench/run_bench.py --smoke --results /tmp/smoke.md           # CI: seconds

With several --workers, each size also runs the -j1/-j2 pair once more with its
outputs (and the job's spill files, which live beside them) on a RAM file system
(/dev/shm, when it has room): the same code without the disk, so the scaling line
can tell what the code does from what this machine's disk allows.

Results go to bench/RESULTS_speed.md: one section per set of sizes, replaced on rerun.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import shlex
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
from ceiling import disk_bound, disk_write_rate, parallel_ceiling  # noqa: E402
from rss import run_measured  # noqa: E402

THRESHOLD = 0.8
NUM_PERM = 128
GOALS = {"sig_vs_rensa": 5.0, "job_vs_rensa": 5.0, "job_vs_datasketch": 20.0,
         "scaling": 1.8, "recall": 0.98, "false_merge": 1 / 200, "rss_over_sig_mb": 100.0}


@dataclass
class ToolRun:
    """One tool on one corpus: timings, memory, accuracy (None where not measured)."""

    tool: str
    wall: float | None = None
    cpu: float | None = None
    load: float | None = None
    rss: int | None = None
    sig_mbps: float | None = None
    recall: float | None = None
    false_merge: float | None = None
    clusters: int | None = None
    stages: dict = field(default_factory=dict)   # name -> seconds
    error: str | None = None


# -- corpus and ground truth ---------------------------------------------------------------
def corpus_for(size: int, seed: int, work: Path, check: bool) -> tuple[Path, dict]:
    """Generate (or reuse, if made by the same generator source) the corpus of `size` docs."""
    folder = work / f"corpus-{size}-s{seed}"
    source = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:12]
    meta_path = folder / "meta.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("generator") == source and (not check or "unrelated_check" in meta):
            return folder, meta
    print(f"[bench] generating {size} documents in {folder}", flush=True)
    meta = generate.generate(size, folder, seed=seed, check=check)
    meta["generator"] = source
    meta_path.write_text(json.dumps(meta, indent=1))
    return folder, meta


class Truth:
    """Ground-truth components: connected components of pairs with exact J >= THRESHOLD."""

    def __init__(self, truth_path: Path):
        self.pairs: list[tuple[str, str]] = []
        parent: dict[str, str] = {}

        def find(x):
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        with open(truth_path) as handle:
            for line in handle:
                for a, b, jac in json.loads(line)["pairs"]:
                    if jac >= THRESHOLD:
                        self.pairs.append((a, b))
                        ra, rb = find(a), find(b)
                        if ra != rb:
                            parent[rb] = ra
        self.component = {x: find(x) for x in parent}

    def score(self, clusters_path: Path) -> tuple[float, float, int]:
        """(recall over true pairs, false-merge rate over predicted clusters, clusters)."""
        cluster_of: dict[str, int] = {}
        merged = total = 0
        with open(clusters_path, "rb") as handle:
            for number, line in enumerate(handle):
                members = json.loads(line)["members"]
                total += 1
                merged += len({self.component.get(m, m) for m in members}) > 1
                for m in members:
                    cluster_of[m] = number
        found = sum(1 for a, b in self.pairs
                    if a in cluster_of and cluster_of.get(b) == cluster_of[a])
        recall = found / len(self.pairs) if self.pairs else 1.0
        return recall, (merged / total if total else 0.0), total


# -- tools -----------------------------------------------------------------------------------
def nearcopy_exe() -> Path:
    return Path(sys.executable).parent / "nearcopy"


def compile_bytecode() -> None:
    """Compile nearcopy's modules to bytecode once, as `pip install` does for an installed
    package (the peers' wheels come compiled). An editable install under
    PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module in every job: 0.1 s."""
    import compileall

    import nearcopy
    compileall.compile_dir(Path(nearcopy.__file__).parent, quiet=1)


def has_containment_flag() -> bool:
    """Partial-copy (containment) merging is newer than this benchmark; detect the flag."""
    import subprocess
    help_text = subprocess.run([str(nearcopy_exe()), "dedup", "--help"], capture_output=True,
                               text=True, check=False).stdout
    return "--containment" in help_text


def run_nearcopy_job(corpus: Path, out: Path, workers: int, truth: Truth, *,
                     containment: bool) -> ToolRun:
    """The CLI whole job. Without `containment` it is the pure Jaccard task (what the
    ground truth and the peers do); with it, the default partial-copy merging is on."""
    cmd = [str(nearcopy_exe()), "dedup", str(corpus), "--out", str(out), "--workers",
           str(workers), "--threshold", str(THRESHOLD), "--num-perm", str(NUM_PERM), "--quiet"]
    if not containment and has_containment_flag():
        cmd += ["--containment", "0"]
    run = ToolRun(f"nearcopy dedup -j{workers}" + (" +containment" if containment else ""))
    measured = run_measured(cmd)
    if measured.returncode != 0:
        run.error = measured.stderr.strip().splitlines()[-1:] or ["failed"]
        return run
    stats = json.loads((out / "stats.json").read_text())
    _take(run, measured)
    run.stages = {name: s["seconds"] for name, s in stats["stages"].items()}
    run.stages["total (stats.json)"] = stats["total"]["seconds"]
    run.recall, run.false_merge, run.clusters = truth.score(out / "clusters.jsonl")
    return run


def run_peer(tool: str, corpus: Path, out: Path, truth: Truth | None) -> ToolRun:
    cmd = [sys.executable, str(HERE / "peers.py"), tool, str(corpus), "--out", str(out),
           "--threshold", str(THRESHOLD), "--num-perm", str(NUM_PERM)]
    run = ToolRun(tool)
    measured = run_measured(cmd)
    if measured.returncode != 0:
        run.error = measured.stderr.strip().splitlines()[-1:] or ["failed"]
        return run
    result = json.loads((out / "result.json").read_text())
    sec = result["seconds"]
    _take(run, measured)
    run.stages = {k: v for k, v in sec.items() if v}
    signature = sec["tokenize"] + sec["sketch"]
    run.sig_mbps = result["bytes"] / 1e6 / signature if signature else None
    if tool == "nearcopy-sig" and sec["sketch_with_sets"]:
        run.stages["with_sets_mb_per_s"] = round(result["bytes"] / 1e6 / sec["sketch_with_sets"], 1)
    if truth is not None:
        run.recall, run.false_merge, run.clusters = truth.score(out / "clusters.jsonl")
    return run


def _take(run: ToolRun, measured) -> None:
    run.wall, run.cpu, run.load, run.rss = (measured.seconds, measured.cpu_seconds,
                                            measured.load, measured.peak_rss)


#: corpora from this size on also measure the disk's durable write rate (512 MB, ~1.5 s)
DISK_RATE_MIN_SIZE = 100_000
#: the RAM file system of the in-memory pair, and the room it needs (x corpus bytes:
#: kept + removed, clusters and spill files)
MEMORY_FS = Path("/dev/shm")
MEMORY_ROOM = 3
#: suffix of the tool name of a run whose outputs were written to MEMORY_FS
IN_MEMORY = " (outputs in RAM)"


def memory_folder(corpus_bytes: int) -> Path | None:
    """A folder on the RAM file system for the in-memory pair, or None (no such file
    system, or too little room)."""
    try:
        usage = os.statvfs(MEMORY_FS)
    except OSError:
        return None
    if usage.f_bavail * usage.f_frsize < MEMORY_ROOM * corpus_bytes:
        return None
    return Path(tempfile.mkdtemp(prefix="nearcopy-bench-", dir=MEMORY_FS))


def bench_size(size: int, args, work: Path) -> tuple[dict, list[ToolRun]]:
    folder, meta = corpus_for(size, args.seed, work, check=size <= args.check_max_size)
    corpus = folder / "corpus.jsonl"
    truth = Truth(folder / "truth.jsonl")
    runs = [run_peer("nearcopy-sig", corpus, work / f"out-{size}" / "nearcopy-sig", None)]
    if len(args.workers) > 1:
        meta["ceiling"] = parallel_ceiling(corpus)
        if size >= DISK_RATE_MIN_SIZE:
            meta["disk_mbps"] = disk_write_rate(work)
    for workers in args.workers:
        print(f"[bench] {size}: nearcopy dedup --workers {workers}", flush=True)
        out = work / f"out-{size}" / f"nearcopy-j{workers}"
        runs.append(run_nearcopy_job(corpus, out, workers, truth, containment=False))
        meta["output_bytes"] = sum(f.stat().st_size for f in out.glob("*.jsonl"))
    memory = memory_folder(meta["bytes"]) if len(args.workers) > 1 and not args.smoke \
        and args.in_memory else None
    if memory is not None:
        try:
            for workers in args.workers:
                print(f"[bench] {size}: nearcopy dedup --workers {workers}, outputs in "
                      f"{MEMORY_FS}", flush=True)
                run = run_nearcopy_job(corpus, memory / f"j{workers}", workers, truth,
                                       containment=False)
                run.tool += IN_MEMORY
                runs.append(run)
                shutil.rmtree(memory / f"j{workers}", ignore_errors=True)
        finally:
            shutil.rmtree(memory, ignore_errors=True)
    if size <= args.peers_max_size:
        if not args.smoke and has_containment_flag():
            print(f"[bench] {size}: nearcopy dedup --workers 1 with containment", flush=True)
            runs.append(run_nearcopy_job(corpus, work / f"out-{size}" / "nearcopy-j1-cont", 1,
                                         truth, containment=True))
        for peer in args.peers:
            print(f"[bench] {size}: {peer}", flush=True)
            runs.append(run_peer(peer, corpus, work / f"out-{size}" / peer, truth))
    meta["true_pairs"] = len(truth.pairs)
    return meta, runs


# -- report ----------------------------------------------------------------------------------
def _fmt(value, spec: str = ".2f", none: str = "–") -> str:
    return none if value is None else format(value, spec)


def _by_tool(runs: list[ToolRun]) -> dict[str, ToolRun]:
    return {r.tool: r for r in runs if r.error is None}


def main_table(size: int, meta: dict, runs: list[ToolRun]) -> list[str]:
    tools = _by_tool(runs)
    nc_sig, nc_job = tools.get("nearcopy-sig"), tools.get("nearcopy dedup -j1")
    mb = meta["bytes"] / 1e6
    sig_mb = size * NUM_PERM * 4 / 1e6
    lines = [f"**{size:,} documents, {mb:,.0f} MB** ({meta['families']:,} copy families, "
             f"{meta['true_pairs']:,} true pairs at J >= {THRESHOLD}; signature arrays "
             f"{sig_mb:,.0f} MB)", "",
             "| tool | signature MB/s (1 core) | nearcopy sig x | job wall s | job CPU s | "
             "job MB/CPU s | nearcopy -j1 x (CPU) | peak RSS MB | RSS - signatures MB | "
             "recall | false-merge | clusters | load |", "|" + "---|" * 13]
    for run in runs:
        if run.error:
            lines.append(f"| {run.tool} | failed: {run.error} |" + " |" * 11)
            continue
        job = run is not nc_sig
        sig_x = nc_sig.sig_mbps / run.sig_mbps if nc_sig and run.sig_mbps else None
        job_x = run.cpu / nc_job.cpu if nc_job and job else None
        rss_mb = run.rss / 1e6 if job else None
        lines.append(
            f"| {run.tool} | {_fmt(run.sig_mbps, '.1f')} | {_fmt(sig_x, '.1f')} | "
            f"{_fmt(run.wall if job else None, '.1f')} | {_fmt(run.cpu if job else None, '.1f')}"
            f" | {_fmt(mb / run.cpu if job else None, '.1f')} | {_fmt(job_x, '.1f')} | "
            f"{_fmt(rss_mb, ',.0f')} | {_fmt(rss_mb - sig_mb if rss_mb else None, ',.0f')} | "
            f"{_fmt(run.recall, '.4f')} | {_fmt(run.false_merge, '.4f')} | "
            f"{_fmt(run.clusters, ',d')} | {_fmt(run.load, '.1f')} |")
    return lines


def stage_table(meta: dict, runs: list[ToolRun]) -> list[str]:
    mb = meta["bytes"] / 1e6
    lines = ["", "Stages (seconds, and MB/s of corpus text where the stage reads all of it):",
             "", "| tool | stages |", "|---|---|"]
    for run in runs:
        if run.error:
            continue
        parts = []
        for name, sec in run.stages.items():
            if name.endswith("mb_per_s"):
                parts.append(f"{name.removesuffix('_mb_per_s')}: {sec} MB/s")
            elif name in ("read", "sketch", "tokenize") and sec:
                parts.append(f"{name} {sec:.2f} s ({mb / sec:.1f} MB/s)")
            else:
                parts.append(f"{name} {sec:.2f} s")
        lines.append(f"| {run.tool} | {'; '.join(parts)} |")
    return lines


def goals(size: int, runs: list[ToolRun], ceiling: float | None = None,
          meta: dict | None = None) -> list[str]:
    tools = _by_tool(runs)
    nc_sig, job1, job2 = (tools.get(k) for k in ("nearcopy-sig", "nearcopy dedup -j1",
                                                 "nearcopy dedup -j2"))
    rensa, datasketch = tools.get("rensa"), tools.get("datasketch")
    checks = []

    def add(label, value, goal, higher=True, spec=".2f"):
        if value is None:
            return
        ok = value >= goal if higher else value <= goal
        checks.append(f"- {label}: **{value:{spec}}** (goal {'>=' if higher else '<='} "
                      f"{goal:{spec}}) {'met' if ok else 'NOT met'}")

    if nc_sig and rensa:
        add("signature stage, nearcopy / rensa rate", nc_sig.sig_mbps / rensa.sig_mbps,
            GOALS["sig_vs_rensa"], spec=".1f")
    for peer, goal in ((rensa, "job_vs_rensa"), (datasketch, "job_vs_datasketch")):
        if job1 and peer:
            add(f"whole job, {peer.tool} CPU s / nearcopy -j1 CPU s (wall ratio "
                f"{peer.wall / job1.wall:.1f})", peer.cpu / job1.cpu, GOALS[goal], spec=".1f")
    if job1 and job2:
        bound = f"; two processes of pure sketching reach {ceiling:.2f} here" if ceiling else ""
        disk = (meta or {}).get("disk_mbps")
        if disk and "write" in job1.stages:
            best = disk_bound(job1.wall, job1.stages["write"], meta["output_bytes"], disk)
            bound += (f"; with the {meta['output_bytes'] / 1e9:.2f} GB of outputs at the "
                      f"disk's {disk:.0f} MB/s (fdatasync) and every other stage halved, "
                      f"at most {best:.2f}")
        add(f"scaling, nearcopy -j1 wall s / -j2 wall s (load {job1.load:.1f} / "
            f"{job2.load:.1f}{bound})", job1.wall / job2.wall, GOALS["scaling"])
    mem1, mem2 = (tools.get(f"nearcopy dedup -j{w}{IN_MEMORY}") for w in (1, 2))
    if mem1 and mem2 and not (mem1.error or mem2.error):
        add(f"scaling with the outputs written to RAM ({MEMORY_FS}: no disk), -j1 wall s / "
            f"-j2 wall s ({mem1.wall:.2f} / {mem2.wall:.2f} s; load {mem1.load:.1f} / "
            f"{mem2.load:.1f})", mem1.wall / mem2.wall, GOALS["scaling"])
    if job1:
        add("nearcopy recall at J >= 0.8", job1.recall, GOALS["recall"], spec=".4f")
        add("nearcopy false-merge rate", job1.false_merge, GOALS["false_merge"], higher=False,
            spec=".4f")
        add("nearcopy -j1 peak RSS above signature arrays, MB",
            job1.rss / 1e6 - size * NUM_PERM * 4 / 1e6, GOALS["rss_over_sig_mb"], higher=False,
            spec=".0f")
    return ["", "Goals (measured, not asserted):", "", *checks]


def source_digest() -> str:
    """Hash of nearcopy's source files: a run whose code changed midway is flagged."""
    import nearcopy
    digest = hashlib.sha256()
    for path in sorted(Path(nearcopy.__file__).parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def machine_info() -> str:
    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = []
    for name in ("nearcopy", "datasketch", "rensa", "numba", "numpy"):
        try:
            from importlib.metadata import version
            versions.append(f"{name} {version(name)}")
        except Exception:  # noqa: BLE001 - a missing package is just not listed
            pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB RAM, Python "
            f"{platform.python_version()}, {'; '.join(versions)}; load average at start {load}")


def render_section(key: str, command: str, results: list[tuple[int, dict, list[ToolRun]]],
                   machine: str) -> str:
    lines = [f"<!-- run: {key} -->", f"## Sizes {key}", "",
             f"Run {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} on {machine}.", "",
             f"Command: `{command}`", ""]
    for size, meta, runs in results:
        lines += main_table(size, meta, runs) + stage_table(meta, runs) + \
            goals(size, runs, meta.get("ceiling"), meta)
        if "unrelated_check" in meta:
            check = meta["unrelated_check"]
            lines += ["", f"Unrelated documents: the highest exact Jaccard between documents "
                          f"of different families over {check['scope']} is "
                          f"{check['max_cross_family_jaccard']} "
                          f"({check['cross_family_pairs_sharing_a_5gram']:,} pairs share "
                          f"any 5-gram)."]
        lines.append("")
    lines.append(f"<!-- end run: {key} -->")
    return "\n".join(lines)


HEADER = """# Speed, memory and accuracy benchmark

Produced by `bench/run_bench.py` (see its docstring); each section below is the
latest run for one set of sizes and is replaced when that command is rerun.
The machine is shared with other jobs (see the *load* column: 1-minute load
average on 2 cores when the row finished), so one-core speed is compared in
CPU seconds, which sharing disturbs far less than wall time.
Columns: *signature MB/s* is bytes -> tokens -> shingles -> MinHash per CPU
second (nearcopy: `sketch_texts` without shingle sets; peers: Python tokenizing
+ sketching); *job wall s* / *job CPU s* are the wall and CPU (user + system,
children included) time of the tool's process (nearcopy: the CLI, which also
writes kept/removed/clusters); *x* columns are how many times faster nearcopy
is than that row (same run); *peak RSS* is the largest of
ru_maxrss and the polled sum over the process tree; *recall* is the fraction of
true pairs (exact word-5-gram Jaccard >= 0.8) that end in one cluster;
*false-merge* is the fraction of predicted clusters joining two ground-truth
components. Peers merge every LSH candidate, as their documentation does;
nearcopy verifies candidates by exact Jaccard. nearcopy rows run with
`--containment 0` (the pure Jaccard task the ground truth defines); the
`+containment` row keeps the default partial-copy merging, which by design joins
e.g. a copy with a dropped paragraph (J < 0.8) to its original, so it counts as
false merges here.
"""


def write_results(path: Path, key: str, section: str) -> None:
    text = path.read_text() if path.exists() else HEADER
    first = text.find("<!-- run: ")
    text = HEADER + "\n" + text[first:] if first >= 0 else HEADER   # keep the header current
    start, end = f"<!-- run: {key} -->", f"<!-- end run: {key} -->"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    path.write_text(text)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20000, 100000])
    parser.add_argument("--peers", nargs="*", default=["datasketch", "rensa"],
                        choices=["datasketch", "rensa"])
    parser.add_argument("--peers-max-size", type=int, default=100000,
                        help="run peers only up to this many documents (datasketch ~2 MB/s)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check-max-size", type=int, default=100000,
                        help="prove unrelated documents stay below J 0.8 up to this size")
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "nearcopy-bench")
    parser.add_argument("--results", type=Path, default=None,
                        help="markdown file to update [bench/RESULTS_speed.md; none in --smoke]")
    parser.add_argument("--no-in-memory", dest="in_memory", action="store_false",
                        help="skip the -j1/-j2 pair with outputs on the RAM file system")
    parser.add_argument("--smoke", action="store_true",
                        help="1,000 documents, every tool once: seconds, for CI")
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes = [1000]
    elif args.results is None:
        args.results = HERE / "RESULTS_speed.md"
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    machine = machine_info()
    command = "python bench/run_bench.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    source = source_digest()
    compile_bytecode()
    results = [(size, *bench_size(size, args, args.work)) for size in args.sizes]
    if source_digest() != source:
        machine += ("; WARNING: nearcopy's source changed during this run, rows may mix "
                    "versions")
    else:
        machine += f"; nearcopy source {source}"
    key = ",".join(str(s) for s in args.sizes) + (" (smoke)" if args.smoke else "")
    section = render_section(key, command, results, machine)
    print(section)
    if args.results is not None:
        write_results(args.results, key, section)
        print(f"[bench] wrote {args.results}")
    return 1 if any(r.error for _, _, runs in results for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
