"""Per-line facts of a whole document in one compiled pass (`kernels.line_stats`).

`scan(text)` gives, for every line of `text.split("\\n")`, its ASCII letters,
its words, its function-word guess and its flags (see kernels.py); lines
flagged `NON_ASCII` must be asked of the Python definitions instead.
"""

from __future__ import annotations

import numpy as np

from nearcopy.clean import kernels, stopwords
from nearcopy.clean.language import HEADLINE_SHARE
from nearcopy.clean.kernels import FLAGS, GUESS, HEADLINE, LETTERS, NON_ASCII, WORDS

__all__ = ["scan", "LETTERS", "WORDS", "GUESS", "FLAGS", "NON_ASCII", "HEADLINE", "LANGUAGES"]

#: GUESS k (k > 0) names LANGUAGES[k]
LANGUAGES: tuple[str | None, ...] = (None, *stopwords._LANGUAGES)


def _pack(word: bytes) -> int:
    return sum(byte << (8 * j) for j, byte in enumerate(word))


def _slot(key: int) -> int:
    """`kernels.word_slot` in Python integers (two's complement product, arithmetic shift)."""
    product = (key * kernels.HASH_MULTIPLIER) & ((1 << 64) - 1)
    if product >= 1 << 63:
        product -= 1 << 64
    return (product >> kernels.HASH_SHIFT) & 1023


def _tables() -> np.ndarray:
    """`kernels.line_stats`' tables: the guess's parameters, the byte classes, and the
    ASCII function words with their weights (a non-ASCII word never occurs in an ASCII
    line)."""
    nlangs = len(stopwords._LANGUAGES)
    nfields = 2 * nlangs
    words = sorted(w for w in stopwords._WEIGHTS if w.isascii())
    max_len = max(map(len, words))
    assert max_len <= 7 and len(words) < 512
    assert all(w == w.lower() and w.split() == [w] for w in words)
    tables = np.zeros(kernels.WEIGHTS + 1024 * nfields, dtype=np.int64)
    tables[[kernels.NLANGS, kernels.MIN_WORDS, kernels.MIN_HITS, kernels.DOMINANCE,
            kernels.MAX_KEY_LEN]] = [nlangs, stopwords.MIN_WORDS, stopwords.MIN_HITS,
                                     stopwords.DOMINANCE, max_len]
    for b in range(128):
        char = chr(b)
        if char.isspace():  # str.split()'s ASCII whitespace, incl. \x1c-\x1f
            tables[kernels.CLASSES + b] |= kernels._SPACE
        if char.isalpha():
            tables[kernels.CLASSES + b] |= kernels._UPPER if char.isupper() else kernels._LOWER
    for word in words:
        key = _pack(word.encode("ascii"))
        slot = _slot(key)
        while tables[kernels.TABLE + slot]:
            slot = (slot + 1) & 1023
        tables[kernels.TABLE + slot] = key
        row = kernels.WEIGHTS + slot * nfields
        tables[row:row + nfields] = [
            stopwords._WEIGHTS[word] >> (stopwords._FIELD * k) & stopwords._MASK
            for k in range(nfields)]
    tables.flags.writeable = False
    return tables


_TABLES = _tables()
_MIN_SHARE = float(stopwords.MIN_SHARE)
_HEADLINE_SHARE = float(HEADLINE_SHARE)


def scan(text: str) -> list[list[int]]:
    """[letters, words, guess, flags]: one list each, one entry per line of `text`."""
    buf = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    return kernels.line_stats(buf, _TABLES, _MIN_SHARE, _HEADLINE_SHARE).tolist()
