"""Counts of a document's kept lines: sums of the cleaner's scan, or one compiled pass.

`counts(lines)` gives what the document rules and the repeated-paragraph check
read (see doc_kernels.py for the entries); `python_counts` is their definition
in Python, used where the compiled pass cannot vouch (text that is not ASCII, no
lines, or a line that holds a "\\n"). `kept_counts` gives the same counts as sums
over the kept lines of the scan the cleaner made of the whole document before its
line rules (`kernels.line_stats`), without joining, encoding and scanning the kept
lines again.
"""

from __future__ import annotations

import numpy as np

from nearcopy.clean import doc_kernels
from nearcopy.clean.kernels import (EMPTY, EMPTY_SHIFT, FIELD_BITS, FLAGS, KEY, NON_ASCII,
                                    SUMS_A, SUMS_B, T_ASKED, T_FLAGS, T_SAME_KEYS, T_SUMS_A,
                                    T_SUMS_B)
from nearcopy.clean.doc_kernels import (BULLET_LINES, ELLIPSES, ELLIPSIS_LINES, HASHES,
                                        SAME_KEYS, WORD_CHARS, WORDS)

__all__ = ["counts", "kept_counts", "kept_keys", "python_counts", "WORDS", "WORD_CHARS", "HASHES", "ELLIPSES",
           "BULLET_LINES", "ELLIPSIS_LINES", "SAME_KEYS", "BULLETS", "ELLIPSIS"]

#: a line starting with one of these is a bullet line, one ending with one of ELLIPSIS an
#: ellipsis line (Gopher)
BULLETS = ("-", "•", "·", "*", "▪", "►", "●", "◦", "–", "—", "‣", "⁃")
ELLIPSIS = ("...", "…")

#: the lines counted last and their counts: the repeated-paragraph check and then the
#: document rules ask about the same lines (unless a paragraph went)
_last: tuple[list[str], tuple[int, ...]] = ([], ())


def counts(lines: list[str]) -> tuple[int, ...]:
    """The counts of `lines` (one entry per name of doc_kernels)."""
    global _last
    last_lines, last_counts = _last  # (one read: another thread may replace it)
    if lines == last_lines and last_counts:
        return last_counts
    text = "\n".join(lines)
    found = None
    if lines and text.isascii():
        data = text.encode("ascii") + b"\n"  # (every line ends with one: no end test per byte)
        found = (_line_counts or _bind())(np.frombuffer(data, BYTE), len(lines))
    if found is None or found[0] < 0:  # (not ASCII, or a line held a "\n")
        found = python_counts(lines)
    _last = (list(lines), found)
    return found


def kept_counts(rows: list[list[int]], numbers: list[int], changed: set[int],
                ascii_text: bool, size: int, totals: list[int] | None = None
                ) -> tuple[int, ...] | None:
    """`counts` of lines `numbers` of a document of `size` UTF-8 bytes, from the rows of
    its scan (`scan.scan_rows`); None when the scan cannot vouch for them: a line whose
    text is not the one scanned (in `changed`: a placeholder was cut out), a line not
    ASCII (`ascii_text`: the document is ASCII), or a document too long for the packed
    sums.

    Every line kept (most documents, once the empty lines are left out) takes sums
    over the whole rows: an empty line adds nothing to them and its key is equal
    to no other. Else the sums run over the kept lines' numbers. The keys are the
    `line_key`s (equal loose keys, equal line keys), so SAME_KEYS is 0 only when no
    two keys are equal, as the compiled pass says it. With the scan's document sums
    (`totals`: `scan.scan_document`), every line kept takes them as they are.
    """
    if size >= SUM_LIMIT or (changed and not changed.isdisjoint(numbers)):
        return None
    flags = rows[FLAGS]
    empty = totals[T_ASKED] >> EMPTY_SHIFT if totals is not None else flags.count(EMPTY)
    if len(numbers) + empty == len(flags):  # (an empty line's flags: EMPTY)
        if totals is not None:
            if not ascii_text and totals[T_FLAGS] & NON_ASCII:
                return None
            return counts_from_sums(totals)
        if not ascii_text and any([flag & NON_ASCII for flag in flags]):
            return None
        sums_a, sums_b, keys = sum(rows[SUMS_A]), sum(rows[SUMS_B]), rows[KEY]
        same = len(set(keys)) != len(keys)
    else:
        if not ascii_text and any([flags[i] & NON_ASCII for i in numbers]):
            return None
        sums_a = sum(map(rows[SUMS_A].__getitem__, numbers))
        sums_b = sum(map(rows[SUMS_B].__getitem__, numbers))
        same = len(set(map(rows[KEY].__getitem__, numbers))) != len(numbers)
    return _unpacked(sums_a, sums_b, int(same))


