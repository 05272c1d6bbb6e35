"""Compiled passes for the normalisers (numba kernels): which of them can change a text,
and the last three of them in one pass.

Most documents are left as they are by every normaliser, and each rule's own
pre-check read the whole text again (a regex scan for ftfy's markers, a quick
check for NFKC, one `in` per zero-width character, a pass for the whitespace):
`triggers` reads the UTF-8 bytes once and says which rules may change the text.
A rule whose bit is clear returns its text unchanged (`normalize.normalize`
then skips it); a set bit only says "maybe": the rule itself decides.

Per code point the answer comes from a table (`normalize._trigger_table`, built
from the rules' own character sets; code points above the BMP share one entry).
tests/clean/test_normalize_triggers.py pins every bit to its rule.

`fold_and_space` then runs the NFKC (by simple folds only, see norm_folds),
zero-width and whitespace rules over the same bytes, instead of each rule making
a new text; tests/clean/test_normalize_folds.py pins it to the rules.
"""

from __future__ import annotations

import numpy as np

from nearcopy.clean.doc_kernels import blank_class, next_char
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


#: what `fold_and_space` returns when NFKC needs its own pass, when `out` is too small
NOT_SIMPLE, TOO_SMALL = -1, -2


@kernel(inline=True)
def fold_index(points, cp):
    """Where code point cp is in the sorted `points`, or -1."""
    low, high = 0, points.shape[0]
    while low < high:
        mid = (low + high) // 2
        if points[mid] < cp:
            low = mid + 1
        else:
            high = mid
    return low if low < points.shape[0] and points[low] == cp else -1


@kernel("i8(u1[:]r, u1[:], i8, u1[:]r, i8[:]r, i8[:]r, u1[:]r)")
def fold_and_space(buf, out, enabled, table, points, ends, forms):
    """NfkcRule, ZeroWidthRule and WhitespaceRule (those whose bit is in `enabled`), one
    after the other, on the UTF-8 text `buf` in one pass, written to `out` (`buf`'s
    length and 16 bytes, or more: folds may lengthen the text): the new text's length
    times 32, plus the bits of the rules that changed their text. NOT_SIMPLE when NFKC
    is enabled and the text holds a character that fails its quick check and is not a
    simple fold; TOO_SMALL when the new text may not fit in `out`. (An array returned
    costs 2.8 us more a call than one passed.)

    `table`: as for `triggers`; `points`, `ends`, `forms`: norm_folds.fold_tables (a
    simple fold's NFKC form then goes through the other two rules). WhitespaceRule's
    text is what the zero-width rule leaves ("\\r", "\\u200b", "\\n" is one break); it
    changes that text when it meets a break but "\\n", whitespace but a single " "
    between words, or a " " before a break or the end.
    """
    n = buf.shape[0]
    o = 0
    changed = 0
    gap = False  # whitespace since the line's last word (written before the next word)
    words = False  # the line has a word
    after_cr = False  # the last character was a "\\r" (a "\\n" now is part of its break)
    i = 0  # where the next character is: in buf, or in forms while a fold is read
    end = n
    resume = -1  # where buf goes on after the fold being read (-1: none)
    while True:
        if i >= end:
            if resume < 0:
                break
            i, end, resume = resume, n, -1
            continue
        if resume < 0:
            start = i
            while i < n:  # (a run of characters every rule keeps: copied as it is)
                b = buf[i]
                if 32 < b < 128:
                    i += 1
                elif b == 32 and i > start and i + 1 < n and 32 < buf[i + 1] < 128:
                    i += 2  # (one " " between words)
                elif b >= 128:
                    cp, size = next_char(buf, i, n)
                    if cp >= ASTRAL or table[cp] & (FOLDS | INVISIBLE | SPACE):
                        break
                    i += size
                else:
                    break
            if i > start:
                if gap:
                    out[o] = 32
                    o += 1
                    gap = False
                after_cr = False
                words = True
                for j in range(start, i):
                    out[o] = buf[j]
                    o += 1
                continue
            cp, size = next_char(buf, i, n)
        else:
            cp, size = next_char(forms, i, end)
        at = i
        i += size
        bits = 0 if cp < 128 else table[cp] if cp < ASTRAL else table[ASTRAL]
        if bits & FOLDS and resume < 0 and enabled & NFKC:
            f = fold_index(points, cp)
            if f >= 0:
                if ends[f] == ends[f + 1]:
                    return NOT_SIMPLE
                changed |= NFKC
                if o + 1 + (ends[f + 1] - ends[f]) + (n - i) > out.shape[0]:
                    return TOO_SMALL
                resume, i, end = i, ends[f], ends[f + 1]
                continue
        if bits & INVISIBLE and enabled & ZERO_WIDTH:
            changed |= ZERO_WIDTH
            continue
        if enabled & WHITESPACE:
            if after_cr:
                after_cr = False
                if cp == 10:
                    continue
            kind = blank_class(cp) if cp < 128 or bits & SPACE else 0
            if kind == 1:  # (a line break)
                if cp != 10 or gap:
                    changed |= WHITESPACE
                out[o] = 10
                o += 1
                gap = words = False
                after_cr = cp == 13
                continue
            if kind == 2:  # (other whitespace)
                if cp != 32 or gap or not words:
                    changed |= WHITESPACE
                gap = words
                continue
            if gap:
                out[o] = 32
                o += 1
                gap = False
            words = True
        for j in range(at, at + size):
            out[o] = buf[j] if resume < 0 else forms[j]
            o += 1
    if gap:
        changed |= WHITESPACE
    return o << 5 | changed
