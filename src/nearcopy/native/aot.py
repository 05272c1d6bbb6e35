"""The ahead-of-time compiled module of all kernels: where it lives, how it is built and loaded.

Built once per install, machine and kernel source (the file name carries a hash of
them) by `python -m nearcopy.native.build` in a child process, so the process that
asked for it never imports numba; concurrent processes wait on a lock file and one
of them builds. The build compiles for this CPU, so the key includes the CPU model.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.machinery
import importlib.util
import logging
import os
import platform
import subprocess
import sys
import sysconfig
import threading
from pathlib import Path

from nearcopy.native.registry import KERNEL_MODULES

log = logging.getLogger("nearcopy.native")
_LOCK = threading.Lock()
_STATE: dict = {}  # "module": the loaded module, or "failed": why there is none


def cache_dir() -> Path:
    """`NEARCOPY_CACHE_DIR`, else `__pycache__` beside this file (numba's choice too), else
    ~/.cache/nearcopy when the install is read-only."""
    if os.environ.get("NEARCOPY_CACHE_DIR"):
        return Path(os.environ["NEARCOPY_CACHE_DIR"])
    here = Path(__file__).resolve().parent / "__pycache__"
    try:
        here.mkdir(exist_ok=True)
        if os.access(here, os.W_OK):
            return here
    except OSError:
        pass
    return Path.home() / ".cache" / "nearcopy"


def module_key() -> str:
    """Hash of everything the built module depends on."""
    digest = hashlib.sha256()
    for name in (*KERNEL_MODULES, "nearcopy.native.signature", "nearcopy.native.registry",
                 "nearcopy.native.jit", "nearcopy.native.build"):
        digest.update(_source_of(name).read_bytes())
    for package in ("numba", "llvmlite", "numpy"):  # their versions, without importing them
        digest.update(_version_file(package))
    digest.update(f"{sys.version}|{platform.machine()}|{_cpu_model()}".encode())
    return digest.hexdigest()[:16]


def _source_of(module: str) -> Path:
    """The source file of one of nearcopy's modules, found without importing its package
    (find_spec imports the parent package: `nearcopy.clean` cost a dedup job 75 ms)."""
    root = Path(__file__).resolve().parents[1]  # the nearcopy package
    parts = module.split(".")[1:]
    path = root.joinpath(*parts[:-1], parts[-1] + ".py")
    if path.exists():
        return path
    return Path(importlib.util.find_spec(module).origin)


def _version_file(package: str) -> bytes:
    """The bytes of a package's version module, found without importing the package
    (importlib.metadata alone cost 30 ms of every start)."""
    origin = Path(importlib.util.find_spec(package).origin).parent
    for name in ("_version.py", "version.py"):
        if (origin / name).exists():
            return (origin / name).read_bytes()
    return str(origin).encode()


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            return next((line for line in fh if line.startswith("model name")), "")
    except OSError:
        return platform.processor()


def module_name() -> str:
    return f"_nearcopy_kernels_{module_key()}"


def module_path() -> Path:
    return cache_dir() / (module_name() + sysconfig.get_config_var("EXT_SUFFIX"))


def is_built() -> bool:
    """Whether this process can load the module without building it (a first run builds)."""
    return "module" in _STATE or module_path().exists()


def load():
    """The compiled module, building it first if needed; None where it cannot be built
    (the kernels then run on numba's JIT, with the same results)."""
    with _LOCK:
        if "module" in _STATE or "failed" in _STATE:
            return _STATE.get("module")
        path = module_path()
        failed = _failure_marker(path)
        if failed.exists():  # an earlier process could not build it: do not retry each run
            _STATE["failed"] = failed.read_text(errors="replace")
            # (a warning in every process that finds it: results stay right, so a JIT
            # fallback whose first warning was missed went unseen but ~1 s slower a run)
            log.warning("nearcopy: compiled kernels unavailable (%s); using numba's JIT "
                        "(same results, ~1 s more per process); delete %s to try the build "
                        "again", _cause(_STATE["failed"]), failed)
            return None
        try:
            if not path.exists():
                _build(path)
            _STATE["module"] = _import(path)
        except Exception as exc:  # noqa: BLE001 - any failure means: use the JIT
            _STATE["failed"] = str(exc)
            log.warning("nearcopy: could not build the compiled kernels (%s); using numba's "
                        "JIT instead (same results, ~1 s more per process)", _cause(str(exc)))
            try:
                failed.write_text(str(exc))
            except OSError:
                pass
        return _STATE.get("module")


def _failure_marker(path: Path) -> Path:
    """Written when building `path` failed, so later processes go straight to the JIT."""
    return path.parent / (path.name + ".failed")


def _cause(error: str) -> str:
    """The line of a child's traceback that names the error."""
    lines = [line.strip() for line in error.splitlines() if line.strip()]
    named = [line for line in lines if line.split(":")[0].endswith(("Error", "Exception"))]
    return (named or lines or ["unknown error"])[-1][:300]


def _build(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / (path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building it
        if path.exists():
            return
        # the child must compile these very sources (the key hashes them), wherever
        # this process imported nearcopy from
        source_root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (source_root, os.environ.get("PYTHONPATH")) if p)}
        done = subprocess.run([sys.executable, "-m", "nearcopy.native.build", str(path),
                               module_name()], capture_output=True, text=True, check=False,
                              env=env)
        if done.returncode != 0 or not path.exists():
            raise RuntimeError(f"building {path.name} failed: {done.stderr.strip()[-2000:]}")
        _remove_stale(path)


def _remove_stale(path: Path) -> None:
    """Delete modules built from older kernel sources (a running process that loaded one
    keeps its mapping)."""
    for old in path.parent.glob("_nearcopy_kernels_*"):
        if not old.name.startswith(path.name):  # this module and its lock file stay
            try:
                old.unlink()
            except OSError:
                pass


def _import(path: Path):
    loader = importlib.machinery.ExtensionFileLoader(path.stem.split(".")[0], str(path))
    spec = importlib.util.spec_from_file_location(loader.name, path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module
