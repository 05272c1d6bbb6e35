"""How a code point takes part in tokenizing, as explicit code point ranges.

Defined by ranges (not Unicode categories) so the compiled kernel and the
numpy fallback classify every character identically. Scripts written without
spaces (Chinese, Japanese kana, Thai, Lao, Khmer, Myanmar) yield one token per
character, so word n-grams over them become character n-grams.
"""

from __future__ import annotations

import numpy as np

SEPARATOR = 0  # punctuation, symbols: ends a word, is no token (word mode)
WORD = 1       # letter or digit of a space-delimited script
SINGLE = 2     # a character of a script written without spaces: a token of its own
SPACE = 3      # white space

# (first, last, class) for non-ASCII code points; anything not listed is WORD.
RANGES = np.array([
    (0x0080, 0x00BF, SEPARATOR), (0x0085, 0x0085, SPACE), (0x00A0, 0x00A0, SPACE),
    (0x00D7, 0x00D7, SEPARATOR), (0x00F7, 0x00F7, SEPARATOR),
    (0x0E00, 0x0EFF, SINGLE),    # Thai, Lao
    (0x1000, 0x109F, SINGLE),    # Myanmar
    (0x1680, 0x1680, SPACE),
    (0x1780, 0x17FF, SINGLE),    # Khmer
    (0x2000, 0x2BFF, SEPARATOR),  # punctuation, symbols, arrows, math, boxes
    (0x2000, 0x200A, SPACE), (0x2028, 0x2029, SPACE), (0x202F, 0x202F, SPACE),
    (0x205F, 0x205F, SPACE),
    (0x2E00, 0x2E7F, SEPARATOR),
    (0x3000, 0x303F, SEPARATOR), (0x3000, 0x3000, SPACE),
    (0x3040, 0x30FF, SINGLE),    # Hiragana, Katakana
    (0x31F0, 0x31FF, SINGLE),
    (0x3400, 0x4DBF, SINGLE),    # CJK extension A
    (0x4E00, 0x9FFF, SINGLE),    # CJK unified ideographs
    (0xE000, 0xF8FF, SEPARATOR),  # private use
    (0xF900, 0xFAFF, SINGLE),    # CJK compatibility ideographs
    (0xFE10, 0xFE6F, SEPARATOR), (0xFEFF, 0xFEFF, SEPARATOR),
    (0xFF00, 0xFF0F, SEPARATOR), (0xFF1A, 0xFF20, SEPARATOR), (0xFF3B, 0xFF40, SEPARATOR),
    (0xFF5B, 0xFF65, SEPARATOR), (0xFFF0, 0xFFFF, SEPARATOR),
    (0x1F000, 0x1FAFF, SEPARATOR),  # emoji, pictographs
    (0x20000, 0x2FA1F, SINGLE),  # CJK extensions B..F, compatibility supplement
], dtype=np.int64)


def _ascii_table() -> np.ndarray:
    table = np.full(128, SEPARATOR, dtype=np.int8)
    for cp in range(128):
        ch = chr(cp)
        if ch.isascii() and ch.isalnum():
            table[cp] = WORD
        elif cp in (9, 10, 11, 12, 13, 28, 29, 30, 31, 32):
            table[cp] = SPACE
    return table


ASCII_CLASS = _ascii_table()


def classify_np(cps: np.ndarray) -> np.ndarray:
    """Class of every code point in an int64 array (later ranges win, as in the kernel)."""
    out = np.full(cps.shape, WORD, dtype=np.int8)
    ascii_mask = cps < 128
    out[ascii_mask] = ASCII_CLASS[cps[ascii_mask]]
    for first, last, cls in RANGES:
        out[(cps >= first) & (cps <= last)] = cls
    return out
