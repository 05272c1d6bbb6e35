"""Compiled passes for the normalisers (numba kernels): which of them can change a text.

Most documents are left as they are by every normaliser, and each rule's own
pre-check read the whole text again (a regex scan for ftfy's markers, a quick
check for NFKC, one `in` per zero-width character, a pass for the whitespace):
`triggers` reads the UTF-8 bytes once and says which rules may change the text.
A rule whose bit is clear returns its text unchanged (`normalize.normalize`
then skips it); a set bit only says "maybe": the rule itself decides.

Per code point the answer comes from a table (`normalize._trigger_table`, built
from the rules' own character sets; code points above the BMP share one entry).
tests/clean/test_normalize_triggers.py pins every bit to its rule.
"""

from __future__ import annotations

import numpy as np

from nearcopy.clean.doc_kernels import next_char
from nearcopy.native.registry import kernel

#: bits of `triggers`' result: the normalisers that may change the text
MOJIBAKE, ENTITIES, NFKC, ZERO_WIDTH, WHITESPACE = 1, 2, 4, 8, 16

#: bits of a code point's table entry: ftfy acts on it (a control, C1 or surrogate
#: character); NFKC may change it or its neighbours (FOLDS); the zero-width rule removes
#: it (INVISIBLE); the whitespace rule changes it (SPACE: `str.split()` whitespace but
#: " " and "\\n")
ACTED, FOLDS, INVISIBLE, SPACE = 1, 2, 4, 8
#: the tables' entry for every code point above the BMP
ASTRAL = 0x10000
#: the characters in classes that `triggers` remembers (more than a branch match can hold)
RING = 16


@kernel("i8(u1[:]r)")
def ascii_triggers(buf):
    """`triggers` of ASCII text (only the entity and whitespace rules can change it):
    a "&" or ";" sets ENTITIES; a byte below " " but "\\n", or a " " at a line's start
    or end or after another sets WHITESPACE."""
    return byte_triggers(buf) & ~CONTROLS


#: `byte_triggers`' bit for a byte below " " but "\\n", or "\\x7f"
CONTROLS = 32


@kernel(inline=True)
def byte_triggers(buf):
    """ENTITIES and WHITESPACE as `ascii_triggers` says them of the ASCII bytes in `buf`
    (the others are read as letters), and CONTROLS.

    Without branches, so that the compiler vectorises it (as
    `doc_kernels.may_need_whitespace`; a byte-by-byte test with branches took 8x as
    long on news_copies' ASCII pages).
    """
    n = buf.shape[0]
    if n == 0:
        return 0
    first = buf[0]
    controls = (first < 32 and first != 10) or first == 127
    spaces = first == 32 or buf[n - 1] == 32
    marks = first == 38 or first == 59
    for i in range(1, n):
        b = buf[i]
        p = buf[i - 1]
        controls |= ((b < 32) & (b != 10)) | (b == 127)
        spaces |= ((b == 32) & ((p == 32) | (p == 10))) | ((b == 10) & (p == 32))
        marks |= (b == 38) | (b == 59)
    return ((ENTITIES if marks else 0) | (WHITESPACE if spaces or controls else 0)
            | (CONTROLS if controls else 0))


@kernel(inline=True)
def branch_may_match(ring_at, ring_kinds, k, needs, start, stop):
    """Whether the characters in the ring hold what rows start..stop of `needs` ask for
    before code point k: a character of class needs[r, 0] needs[r, 1] to needs[r, 2]
    code points before it."""
    for r in range(start, stop):
        bit = np.uint64(1) << np.uint64(needs[r, 0])
        low = k - needs[r, 2]
        high = k - needs[r, 1]
        met = False
        for j in range(RING):
            if low <= ring_at[j] <= high and ring_kinds[j] & bit:
                met = True
                break
        if not met:
            return False
    return True


@kernel("i8(u1[:]r, u1[:]r, u1[:]r, u8[:]r, u8[:]r, i8[:]r, i8[:,:]r)")
def triggers(buf, table, kind, kinds, lasts, starts, needs):
    """The normalisers (bits above) that may change the UTF-8 text `buf` (lone
    surrogates as "surrogatepass" writes them); `table`: each code point's bits.

    MOJIBAKE needs a non-ASCII character and then either a character ftfy acts on,
    or what a match of a BADNESS_RE branch needs: a character of each of the
    branch's classes of non-ASCII characters, each at its distance (or range of
    them) before one of the last class (`lasts[b]`: that class's bit; rows
    starts[b]..starts[b + 1] of `needs`: the others, see `branch_may_match`).
    `kind[cp]` numbers the set of classes of code point cp (0: none), `kinds[m]`
    is set m as bits. NFKC, ZERO_WIDTH: a character of their class. ENTITIES: a
    "&" or ";". WHITESPACE: as `ascii_triggers`, or a character of class SPACE.
    """
    n = buf.shape[0]
    found = byte_triggers(buf)
    if found & CONTROLS:  # (rare: a tab, a "\\r")
        found &= ~CONTROLS
        for i in range(n):
            if buf[i] < 128 and table[buf[i]] & ACTED:
                found |= MOJIBAKE  # (`triggers` is asked of non-ASCII text only)
                break
    ring_at = np.full(RING, -RING - 1, dtype=np.int64)  # the last characters in
    ring_kinds = np.zeros(RING, dtype=np.uint64)  # classes: index, class bits
    slot = 0
    ends = np.uint64(0)  # the classes a branch ends with (most letters end none)
    for r in range(lasts.shape[0]):
        ends |= lasts[r]
    skipped = 0  # the bytes after the first of the characters before buf[i]
    i = 0
    while i < n:
        if buf[i] < 128:
            i += 1
            continue
        cp, size = next_char(buf, i, n)
        at = cp if cp < ASTRAL else ASTRAL
        bits = table[at]
        if bits & ACTED:
            found |= MOJIBAKE
        elif kind[at] != 0 and not found & MOJIBAKE:
            held = kinds[kind[at]]
            k = i - skipped  # (its index in the str)
            for r in range(lasts.shape[0] if held & ends else 0):
                if held & lasts[r] and branch_may_match(ring_at, ring_kinds, k, needs,
                                                        starts[r], starts[r + 1]):
                    found |= MOJIBAKE
                    break
            ring_at[slot] = k
            ring_kinds[slot] = held
            slot = (slot + 1) % RING
        if bits & FOLDS:
            found |= NFKC
        if bits & INVISIBLE:
            found |= ZERO_WIDTH
        if bits & SPACE:
            found |= WHITESPACE
        skipped += size - 1
        i += size
    return found
