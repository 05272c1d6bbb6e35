"""Word tokens of the span finder: the `nearcopy dedup` tokens, with their character offsets."""

from __future__ import annotations

import unicodedata

import numpy as np

from nearcopy.dedup.charclass import SINGLE, WORD
from nearcopy.dedup.hashing import FNV_OFFSET, FNV_PRIME
from nearcopy.dedup.kernels import ASCII_CLASS_NB, RANGES_NB, classify, decode_at, fmix64
from nearcopy.dedup.shingles import encode, normalize_for_hash
from nearcopy.native import kernel


@kernel("i8(u1[:]r, i8[:]r, i8[:]r, i8[:,:]r, u8[:], i8[:], i8[:], i8[:])")
def _tokenize(buf, offsets, ascii_class, ranges, hashes, starts, ends, counts):
    """Token hashes (as shingles.token_hashes) and byte bounds of each document."""
    n = 0
    for d in range(offsets.shape[0] - 1):
        pos, stop, first, in_word, word_start = offsets[d], offsets[d + 1], n, False, 0
        h = FNV_OFFSET
        while pos <= stop:
            cls, length = -1, 1
            if pos < stop:
                b0 = buf[pos]
                if b0 < 0x80:
                    cls = ascii_class[b0]
                else:
                    cp, length = decode_at(buf, pos)
                    cls = classify(cp, ascii_class, ranges)
            if cls == WORD:
                if not in_word:
                    in_word, word_start, h = True, pos, FNV_OFFSET
            elif in_word:
                hashes[n], starts[n], ends[n] = fmix64(h), word_start - offsets[d], pos - offsets[d]
                n += 1
                in_word = False
            t = FNV_OFFSET
            for j in range(length if cls == WORD or cls == SINGLE else 0):
                c = buf[pos + j]
                if 65 <= c <= 90:
                    c += 32
                t = (t ^ np.uint64(c)) * FNV_PRIME
                h = (h ^ np.uint64(c)) * FNV_PRIME
            if cls == SINGLE:
                hashes[n], starts[n], ends[n] = fmix64(t), pos - offsets[d], pos + length - offsets[d]
                n += 1
            pos += length
        counts[d] = n - first
    return n


def tokenize_texts(encoded: list[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(hashes, byte starts, byte ends, per-document counts) of already-encoded texts."""
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    buf = np.frombuffer(b"".join(encoded) + b"\0\0\0\0", dtype=np.uint8)
    size = max(int(offsets[-1]), 1)
    hashes = np.empty(size, dtype=np.uint64)
    starts, ends = np.empty(size, dtype=np.int64), np.empty(size, dtype=np.int64)
    counts = np.zeros(len(encoded), dtype=np.int64)
    n = _tokenize(buf, offsets, ASCII_CLASS_NB, RANGES_NB, hashes, starts, ends, counts)
    return hashes[:n], starts[:n], ends[:n], counts


def _normalized_map(text: str) -> tuple[str, np.ndarray]:
    """Normalised text and, per normalised char, the original char index it came from.

    NFKC may compose across characters, so base characters are normalised with
    their combining marks; if that still differs from the whole-text result (rare),
    positions are scaled proportionally (approximate, never out of range).
    """
    whole = normalize_for_hash(text)
    pieces, origin, i = [], [], 0
    while i < len(text):
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        piece = unicodedata.normalize("NFKC", text[i:j]).casefold()
        pieces.append(piece)
        origin.extend([i] * len(piece))
        i = j
    if "".join(pieces) == whole:
        return whole, np.array(origin + [len(text)], dtype=np.int64)
    scale = len(text) / max(len(whole), 1)
    return whole, np.minimum((np.arange(len(whole) + 1) * scale).astype(np.int64), len(text))


def token_offsets(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(token hashes, char starts, char ends) of one text, offsets in the original text."""
    data = encode(text)
    hashes, starts, ends, _ = tokenize_texts([data])
    if text.isascii():
        return hashes, starts, ends
    buf = np.frombuffer(data, dtype=np.uint8)
    char_at_byte = np.concatenate([[0], np.cumsum((buf & 0xC0) != 0x80)])
    _, origin = _normalized_map(text)
    return hashes, origin[char_at_byte[starts]], origin[char_at_byte[ends]]
