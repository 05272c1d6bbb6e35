"""Kernel signatures in a short notation, for numba (AOT export) and for a run-time check.

Notation: ``RET(ARG, ...)``; a type is a scalar code (``i4 i8 u1 u4 u8 b1 f4 f8``), an
array ``u4[:]`` / ``u4[:,:]`` (C-contiguous), an array that may be read-only
``u1[:]r``, a tuple ``(u8[:], b1[:])`` or ``none``.

The check matters: an ahead-of-time compiled function does not validate its
arguments (an int32 array where int64 is declared reads past the buffer), so every
call is checked here first and anything that does not match goes to the JIT.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_SCALARS = {"i4": "int32", "i8": "int64", "u1": "uint8", "u4": "uint32", "u8": "uint64",
            "b1": "boolean", "f4": "float32", "f8": "float64"}
_DTYPES = {"i4": np.int32, "i8": np.int64, "u1": np.uint8, "u4": np.uint32, "u8": np.uint64,
           "b1": np.bool_, "f4": np.float32, "f8": np.float64}


@dataclass(frozen=True)
class Type:
    """One parsed type: a scalar (`ndim` 0), an array, a tuple (`items`) or none."""

    code: str
    ndim: int = 0
    readonly: bool = False
    items: tuple["Type", ...] = ()

    def numba(self) -> str:
        """This type in numba's signature-string syntax."""
        if self.code == "none":
            return "none"
        if self.code == "tuple":
            return "Tuple((" + ", ".join(t.numba() for t in self.items) + ",))"
        if self.ndim == 0:
            return _SCALARS[self.code]
        return f"Array({_SCALARS[self.code]}, {self.ndim}, 'C', readonly={self.readonly})"

    def accepts(self, value) -> bool:
        """Whether `value` can be passed where this (argument) type is declared."""
        if self.ndim:
            return (type(value) is np.ndarray and value.dtype == _DTYPES[self.code]
                    and value.ndim == self.ndim and value.flags.c_contiguous
                    and (self.readonly or value.flags.writeable))
        if self.code == "b1":
            return isinstance(value, (bool, np.bool_))
        if self.code == "f8":
            return isinstance(value, (float, int, np.floating, np.integer))
        return isinstance(value, (int, np.integer))


@dataclass(frozen=True)
class Signature:
    """A kernel's parsed signature."""

    text: str
    result: Type
    args: tuple[Type, ...]

    def numba(self) -> str:
        return f"{self.result.numba()}(" + ", ".join(a.numba() for a in self.args) + ")"

    def accepts(self, args: tuple) -> bool:
        return len(args) == len(self.args) and all(t.accepts(v) for t, v in zip(self.args, args))


def parse_signature(text: str) -> Signature:
    """Parse ``RET(ARG, ...)``.

    Example:
        >>> parse_signature("u4[:](u1[:]r, i8)").numba()
        "Array(uint32, 1, 'C', readonly=False)(Array(uint8, 1, 'C', readonly=True), int64)"
    """
    text = text.replace(" ", "")
    depth = 0
    for i in range(len(text) - 1, -1, -1):  # the "(" that matches the last ")"
        depth += 1 if text[i] in ")]" else -1 if text[i] in "([" else 0
        if depth == 0:
            break
    if not text.endswith(")") or i == 0:
        raise ValueError(f"kernel signature {text!r} has no argument list: write RET(ARG, ...)")
    result, args = text[:i], text[i + 1:-1]
    return Signature(text, _parse_type(result), tuple(_parse_type(a) for a in _split(args)))


def _split(text: str) -> list[str]:
    """Split on the commas outside brackets and parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    if text[start:]:
        parts.append(text[start:])
    return parts


def _parse_type(text: str) -> Type:
    if text == "none":
        return Type("none")
    if text.startswith("("):
        return Type("tuple", items=tuple(_parse_type(t) for t in _split(text[1:-1])))
    readonly = text.endswith("r") and "[" in text
    body = text[:-1] if readonly else text
    code, _, dims = body.partition("[")
    if code not in _SCALARS or (dims and dims.count(":") != dims.count(",") + 1):
        raise ValueError(f"unknown kernel type {text!r}: use one of {sorted(_SCALARS)}, "
                         "optionally as an array such as u4[:] or u4[:,:]")
    return Type(code, ndim=dims.count(":"), readonly=readonly)
