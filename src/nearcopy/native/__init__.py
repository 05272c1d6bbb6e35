"""Compiled kernels, without numba at run time.

A kernel is a plain Python function marked `@kernel(signature)`. The first call
in a process loads one ahead-of-time compiled extension module that holds every
exported kernel (built once per install and machine by numba's AOT compiler and
kept on disk, see `aot.py`); numba itself is never imported. Importing numba and
loading its cached JIT kernels cost ~1.2 CPU s and ~90 MB of RSS in every process
(issue #4); the extension module loads in milliseconds. Where it cannot be built
(no C compiler), or a call's arguments do not match the exported signature, the
kernel runs on numba's JIT instead (`jit.py`), with the same results.
"""

from nearcopy.native.aot import is_built
from nearcopy.native.registry import Kernel, kernel, mode

__all__ = ["Kernel", "is_built", "kernel", "mode"]
