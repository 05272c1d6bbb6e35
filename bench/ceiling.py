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
