"""Run one command and measure its wall time and peak memory.

Why not ru_maxrss: Linux folds the RSS of the process that spawned the command
into it (the child starts as a copy of this benchmark process, which can be
hundreds of MB: `/bin/true` reported 313 MB from a 300 MB parent). So the peak
of each process is its VmHWM (the high-water mark of its own memory, which exec
resets), read from /proc while it runs, and the peak of the sum over the process
tree is polled with psutil, every 20 ms (it may miss a peak shorter than that).
The table reports the larger one. CPU seconds come from wait4: on a shared
machine they move far less than wall time, so one-core comparisons use them.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass

try:
    import psutil
except ImportError:  # pragma: no cover - psutil is in the bench extra
    psutil = None


@dataclass
class Measured:
    seconds: float
    cpu_seconds: float     # user + system of the command and its waited-for children
    load: float            # 1-minute load average when it ended (how shared the machine was)
    max_process_rss: int   # bytes, the largest VmHWM of a process of the tree
    peak_tree_rss: int     # bytes, polled sum over the process tree (0 without psutil)
    returncode: int
    stderr: str

    @property
    def peak_rss(self) -> int:
        return max(self.max_process_rss, self.peak_tree_rss)


def _high_water(pid: int) -> int:
    """VmHWM of a live process, in bytes (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _poll_tree(pid: int, stop: threading.Event, peak: list[int], interval: float) -> None:
    """peak[0]: largest polled RSS sum over the tree; peak[1]: largest VmHWM of a process."""
    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    while not stop.is_set():
        total = 0
        try:
            for proc in [root, *root.children(recursive=True)]:
                try:
                    total += proc.memory_info().rss
                    peak[1] = max(peak[1], _high_water(proc.pid))
                except psutil.NoSuchProcess:
                    pass
        except psutil.NoSuchProcess:
            return
        peak[0] = max(peak[0], total)
        stop.wait(interval)


def run_measured(cmd: list[str], *, env: dict | None = None, interval: float = 0.02,
                 cwd: str | None = None) -> Measured:
    """Run `cmd` to completion; stdout is discarded, stderr kept for error messages."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            cwd=cwd)
    peak, stop = [0, 0], threading.Event()
    poller = None
    if psutil is not None:
        poller = threading.Thread(target=_poll_tree, args=(proc.pid, stop, peak, interval),
                                  daemon=True)
        poller.start()
    stderr_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()),
                              daemon=True)
    reader.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    if poller is not None:
        poller.join()
    reader.join()
    stderr = b"".join(stderr_chunks).decode("utf-8", "replace")
    # without psutil, ru_maxrss (KiB on Linux) is all there is, an upper bound (see above)
    largest = peak[1] if poller is not None else usage.ru_maxrss * 1024
    return Measured(seconds, usage.ru_utime + usage.ru_stime, os.getloadavg()[0],
                    largest, peak[0], proc.returncode, stderr)
