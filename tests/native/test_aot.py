"""The ahead-of-time compiled kernels: same results as numba's JIT, no numba at run time,
checked arguments, and a JIT fallback when the module cannot be built."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from nearcopy.dedup.sketch import SketchParams, sketch_texts
from nearcopy.native import aot, registry

TEXTS = ["The council approved the new budget on Tuesday after a long debate.",
         "Le conseil a approuvé le budget mardi, après un long débat — 議会は予算を承認した。",
         "", "short", "The council approved the new budget on Tuesday after a short debate."]


def _run(code: str, stderr: list | None = None, **env) -> str:
    import os
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, **env}, check=True, timeout=600)
    if stderr is not None:
        stderr.append(done.stderr)
    return done.stdout


SKETCH = f"""
import json, sys
from nearcopy.dedup.sketch import SketchParams, sketch_texts
from nearcopy.dedup import lsh, cluster
b = sketch_texts({TEXTS!r}, SketchParams(), keep_sets=True)
pairs = lsh.candidate_pairs(b.signatures, 16, 8)
print(json.dumps({{"sig": b.signatures.tolist(), "sets": b.set_values.tolist(),
                  "hashes": b.exact_hashes.tolist(), "pairs": pairs.tolist(),
                  "numba": "numba" in sys.modules}}))
"""


def test_aot_and_jit_give_the_same_results_and_aot_never_imports_numba():
    aot_out = json.loads(_run(SKETCH))
    jit_out = json.loads(_run(SKETCH, NEARCOPY_KERNELS="jit"))
    assert aot_out.pop("numba") is False
    assert jit_out.pop("numba") is True
    assert aot_out == jit_out


def test_every_exported_kernel_is_in_the_built_module():
    module = aot.load()
    assert module is not None and aot.is_built()
    exported = [k for k in registry.REGISTRY if k.signature is not None]
    assert len(exported) >= 10
    for k in exported:
        assert callable(getattr(module, k.export_name))


def test_a_mismatched_call_runs_on_the_jit_instead_of_crashing():
    from nearcopy.dedup import verify

    values = np.array([1, 2, 3, 2, 3, 4], dtype=np.uint32)
    offsets = np.array([0, 3, 6], dtype=np.int64)
    before = verify.overlap_counts.fallbacks
    right = verify.overlap_counts(values, offsets, np.array([0], dtype=np.int64),
                                  np.array([1], dtype=np.int64))
    assert verify.overlap_counts.fallbacks == before
    # int32 indices: the compiled code would read them as int64; the check sends them to numba
    wrong = verify.overlap_counts(values, offsets, np.array([0], dtype=np.int32),
                                  np.array([1], dtype=np.int32))
    assert verify.overlap_counts.fallbacks == before + 1
    assert [a.tolist() for a in right] == [a.tolist() for a in wrong] == [[2], [3], [3]]


def test_a_run_makes_no_fallback_call(tmp_path):
    from nearcopy.config import RunConfig
    from nearcopy.pipeline.job import BatchJob
    from tests.conftest import corpus_with_copies, write_jsonl

    corpus = write_jsonl(tmp_path / "corpus.jsonl", corpus_with_copies()[0])
    before = sum(k.fallbacks for k in registry.REGISTRY)
    BatchJob(RunConfig(workers=1), tmp_path / "out", show_progress=False).run([corpus])
    assert sum(k.fallbacks for k in registry.REGISTRY) == before


@pytest.mark.slow
def test_without_a_compiler_the_kernels_run_on_the_jit(tmp_path):
    out = _run("import logging, sys\n"
               "logging.basicConfig(level=logging.WARNING)\n"
               "from nearcopy.dedup.sketch import SketchParams, sketch_texts\n"
               "b = sketch_texts(['one two three four five six'], SketchParams())\n"
               "print(int(b.signatures[0, 0]), 'numba' in sys.modules)",
               NEARCOPY_CACHE_DIR=str(tmp_path / "cache"), CC="/nonexistent-compiler")
    value, numba_loaded = out.split()
    assert numba_loaded == "True"
    expected = sketch_texts(["one two three four five six"], SketchParams()).signatures[0, 0]
    assert int(value) == int(expected)
    # the failure is remembered: the next process goes to the JIT without building again
    markers = list((tmp_path / "cache").glob("*.failed"))
    assert len(markers) == 1 and "Error" in markers[0].read_text()
    logged: list[str] = []
    again = _run("import logging\n"
                 "logging.basicConfig(level=logging.WARNING)\n"
                 "from nearcopy.native import aot\n"
                 "aot.load()\n"
                 "print(aot._STATE['failed'])", logged,
                 NEARCOPY_CACHE_DIR=str(tmp_path / "cache"))  # a compiler again: still no build
    assert again.strip() == markers[0].read_text().strip()
    # ... and said each time: a missed first warning must not leave the JIT unseen
    assert "compiled kernels unavailable" in logged[0] and markers[0].name in logged[0]


@pytest.mark.parametrize("value", ["jit", "JIT"])
def test_mode_reads_the_environment(monkeypatch, value):
    monkeypatch.setenv("NEARCOPY_KERNELS", value)
    assert registry.mode() == "jit"
    monkeypatch.setenv("NEARCOPY_KERNELS", "bogus")
    assert registry.mode() == "aot"


def test_a_build_removes_modules_of_older_sources(tmp_path):
    current = tmp_path / "_nearcopy_kernels_new.cpython-311-x86_64-linux-gnu.so"
    names = ["_nearcopy_kernels_old.cpython-311-x86_64-linux-gnu.so",
             "_nearcopy_kernels_old.cpython-311-x86_64-linux-gnu.so.lock", "unrelated.txt"]
    for name in names + [current.name, current.name + ".lock"]:
        (tmp_path / name).write_bytes(b"")
    aot._remove_stale(current)
    assert sorted(p.name for p in tmp_path.iterdir()) == \
        sorted([current.name, current.name + ".lock", "unrelated.txt"])


def test_every_kernel_lives_in_a_module_the_build_compiles():
    import importlib
    import pkgutil

    import nearcopy
    for info in pkgutil.walk_packages(nearcopy.__path__, "nearcopy."):
        if not info.name.startswith("nearcopy.native"):
            importlib.import_module(info.name)
    assert {k.py_func.__module__ for k in registry.REGISTRY} <= set(registry.KERNEL_MODULES)


def test_a_dedup_job_imports_neither_cleaning_nor_numba(tmp_path):
    """Loading the built module hashes the kernel sources, including clean/kernels.py,
    without importing their packages (`nearcopy.clean` cost every dedup job 75 ms)."""
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"d{i}", "text": f"text {i} " * 30}) + "\n"
                              for i in range(20)))
    code = ("import sys\nfrom nearcopy.cli.main import main\n"
            f"sys.argv = ['nearcopy', 'dedup', {str(corpus)!r}, '--out', {str(tmp_path / 'o')!r},"
            " '-j', '1', '-q']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('nearcopy.clean', 'numba'))))")
    assert _run(code).strip().splitlines()[-1] == "[]"
