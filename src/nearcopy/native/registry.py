"""`@kernel`: mark a function as a compiled kernel; calls go to the AOT module or the JIT."""

from __future__ import annotations

import functools
import logging
import os

from nearcopy.native.signature import Signature, parse_signature

log = logging.getLogger("nearcopy.native")

#: every module that defines kernels: the AOT module is built from all of them, and the
#: key of a built module is the hash of their sources (aot.module_key)
KERNEL_MODULES = (
    "nearcopy.dedup.kernels", "nearcopy.dedup.lsh", "nearcopy.dedup.verify",
    "nearcopy.dedup.cluster", "nearcopy.dedup.containment", "nearcopy.dedup.spans.tokens",
    "nearcopy.dedup.spans.suffix", "nearcopy.dedup.spans.finder",
    "nearcopy.pipeline.components", "nearcopy.clean.kernels",
    "nearcopy.clean.doc_kernels", "nearcopy.clean.norm_kernels",
    "nearcopy.clean.boilerplate_kernels", "nearcopy.clean.lid_kernels",
)
REGISTRY: list["Kernel"] = []


class Kernel:
    """A numba-compilable function. With a `signature` it is exported by the AOT module
    and called there when the arguments match; otherwise (or in JIT mode) numba's JIT
    dispatcher runs it. `py_func` stays plain Python (the numpy reference tests use it)."""

    def __init__(self, func, signature: Signature | None, inline: bool):
        self.py_func = func
        self.signature = signature
        self.inline = inline
        self.dispatcher = None  # numba's, set by jit.materialize()
        self._call = None
        self.fallbacks = 0      # calls whose arguments the exported signature did not take
        functools.update_wrapper(self, func)

    @property
    def export_name(self) -> str:
        """Name of this kernel in the AOT module."""
        return f"{self.py_func.__module__.replace('.', '_')}__{self.py_func.__name__}"

    def __call__(self, *args):
        call = self._call
        if call is None:
            call = self._call = self._bind()
        return call(*args)

    def _bind(self):
        from nearcopy.native import aot, jit

        module = aot.load() if self.signature is not None and mode() == "aot" else None
        compiled = getattr(module, self.export_name, None)  # None: not in KERNEL_MODULES
        if compiled is None:
            return jit.dispatcher(self)
        accepts = self.signature.accepts

        def call(*args):
            if accepts(args):
                return compiled(*args)
            self.fallbacks += 1
            log.debug("kernel %s: arguments outside %s, running the JIT", self.__name__,
                      self.signature.text)
            return jit.dispatcher(self)(*args)
        return call

    def __repr__(self) -> str:
        return f"<kernel {self.py_func.__module__}.{self.py_func.__name__}>"


def kernel(signature: str | None = None, *, inline: bool = False):
    """Decorator: a compiled kernel; `signature` (see signature.py) exports it ahead of time.

    Example:
        >>> @kernel("i8(i8[:])")
        ... def total(values):
        ...     s = 0
        ...     for v in values:
        ...         s += v
        ...     return s
    """
    parsed = parse_signature(signature) if signature else None

    def wrap(func):
        k = Kernel(func, parsed, inline)
        REGISTRY.append(k)
        return k
    return wrap


def mode() -> str:
    """'aot' (default) or 'jit' (`NEARCOPY_KERNELS=jit`: numba only, for debugging and
    for the tests that check both paths give the same results)."""
    value = os.environ.get("NEARCOPY_KERNELS", "aot").lower()
    return value if value in ("aot", "jit") else "aot"
