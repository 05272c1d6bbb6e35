"""Handing freed heap back to the system, and keeping it for reuse between batches.

glibc keeps freed memory for reuse, and after large temporary arrays are freed
it keeps far more than the job needs next (it raises its mmap threshold to the
size of what was freed), so RSS stays at the peak of the last stage (issue #4).
The opposite cost: a batch's buffers (a few MB each) above glibc's mmap threshold
are mapped and unmapped on every batch, and each page is faulted in and zeroed
again. So processes keep freed heap for the next batch (`keep_freed_heap`,
`reuse_batch_buffers`), and the job hands it back after each stage
(`release_free_memory`).
"""

from __future__ import annotations

import ctypes
from functools import cache

#: mallopt parameters (glibc's malloc.h)
_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3

#: allocations below this come from the heap and are reused when freed: a batch's
#: buffers are a few MB; a large job's signature arrays (hundreds of MB) are still
#: mapped on their own and unmapped when freed
BATCH_BUFFER_BYTES = 64 << 20

#: a worker process keeps this much free heap for its next task
_WORKER_HEAP = ((_M_MMAP_THRESHOLD, BATCH_BUFFER_BYTES), (_M_TRIM_THRESHOLD, 256 << 20),
                (_M_TOP_PAD, 16 << 20))
#: the job's own process keeps less: its peak RSS counts (it trims at stage ends anyway)
_JOB_HEAP = ((_M_MMAP_THRESHOLD, BATCH_BUFFER_BYTES), (_M_TRIM_THRESHOLD, 128 << 20))


@cache
def _libc():
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: its allocator decides
        return None


def _set(options) -> bool:
    mallopt = getattr(_libc(), "mallopt", None)
    if mallopt is None:
        return False
    return all([bool(mallopt(option, value)) for option, value in options])


def release_free_memory() -> None:
    """Return the heap's free pages to the system (glibc's malloc_trim; elsewhere nothing)."""
    trim = getattr(_libc(), "malloc_trim", None)
    if trim is not None:
        trim(0)


def keep_freed_heap() -> None:
    """Worker initializer: keep freed heap for the next task instead of returning it.

    Each task allocates and frees buffers of megabytes (an input range, its records, its
    sketches); by default glibc maps each one fresh and unmaps it when freed, and the
    next task faults every page in again: 0.4-0.6 s of system time per worker per 100k
    documents, a third of what two workers cost beyond one (issue #4).
    """
    _set(_WORKER_HEAP)


def reuse_batch_buffers() -> bool:
    """`keep_freed_heap` for the job's own process (one worker reads in it), keeping less
    free heap. Measured on 20k documents with one worker: page faults 45k -> 31k, CPU
    1.55-1.59 -> 1.47-1.50 s (100k: 6.29 -> 6.10-6.13 s), same peak RSS. Returns
    whether it was applied."""
    return _set(_JOB_HEAP)
