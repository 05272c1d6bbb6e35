"""Heap settings of the job's processes (glibc): freed batch buffers are reused, and
the job can still hand its free heap back."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nearcopy.pipeline import heap

GLIBC = heap._libc() is not None and hasattr(heap._libc(), "mallopt")


@pytest.mark.skipif(not GLIBC, reason="glibc's mallopt only")
def test_settings_apply_and_trimming_still_works():
    # in a child process: the settings are process-wide
    code = ("from nearcopy.pipeline import heap; import numpy as np; "
            "assert heap.reuse_batch_buffers(); heap.keep_freed_heap(); "
            "a = [np.ones(1 << 20) for _ in range(8)]; del a; heap.release_free_memory(); "
            "print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "ok"


def test_release_is_safe_without_glibc(monkeypatch):
    monkeypatch.setattr(heap, "_libc", lambda: None)
    heap.release_free_memory()
    assert heap.reuse_batch_buffers() is False
