"""The kernel signature notation: numba strings, and the run-time argument check that
keeps a mismatched call away from the (unchecking) ahead-of-time compiled code."""

from __future__ import annotations

import numpy as np
import pytest

from nearcopy.native.signature import parse_signature


def test_numba_strings():
    sig = parse_signature("(u8[:], b1[:])(u1[:]r, i8[:,:], i8, b1, u8)")
    assert sig.numba() == (
        "Tuple((Array(uint64, 1, 'C', readonly=False), Array(boolean, 1, 'C', readonly=False),))"
        "(Array(uint8, 1, 'C', readonly=True), Array(int64, 2, 'C', readonly=False), int64, "
        "boolean, uint64)")
    assert parse_signature("none(i8[:])").numba() == "none(Array(int64, 1, 'C', readonly=False))"


@pytest.mark.parametrize("text", ["u4[:]", "u4[:](x9)", "u4[:](i8[:,])"])
def test_bad_signatures_say_what_to_write(text):
    with pytest.raises(ValueError, match="kernel"):
        parse_signature(text)


def test_accepts_only_what_the_signature_declares():
    sig = parse_signature("i8(i8[:], u1[:]r, i8, b1)")
    good = np.zeros(4, dtype=np.int64)
    ro = np.frombuffer(b"abcd", dtype=np.uint8)
    assert sig.accepts((good, ro, 3, True))
    assert sig.accepts((good, np.zeros(4, dtype=np.uint8), np.int64(3), np.bool_(False)))
    assert not sig.accepts((good.astype(np.int32), ro, 3, True))      # wrong dtype
    assert not sig.accepts((np.zeros(8, dtype=np.int64)[::2], ro, 3, True))  # not contiguous
    assert not sig.accepts((np.zeros((2, 2), dtype=np.int64), ro, 3, True))  # wrong ndim
    readonly = good.copy()
    readonly.flags.writeable = False
    assert not sig.accepts((readonly, ro, 3, True))                    # would be written
    assert not sig.accepts((good, ro, 3.5, True))                      # float for int
    assert not sig.accepts((good, ro, 3, 1))                           # int for bool
    assert not sig.accepts((good, ro, 3))                              # missing argument
    assert not sig.accepts(([0, 1], ro, 3, True))                      # list for array
