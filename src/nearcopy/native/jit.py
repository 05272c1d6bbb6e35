"""numba's JIT for the kernels: the fallback path, and what the AOT build compiles from."""

from __future__ import annotations

import importlib
import threading
from types import FunctionType

from nearcopy.native.registry import KERNEL_MODULES, REGISTRY, Kernel

_LOCK = threading.Lock()
_SPACES: dict[str, dict] = {}  # module -> the globals its kernels' copies see


def dispatcher(k: Kernel):
    """numba's dispatcher for kernel `k` (numba is imported on first use only)."""
    if k.dispatcher is None:
        materialize()
    return k.dispatcher


def materialize() -> None:
    """Give every kernel a numba dispatcher.

    numba resolves the kernels a kernel calls through its globals, where they are
    `Kernel` objects it cannot type. So each dispatcher wraps a copy of the function
    whose globals are a copy of its module's, with every `Kernel` replaced by its
    dispatcher; the modules themselves keep their `Kernel` objects (and the AOT path).
    """
    with _LOCK:
        pending = [k for k in REGISTRY if k.dispatcher is None]
        if not pending:
            return
        import numba

        for name in KERNEL_MODULES:  # register every kernel a kernel may call
            importlib.import_module(name)
        pending = [k for k in REGISTRY if k.dispatcher is None]
        for k in pending:
            func = k.py_func
            space = _SPACES.setdefault(func.__module__, dict(func.__globals__))
            copy = FunctionType(func.__code__, space, func.__name__, func.__defaults__,
                                func.__closure__)
            copy.__module__, copy.__qualname__ = func.__module__, func.__qualname__
            options = {"inline": "always"} if k.inline else {}
            k.dispatcher = numba.njit(cache=True, **options)(copy)
        for space in _SPACES.values():
            for name, value in list(space.items()):
                if isinstance(value, Kernel):
                    space[name] = value.dispatcher
