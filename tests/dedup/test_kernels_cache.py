"""The first-run notice: whether the compiled kernels are built for this install."""

from __future__ import annotations

from nearcopy.dedup import kernels
from nearcopy.dedup.sketch import SketchParams, sketch_texts
from nearcopy.native import aot


def test_kernels_cached_after_a_sketch():
    sketch_texts(["one two three four five six"], SketchParams())
    assert kernels.kernels_cached()


def test_kernels_not_cached_in_an_empty_cache(monkeypatch, tmp_path):
    monkeypatch.setattr(aot, "_STATE", {})
    monkeypatch.setenv("NEARCOPY_CACHE_DIR", str(tmp_path))
    assert not kernels.kernels_cached()
    monkeypatch.setenv("NEARCOPY_KERNELS", "jit")  # numba's own cache: nothing to build
    assert kernels.kernels_cached()
