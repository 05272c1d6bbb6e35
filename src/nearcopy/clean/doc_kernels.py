"""Compiled passes over a whole document (numba kernels): the whitespace rule, and the
counts of the kept lines.

`whitespace` is `normalize.WhitespaceRule` in one pass over the UTF-8 bytes: its
str methods and regexes took a scan each (six for a text that needs no change,
and a split and join per line for one that does).

The document rules (word count, mean word length, symbols, bullet and ellipsis
lines, duplicate lines) and the repeated-paragraph check each read the whole
document: in Python that was a join, a split, a translate or a scan per rule,
together a sixth of the cleaning time. `line_counts` reads the bytes of
"\\n".join(lines) once and returns every count they need. ASCII text only (after
the line rules, 99% of news_copies' documents): the caller asks the Python
definitions about other text.

Every result must equal its Python definition (`doc_scan.python_counts`, the
whitespace rule's regexes): tests/clean/test_fast_paths_documents.py compares them
on random text.
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


#: character classes of `whitespace`: kept as it is, a line break, other whitespace
_CHAR, _BREAK, _BLANK = 0, 1, 2


@kernel(inline=True)
def blank_class(cp):
    """The class of code point cp for `WhitespaceRule`: the line breaks it unifies to
    "\\n" ("\\r" is handled by the caller: "\\r\\n" is one break), and the other
    characters `str.split()` splits on."""
    if cp < 0x80:
        if cp == 10 or cp == 11 or cp == 12 or cp == 13 or 28 <= cp <= 30:
            return _BREAK
        if cp == 32 or cp == 9 or cp == 31:
            return _BLANK
        return _CHAR
    if cp == 0x85 or cp == 0x2028 or cp == 0x2029:
        return _BREAK
    if (cp == 0xA0 or cp == 0x1680 or 0x2000 <= cp <= 0x200A or cp == 0x202F
            or cp == 0x205F or cp == 0x3000):
        return _BLANK
    return _CHAR


@kernel(inline=True)
def next_char(buf, i, n):
    """(code point, bytes) of the UTF-8 character at buf[i] (lone surrogates as three
    bytes, as `encode(..., "surrogatepass")` writes them)."""
    b = int(buf[i])
    if b < 0x80:
        return b, 1
    if b >= 0xF0:
        size, cp = 4, b & 0x07
    elif b >= 0xE0:
        size, cp = 3, b & 0x0F
    else:
        size, cp = 2, b & 0x1F
    size = min(size, n - i)
    for j in range(1, size):
        cp = (cp << 6) | (int(buf[i + j]) & 0x3F)
    return cp, size


@kernel("b1(u1[:]r)")
def may_need_whitespace(buf):
    """False when `whitespace` would not change the text: it holds no byte but "\\n"
    below " " nor any non-ASCII byte, no " " at a line's start or end, and no "  ".

    Written without branches or tables so that the compiler vectorises it: a
    byte-by-byte test took 4x as long. A kernel of its own: most texts need no change,
    and a kernel that returns an array costs 2 us more per call.
    """
    n = buf.shape[0]
    if n == 0:
        return False
    first = buf[0]
    found = first >= 128 or first == 32 or (first < 32 and first != 10) or buf[n - 1] == 32
    for i in range(1, n):
        b = buf[i]
        p = buf[i - 1]
        found |= ((b >= 128) | ((b < 32) & (b != 10)) | ((b == 32) & ((p == 32) | (p == 10)))
                  | ((b == 10) & (p == 32)))
    return found


@kernel("(b1, u1[:])(u1[:]r)")
def whitespace(buf):
    """`WhitespaceRule` on UTF-8 text: (changed, the new text's bytes).

    Line breaks ("\\r\\n", "\\r", "\\x0b", "\\x0c", "\\x1c"-"\\x1e", "\\x85", "\\u2028",
    "\\u2029") become "\\n"; then every line is `" ".join(line.split())`.
    """
    n = buf.shape[0]
    out = np.empty(n, dtype=np.uint8)
    o = 0
    gap = False  # whitespace since the line's last word (written before the next word)
    words = False  # the line has a word
    i = 0
    while i < n:
        cp, size = next_char(buf, i, n)
        kind = blank_class(cp)
        if kind == _BREAK:
            out[o] = 10
            o += 1
            gap = words = False
            if cp == 13 and i + 1 < n and buf[i + 1] == 10:
                size = 2
        elif kind == _BLANK:
            gap = words
        else:
            if gap:
                out[o] = 32
                o += 1
                gap = False
            for j in range(size):
                out[o + j] = buf[i + j]
            o += size
            words = True
        i += size
    changed = o != n
    if not changed:  # (the same length: "\r" became "\n", or another byte below " " was kept)
        for j in range(n):
            if out[j] != buf[j]:
                changed = True
                break
    return changed, out[:o]
