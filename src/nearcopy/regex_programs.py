"""`re.compile`, with each pattern's compiled program kept on disk between runs.

`re.compile` parses a pattern and generates its program in Python: the cleaner's 39
patterns took 35 ms of every `clean` and `run` start-up (issue #3), serial work before
the workers fork. A program depends only on the pattern, its flags and the `re`
engine, so the programs of one interpreter are kept in one file beside the compiled
kernels, and `_sre.compile` (what `re.compile` ends with) builds the pattern object
from a kept program in microseconds: 0.9 ms for all 39.

A kept program that the engine rejects (it checks every program it is given), or any
change in `re`'s internals, falls back to `re.compile`: nothing here can make a
pattern behave differently, only start slower. tests/test_regex_programs.py pins
that a pattern built from a kept program equals `re.compile`'s.
"""

from __future__ import annotations

import atexit
import hashlib
import pickle
import re
import sys
import threading
from pathlib import Path
from typing import Any

try:  # (CPython 3.11+: the engine and the compiler that `re.compile` runs)
    import _sre
    from re import _compiler, _parser
except ImportError:  # pragma: no cover - another interpreter: plain re.compile
    _sre = _compiler = _parser = None

#: (pattern, flags) -> the arguments after the pattern of `_sre.compile`
Program = tuple[int, list[int], int, dict[str, int], tuple[Any, ...]]

_programs: dict[tuple[Any, int], Program] | None = None  # read from disk on first use
_new: dict[tuple[Any, int], Program] = {}  # made in this process, saved at exit
_lock = threading.Lock()


def compile(pattern: str | bytes, flags: int = 0) -> re.Pattern:  # noqa: A001 - as re's
    """`re.compile(pattern, flags)`, from its kept program when there is one.

    Example:
        >>> compile(r"\\d+ dlrs", re.IGNORECASE).match("12 DLRS").group()
        '12 DLRS'
    """
    flags = int(flags)
    if _sre is None:
        return re.compile(pattern, flags)
    key = (pattern, flags)
    program = _known().get(key)
    built = None if program is None else _sre_compile(pattern, program)
    if built is not None:
        return built  # (a program the engine rejects: compiled anew below)
    compiled = re.compile(pattern, flags)
    program = _program(pattern, flags)
    if program is not None and _same(_sre_compile(pattern, program), compiled):
        with _lock:
            if not _new:
                atexit.register(save)
            _new[key] = program
            _known()[key] = program
    return compiled


def _program(pattern: str | bytes, flags: int) -> Program | None:
    """What `re._compiler.compile` passes to `_sre.compile` after the pattern (None when
    `re`'s internals are not the ones read here)."""
    try:
        parsed = _parser.parse(pattern, flags)
        code = [int(op) for op in _compiler._code(parsed, flags)]
        state = parsed.state
        groupindex = dict(state.groupdict)
        indexgroup = [None] * state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        return flags | state.flags, code, state.groups - 1, groupindex, tuple(indexgroup)
    except Exception:  # noqa: BLE001 - internals changed: keep nothing
        return None


def _sre_compile(pattern, program: Program) -> re.Pattern | None:
    """The pattern built from `program`, or None when the engine rejects the program."""
    try:
        return _sre.compile(pattern, *program)
    except Exception:  # noqa: BLE001
        return None


def _same(built: re.Pattern | None, compiled: re.Pattern) -> bool:
    """Whether a pattern built from a program is the one `re.compile` made (the same
    pattern, flags and groups; the program is made by the same code as `re.compile`'s)."""
    return (built is not None and built.pattern == compiled.pattern
            and built.flags == compiled.flags and built.groups == compiled.groups
            and built.groupindex == compiled.groupindex)


def _path() -> Path:
    """The file of this interpreter's programs (its version and engine in the name)."""
    from nearcopy.native.aot import cache_dir

    engine = f"{sys.version}|{sys.hexversion}|{_sre.MAGIC}|{_sre.CODESIZE}|{_sre.MAXREPEAT}"
    digest = hashlib.sha256(engine.encode()).hexdigest()[:20]
    return cache_dir() / f"regex-programs-{digest}.pickle"


def _read() -> dict[tuple[Any, int], Program]:
    try:
        with open(_path(), "rb") as handle:
            programs = pickle.load(handle)
        return programs if isinstance(programs, dict) else {}
    except Exception:  # noqa: BLE001 - missing or unreadable: compile anew
        return {}


def _known() -> dict[tuple[Any, int], Program]:
    global _programs
    if _programs is None:
        _programs = _read()
    return _programs


def save() -> None:
    """Add the programs made in this process to the file (run at exit; the file is
    replaced by a rename, so a reader sees the old set or the new one)."""
    with _lock:
        if not _new:
            return
        programs = {**_read(), **_new}
        _new.clear()
    from nearcopy.disk_cache import store

    store(_path(), programs)  # (a read-only install: compiled anew next time, still right)
