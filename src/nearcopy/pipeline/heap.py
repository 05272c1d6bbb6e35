"""Handing freed heap back to the system.

glibc keeps freed memory for reuse, and after large temporary arrays are freed
it keeps far more than the job needs next (it raises its mmap threshold to the
size of what was freed), so RSS stays at the peak of the last stage (issue #4).
"""

from __future__ import annotations

import ctypes


def release_free_memory() -> None:
    """Return the heap's free pages to the system (glibc's malloc_trim; elsewhere nothing)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass
