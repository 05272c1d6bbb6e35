"""The first-run notice: whether numba's cache holds the sketch kernel."""

from __future__ import annotations

from nearcopy.dedup import kernels
from nearcopy.dedup.sketch import SketchParams, sketch_texts


def test_kernels_cached_after_a_sketch():
    sketch_texts(["one two three four five six"], SketchParams())
    assert kernels.kernels_cached()


def test_kernels_cached_says_true_when_it_cannot_tell(monkeypatch):
    class NoCache:
        pass

    monkeypatch.setattr(kernels, "sketch_batch", NoCache())
    assert kernels.kernels_cached()
