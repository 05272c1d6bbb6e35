"""64-bit mixing primitives shared by the compiled kernels and the numpy fallback.

FNV-1a hashes token bytes and the murmur3 finaliser (fmix64) spreads the
result; both are plain integer arithmetic, so numba and numpy compute the very
same values, which the equality tests rely on.
"""

from __future__ import annotations

import numpy as np

FNV_OFFSET = np.uint64(0xCBF29CE484222325)
FNV_PRIME = np.uint64(0x100000001B3)
MIX_1 = np.uint64(0xFF51AFD7ED558CCD)
MIX_2 = np.uint64(0xC4CEB9FE1A85EC53)
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
SHIFT_33 = np.uint64(33)
SHIFT_32 = np.uint64(32)
LOW_32 = np.uint64(0xFFFFFFFF)
EMPTY_SLOT = np.uint32(0xFFFFFFFF)


def fmix64_np(values: np.ndarray) -> np.ndarray:
    """murmur3's 64-bit finaliser over a uint64 array (wrapping arithmetic)."""
    k = values.astype(np.uint64, copy=True)
    k ^= k >> SHIFT_33
    k *= MIX_1
    k ^= k >> SHIFT_33
    k *= MIX_2
    k ^= k >> SHIFT_33
    return k


def seed_state(seed: int) -> np.uint64:
    """The starting state of every shingle hash for a given seed."""
    with np.errstate(over="ignore"):
        return fmix64_np(np.array([(seed * 0x9E3779B97F4A7C15 + 0x1234567) & 0xFFFFFFFFFFFFFFFF],
                                  dtype=np.uint64))[0]


# The token for a run of white space in character-shingle mode: fmix64(FNV-1a(b" ")).
SPACE_TOKEN = fmix64_np(np.array([FNV_OFFSET ^ np.uint64(32)], dtype=np.uint64) * FNV_PRIME)[0]
