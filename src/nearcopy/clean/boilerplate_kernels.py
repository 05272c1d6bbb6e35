"""The template-like lines of a document in one compiled pass (numba kernels), and their key.

Every kept document's template-like lines are keyed for the corpus boilerplate
count (`boilerplate.TemplateLines.keys`). In Python that was a strip, a split and
an `endswith` per line, 0.23 s over news_copies' 9,580 documents: a tenth of what
cleaning adds to a `run`. `template_lines` reads the ASCII bytes once and keys
each line `TemplateLines.key` would key.

A line's key hashes its words, lower-cased and joined by one space (UTF-8): a
63-bit hash (two lanes of FNV-1a, `key_step`) that a kernel computes as it reads
the line's bytes, without writing the joined words out. The cleaner's scan keys
lines that way too (`kernels.line_stats`, row TEMPLATE), and `joined_key` hashes
what Python joined (the lines a kernel leaves to Python, and the write stage's
`strip`). Keys are only compared within one job.

It must agree with `TemplateLines.key` on every ASCII text:
tests/clean/test_boilerplate_kernels.py compares them on random text.
"""

from __future__ import annotations

import numpy as np

from nearcopy.native.registry import kernel

#: per ASCII byte: whether `str.split()` and `str.strip()` treat it as white space
SPACE = np.array([chr(b).isspace() for b in range(128)], dtype=np.uint8)
#: `boilerplate._SENTENCE_END`: . ! ? " and the closing quote, ideographic full stop,
#: fullwidth ! and ?
_DOT, _BANG, _QUESTION, _QUOTE = 46, 33, 63, 34
_CLOSE_QUOTE, _FULL_STOP, _WIDE_BANG, _WIDE_QUESTION = 0x201D, 0x3002, 0xFF01, 0xFF1F

#: two lanes of 32-bit FNV-1a (the second with its own start and multiplier), 63 bits of
#: key: no product exceeds int64, so numba's code and Python's integers agree (a 64-bit
#: FNV overflows int64, and LLVM, taking signed overflow for impossible, dropped the mask
#: that kept its products positive)
KEY_START_A, KEY_START_B = 0x811C9DC5, 0x9747B28C
_PRIME_A, _PRIME_B = 0x01000193, 0x5BD1E995
_LANE = 0xFFFFFFFF


@kernel(inline=True)
def key_step(a, b, byte):
    """The key's lanes after one more byte of the joined words."""
    c = int(byte)
    return ((int(a) ^ c) * _PRIME_A) & _LANE, ((int(b) ^ c) * _PRIME_B) & _LANE


@kernel(inline=True)
def key_end(a, b):
    """The key of a line from its lanes: never 0 (0 says "no key" in a scan row)."""
    key = a << 31 | (b & 0x7FFFFFFF)
    return key if key != 0 else 1


@kernel("i8(u1[:]r)")
def joined_key(data):
    """The key of a line given its words lower-cased and joined by one space (UTF-8)."""
    a, b = np.int64(KEY_START_A), np.int64(KEY_START_B)  # (not literals: typed once)
    for i in range(data.shape[0]):
        a, b = key_step(a, b, data[i])
    return key_end(a, b)


@kernel(inline=True)
def _decode(buf, pos):
    """(code point, length) of the UTF-8 character at buf[pos] (Python's encoding of
    str, lone surrogates included, so well formed)."""
    b0 = int(buf[pos])
    if b0 < 0x80:
        return b0, 1
    if b0 < 0xE0:
        return ((b0 & 0x1F) << 6) | (int(buf[pos + 1]) & 0x3F), 2
    if b0 < 0xF0:
        return (((b0 & 0x0F) << 12) | ((int(buf[pos + 1]) & 0x3F) << 6)
                | (int(buf[pos + 2]) & 0x3F)), 3
    return (((b0 & 0x07) << 18) | ((int(buf[pos + 1]) & 0x3F) << 12)
            | ((int(buf[pos + 2]) & 0x3F) << 6) | (int(buf[pos + 3]) & 0x3F)), 4


@kernel(inline=True)
def _is_space(cp, space):
    """`str.isspace` of a code point (the non-ASCII ones listed: Python 3.11's)."""
    if cp < 128:
        return space[cp] != 0
    return (cp == 0x85 or cp == 0xA0 or cp == 0x1680 or 0x2000 <= cp <= 0x200A
            or cp == 0x2028 or cp == 0x2029 or cp == 0x202F or cp == 0x205F or cp == 0x3000)


@kernel("i8(u1[:]r, u1[:]r, i8, i8, i8, i8[:])")
def template_lines(buf, space, content_min_words, min_words, min_chars, entries):
    """Of each "\\n"-separated line of UTF-8 `buf` that `TemplateLines.key` keys (not
    prose: fewer than `content_min_words` words or no sentence end; at least
    `min_words` words and `min_chars` characters once stripped), write its key
    (`joined_key` of its words lower-cased and joined by one space) to entries[2k]
    for the k-th such line. A line that is not prose and holds a non-ASCII character
    (to lower-case, or to count as a character) is left to `TemplateLines.key`: its
    entry is (-1 - its first byte, its end). Returns how many entries. `entries` must
    hold two per line."""
    n = buf.shape[0]
    found = 0
    start = 0
    while start <= n:
        end = start
        while end < n and buf[end] != 10:
            end += 1
        # the last character that is not white space (`str.rstrip`)
        stop = end  # (just past it)
        last_cp = -1
        while stop > start:
            q = stop - 1
            while q > start and (buf[q] & 0xC0) == 0x80:
                q -= 1
            cp, _ = _decode(buf, q)
            if not _is_space(cp, space):
                last_cp = cp
                break
            stop = q
        ends_sentence = (last_cp == _DOT or last_cp == _BANG or last_cp == _QUESTION
                         or last_cp == _QUOTE or last_cp == _CLOSE_QUOTE
                         or last_cp == _FULL_STOP or last_cp == _WIDE_BANG
                         or last_cp == _WIDE_QUESTION)
        # words up to there; a sentence stops counting at content_min_words (it is prose
        # then: most lines end here)
        words = 0
        first = -1
        in_word = False
        wide = False
        j = start
        while j < stop:
            cp, length = _decode(buf, j)
            if cp >= 128:
                wide = True
            if _is_space(cp, space):
                in_word = False
            elif not in_word:
                in_word = True
                words += 1
                if first < 0:
                    first = j
                if ends_sentence and words >= content_min_words:
                    break
            j += length
        if ends_sentence and words >= content_min_words:
            start = end + 1
            continue
        if wide:
            entries[2 * found] = -1 - start
            entries[2 * found + 1] = end
            found += 1
        elif words >= min_words and (stop - first if first >= 0 else 0) >= min_chars:
            ka, kb = np.int64(KEY_START_A), np.int64(KEY_START_B)
            gap = False
            for j in range(max(first, start), stop):
                b = buf[j]
                if space[b]:
                    gap = True
                    continue
                if gap:
                    ka, kb = key_step(ka, kb, 32)
                    gap = False
                if 65 <= b <= 90:
                    b += 32
                ka, kb = key_step(ka, kb, b)
            entries[2 * found] = key_end(ka, kb)
            entries[2 * found + 1] = 0
            found += 1
        start = end + 1
    return found
