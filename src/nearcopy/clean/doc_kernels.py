"""Compiled one-pass counts of a document's kept lines (numba kernels).

The document rules (word count, mean word length, symbols, bullet and ellipsis
lines, duplicate lines) and the repeated-paragraph check each read the whole
document: in Python that was a join, a split, a translate or a scan per rule,
together a sixth of the cleaning time. `line_counts` reads the bytes of
"\\n".join(lines) once and returns every count they need. ASCII text only (after
the line rules, 99% of news_copies' documents): the caller asks the Python
definitions about other text.

Every count must equal its Python definition (`doc_scan.python_counts`):
tests/clean/test_fast_paths_documents.py compares them on random text.
"""

from __future__ import annotations

import numpy as np

from nearcopy.native.registry import kernel

#: entries of the counts: words and characters in words of `str.split()`; "#"; "..."
#: (non-overlapping, as `str.count`); lines starting with a bullet ("-" or "*": the
#: ASCII ones); lines ending with "..."; and 1 when two lines may have the same loose key
#: (`repetition._loose_keys`: their letters and digits, lower-cased), 0 when no two do
WORDS, WORD_CHARS, HASHES, ELLIPSES, BULLET_LINES, ELLIPSIS_LINES, SAME_KEYS = range(7)

#: per ASCII byte: whether `str.split()` splits on it; its loose-key character (the
#: lower-cased letter or digit, else 0)
_SPACE = np.array([chr(b).isspace() for b in range(128)], dtype=np.int64)
_KEY = np.array([ord(chr(b).lower()) if chr(b).isalnum() else 0 for b in range(128)],
                dtype=np.int64)
#: keeps the key features' mix in 62 bits, the same in numba's wrapping int64 arithmetic
#: and in Python's integers (py_func gives the same counts)
_MASK = (1 << 62) - 1


@kernel(inline=True)
def any_equal(values):
    """Whether two entries of `values` are equal (sorts it)."""
    values.sort()
    for i in range(1, values.shape[0]):
        if values[i] == values[i - 1]:
            return True
    return False


@kernel("(i8, i8, i8, i8, i8, i8, i8)(u1[:]r, i8)")
def line_counts(buf, nlines):
    """The counts (see the names above) of `nlines` ASCII lines, each followed by a
    "\n" in `buf`; all -1 when `buf` holds more lines (a line held a "\n").

    A line's loose key is summed up by three features that equal keys share (its
    count of key characters, their sum, and their sum weighted by position among
    them): additions keep the pass free of multiplication chains (a rolling hash
    per byte took twice as long). Equal features only say "maybe".
    """
    keys = np.empty(nlines, dtype=np.int64)
    words = spaces = hashes = ellipses = bullets = ellipsis_lines = 0
    line = start = 0
    space = 1  # the character before was whitespace (or the text starts)
    run = 0  # the "." just before, less the "..." already counted
    count = total = weighted = 0  # the line's key features
    for i in range(buf.shape[0]):
        b = int(buf[i])  # (Python ints in py_func: no overflow warnings)
        if b == 10:  # the end of a line
            if line == nlines:
                return -1, -1, -1, -1, -1, -1, -1
            if i - start >= 3 and buf[i - 1] == 46 and buf[i - 2] == 46 and buf[i - 3] == 46:
                ellipsis_lines += 1
            if i > start and (buf[start] == 45 or buf[start] == 42):
                bullets += 1
            keys[line] = ((int(count) * 0x9E3779B1 + int(total)) * 0x85EBCA77
                          + int(weighted)) & _MASK
            line += 1
            start = i + 1
            space = 1
            run = count = total = weighted = 0
            continue
        s = _SPACE[b]
        words += space & (1 - s)
        spaces += s
        space = s
        key = _KEY[b]
        count += key != 0
        total += key
        weighted += key * count
        if b == 46:
            run += 1
            if run == 3:
                ellipses += 1
                run = 0
        else:
            run = 0
        hashes += b == 35
    if line != nlines:
        return -1, -1, -1, -1, -1, -1, -1
    same = 1 if any_equal(keys) else 0
    return (words, buf.shape[0] - spaces - nlines, hashes, ellipses, bullets, ellipsis_lines,
            same)
