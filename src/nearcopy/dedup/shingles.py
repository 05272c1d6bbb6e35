"""Tokens and shingles with numpy: the reference the compiled kernel is tested against.

Word mode: a token is a run of WORD characters, or one character of a script
written without spaces; shingles are windows of `ngram` tokens (a document with
fewer tokens gives one shingle of them all, so short texts still compare).
Char mode: every non-space character is a token and each run of white space one
space token, so shingles are character n-grams of the whitespace-collapsed text.
"""

from __future__ import annotations

import unicodedata

import numpy as np

from nearcopy.dedup.arrays import sorted_unique
from nearcopy.dedup.charclass import SINGLE, SPACE, WORD, classify_np
from nearcopy.dedup.hashing import FNV_OFFSET, FNV_PRIME, SPACE_TOKEN, fmix64_np


def normalize_for_hash(text: str) -> str:
    """NFKC and case folding; ASCII text is left as is (the kernel lower-cases ASCII)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKC", text).casefold()


def encode(text: str) -> bytes:
    """UTF-8 bytes of the normalised text (lone surrogates kept, never an error)."""
    return normalize_for_hash(text).encode("utf-8", "surrogatepass")


def _decode(buf: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Code points, their byte starts and byte lengths from UTF-8 bytes."""
    starts = np.flatnonzero((buf & 0xC0) != 0x80)
    b0 = buf[starts].astype(np.int64)
    lengths = np.where(b0 < 0x80, 1, np.where(b0 >= 0xF0, 4, np.where(b0 >= 0xE0, 3, 2)))
    padded = np.concatenate([buf, np.zeros(4, dtype=np.uint8)]).astype(np.int64)
    c1, c2, c3 = padded[starts + 1] & 0x3F, padded[starts + 2] & 0x3F, padded[starts + 3] & 0x3F
    cps = np.select(
        [lengths == 1, lengths == 2, lengths == 3],
        [b0, ((b0 & 0x1F) << 6) | c1, ((b0 & 0x0F) << 12) | (c1 << 6) | c2],
        ((b0 & 0x07) << 18) | (c1 << 12) | (c2 << 6) | c3)
    return cps, starts, lengths


def _fnv_spans(lowered: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """FNV-1a of every byte span, vectorised across spans, then fmix64."""
    hashes = np.full(starts.shape, FNV_OFFSET, dtype=np.uint64)
    for j in range(int(lengths.max(initial=0))):
        active = lengths > j
        chars = lowered[starts[active] + j].astype(np.uint64)
        hashes[active] = (hashes[active] ^ chars) * FNV_PRIME
    return fmix64_np(hashes)


def token_hashes(data: bytes, *, char_mode: bool = False) -> np.ndarray:
    """uint64 hash of every token of already-normalised UTF-8 bytes, in text order."""
    buf = np.frombuffer(data, dtype=np.uint8)
    if buf.size == 0:
        return np.empty(0, dtype=np.uint64)
    lowered = np.where((buf >= 65) & (buf <= 90), buf + 32, buf).astype(np.uint8)
    cps, starts, lengths = _decode(buf)
    cls = classify_np(cps)
    if char_mode:
        return _char_tokens(lowered, starts, lengths, cls)
    is_word = cls == WORD
    prev_word = np.concatenate([[False], is_word[:-1]])
    next_word = np.concatenate([is_word[1:], [False]])
    run_first = np.flatnonzero(is_word & ~prev_word)
    run_last = np.flatnonzero(is_word & ~next_word)
    single = np.flatnonzero(cls == SINGLE)
    tok_char = np.concatenate([run_first, single])
    tok_start = starts[tok_char]
    tok_len = np.concatenate([starts[run_last] + lengths[run_last] - starts[run_first],
                              lengths[single]])
    order = np.argsort(tok_char, kind="stable")
    return _fnv_spans(lowered, tok_start[order], tok_len[order])


def _char_tokens(lowered, starts, lengths, cls) -> np.ndarray:
    chars = np.flatnonzero(cls != SPACE)
    if chars.size == 0:
        return np.empty(0, dtype=np.uint64)
    hashes = _fnv_spans(lowered, starts[chars], lengths[chars])
    gap_before = np.concatenate([[False], np.diff(chars) > 1])
    return np.insert(hashes, np.flatnonzero(gap_before), SPACE_TOKEN)


def collapsed_bytes(data: bytes) -> bytes:
    """Lower-cased bytes with every run of white space made one space, ends stripped."""
    buf = np.frombuffer(data, dtype=np.uint8)
    if buf.size == 0:
        return b""
    lowered = np.where((buf >= 65) & (buf <= 90), buf + 32, buf).astype(np.uint8)
    cps, starts, lengths = _decode(buf)
    chars = np.flatnonzero(classify_np(cps) != SPACE)
    if chars.size == 0:
        return b""
    keep = np.zeros(buf.size, dtype=bool)
    char_of_byte = np.repeat(np.arange(cps.size), lengths)
    keep[np.isin(char_of_byte, chars)] = True
    kept = lowered[keep]
    # a space goes before the first byte of each kept char that follows a gap
    gap_before = np.concatenate([[False], np.diff(chars) > 1])
    first_byte_pos = np.cumsum(np.concatenate([[0], lengths[chars][:-1]]))
    return np.insert(kept, first_byte_pos[gap_before], 32).astype(np.uint8).tobytes()


def shingle_hashes(tokens: np.ndarray, ngram: int, state: np.uint64) -> np.ndarray:
    """uint64 hash of every window of `ngram` tokens (one window if fewer tokens)."""
    if tokens.size == 0:
        return np.empty(0, dtype=np.uint64)
    width = min(ngram, tokens.size)
    count = tokens.size - width + 1
    h = np.full(count, state, dtype=np.uint64)
    for j in range(width):
        h = fmix64_np(h ^ tokens[j:j + count])
    return h


def shingle_set(shingles: np.ndarray, sample_mod: int = 1) -> np.ndarray:
    """The sorted distinct 32-bit shingle values used for exact Jaccard and containment;
    with sample_mod > 1 only the values v with v % sample_mod == 0 (a power of two)."""
    values = sorted_unique((shingles & np.uint64(0xFFFFFFFF)).astype(np.uint32))
    if sample_mod > 1:
        values = values[(values & np.uint32(sample_mod - 1)) == 0]
    return values


_ = SINGLE
