"""How much more two processes of pure computation get done than one, on this machine now.

The scaling goal (1 -> 2 workers) is measured on a shared 2-core machine, where
two busy processes contend for caches, memory bandwidth and the host: this
measures, in the same run, the ratio the sketching kernel itself reaches with
no I/O, no pipes and nothing serial. A job cannot scale further than this.
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import orjson


def _texts(corpus: Path, megabytes: int) -> list[str]:
    texts, size = [], 0
    with open(corpus, "rb") as handle:
        for line in handle:
            texts.append(orjson.loads(line)["text"])
            size += len(line)
            if size >= megabytes << 20:
                break
    return texts


def _sketch(texts: list[str], repeat: int) -> None:
    from nearcopy.dedup.sketch import SketchParams, sketch_texts
    for _ in range(repeat):
        sketch_texts(texts, SketchParams(), keep_sets=False)


def parallel_ceiling(corpus: Path, megabytes: int = 16, repeat: int = 3) -> float:
    """2 x (one process's time) / (time of two running the same work at once)."""
    texts = _texts(corpus, megabytes)
    _sketch(texts, 1)  # loads the compiled kernels before the processes fork
    context = multiprocessing.get_context("fork")

    def timed(processes: int) -> float:
        procs = [context.Process(target=_sketch, args=(texts, repeat)) for _ in range(processes)]
        started = time.perf_counter()
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join()
        return time.perf_counter() - started

    one = min(timed(1), timed(1))
    return 2 * one / timed(2)


def disk_write_rate(folder: Path, megabytes: int = 512) -> float:
    """MB/s at which this disk takes durable writes now: `megabytes` in 4 MB blocks, then
    fdatasync (as the job's outputs are written, then synced). The two-worker write stage
    cannot beat it."""
    import os

    path = Path(folder) / ".disk-rate.tmp"
    block = b"\0" * (4 << 20)
    started = time.perf_counter()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for _ in range(megabytes // 4):
            os.write(fd, block)
        os.fdatasync(fd)
    finally:
        os.close(fd)
        path.unlink(missing_ok=True)
    return megabytes * (1 << 20) / 1e6 / (time.perf_counter() - started)


def disk_bound(one_worker_wall: float, one_worker_write: float, output_bytes: int,
               disk_mbps: float) -> float:
    """The best 1 -> 2 worker ratio the disk allows: every stage but the write halved, and
    the write stage no faster than putting the outputs on disk."""
    best = (one_worker_wall - one_worker_write) / 2 + \
        max(one_worker_write / 2, output_bytes / 1e6 / disk_mbps)
    return one_worker_wall / best