def counts_from_sums(totals: list[int]) -> tuple[int, ...]:
    """`counts` of every line of a document shorter than SUM_LIMIT bytes whose lines the
    scan vouches for (all ASCII), from its sums (`scan.scan_document`)."""
    return _unpacked(totals[T_SUMS_A], totals[T_SUMS_B], totals[T_SAME_KEYS])


def _unpacked(sums_a: int, sums_b: int, same: int) -> tuple[int, ...]:
    """The counts in the order of doc_kernels' names, from the packed sums (see
    `kernels.SUMS_A`)."""
    return (sums_a & _FIELD, sums_a >> FIELD_BITS & _FIELD, sums_a >> 2 * FIELD_BITS,
            sums_b & _FIELD, sums_b >> FIELD_BITS & _FIELD, sums_b >> 2 * FIELD_BITS, same)


#: each count as an expression of the packed sums `sums_a`, `sums_b` and `same` (as
#: `_unpacked` reads them), by its index: for code generated to test the sums at once
#: (`documents.keeps_chain`)
PACKED_COUNTS = (f"(sums_a & {(1 << FIELD_BITS) - 1})",
                 f"(sums_a >> {FIELD_BITS} & {(1 << FIELD_BITS) - 1})",
                 f"(sums_a >> {2 * FIELD_BITS})",
                 f"(sums_b & {(1 << FIELD_BITS) - 1})",
                 f"(sums_b >> {FIELD_BITS} & {(1 << FIELD_BITS) - 1})",
                 f"(sums_b >> {2 * FIELD_BITS})",
                 "same")


def kept_keys(rows: list[list[int]], numbers: list[int]) -> list[int]:
    """The scan's loose-key sums (`kernels.line_key`) of lines `numbers` (lines that
    `kept_counts` vouched for): equal loose keys, equal sums."""
    return list(map(rows[KEY].__getitem__, numbers))


#: the packed sums of a document shorter than this are exact (each count is at most its
#: bytes, and lines at most bytes + 1)
SUM_LIMIT = (1 << FIELD_BITS) - 1
_FIELD = (1 << FIELD_BITS) - 1


def python_counts(lines: list[str]) -> tuple[int, ...]:
    """The definition of every count; "…" counts as "..." (a symbol, an ellipsis line
    end) and the other BULLETS as bullets, which no ASCII text holds. SAME_KEYS is 1
    when two lines have the same loose key, or when a line is not ASCII (the keys of
    other text are left to `repetition._loose_keys`)."""
    text = " ".join(lines)
    words = text.split()
    return (len(words), sum(map(len, words)), text.count("#"),
            text.count("...") + text.count("…"),
            sum(line.startswith(BULLETS) for line in lines),
            sum(line.endswith(ELLIPSIS) for line in lines),
            int(not all(map(str.isascii, lines)) or _same_keys(lines)))


def _same_keys(lines: list[str]) -> bool:
    keys = ["".join(c for c in line.lower() if c.isalnum()) for line in lines]
    return len(set(keys)) != len(keys)


#: the dtype of the kernels' buffers (a dtype object passed by position: a type or a keyword
#: cost `np.frombuffer` 0.4 us more a call)
BYTE = np.dtype(np.uint8)
_line_counts = None


def _bind():
    """`compiled(line_counts)`, looked up once."""
    global _line_counts
    _line_counts = compiled(doc_kernels.line_counts)
    return _line_counts


def compiled(k):
    """Kernel `k` of the AOT module, called without the kernel's per-call argument check
    (its callers pass exactly the exported types: read-only uint8 buffers from
    `np.frombuffer`, and ints). Else the kernel itself (numba's JIT)."""
    from nearcopy.native import aot, registry
    module = aot.load() if registry.mode() == "aot" else None
    return getattr(module, k.export_name, None) or k
