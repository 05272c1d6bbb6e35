"""The compiled sketching loop: UTF-8 bytes -> tokens -> shingles -> MinHash, in one pass.

Python-level tokenizing caps any pipeline near 10 MB/s (one object per token);
this loop touches each byte once and creates no Python objects. It computes
exactly what `shingles.py` + `minhash.py` compute with numpy (tested equal).
"""

from __future__ import annotations

import numpy as np

from nearcopy.dedup.charclass import ASCII_CLASS, RANGES, SEPARATOR, SINGLE, SPACE, WORD
from nearcopy.dedup.hashing import (EMPTY_SLOT, FNV_OFFSET, FNV_PRIME, LOW_32, MIX_1, MIX_2,
                                    SPACE_TOKEN)
from nearcopy.native import kernel

_S33 = np.uint64(33)
_S32 = np.uint64(32)
_ONE = np.uint64(1)


@kernel(inline=True)
def fmix64(k):
    k ^= k >> _S33
    k *= MIX_1
    k ^= k >> _S33
    k *= MIX_2
    k ^= k >> _S33
    return k


@kernel()
def classify(cp, ascii_class, ranges):
    if cp < 128:
        return ascii_class[cp]
    cls = WORD
    for i in range(ranges.shape[0]):
        if ranges[i, 0] <= cp <= ranges[i, 1]:
            cls = ranges[i, 2]
    return cls


@kernel()
def decode_at(buf, pos):
    """(code point, byte length) of the UTF-8 sequence starting at buf[pos] (lead byte >= 0x80)."""
    b0 = np.int64(buf[pos])
    if b0 >= 0xF0:
        return (((b0 & 0x07) << 18) | ((np.int64(buf[pos + 1]) & 0x3F) << 12)
                | ((np.int64(buf[pos + 2]) & 0x3F) << 6) | (np.int64(buf[pos + 3]) & 0x3F)), 4
    if b0 >= 0xE0:
        return (((b0 & 0x0F) << 12) | ((np.int64(buf[pos + 1]) & 0x3F) << 6)
                | (np.int64(buf[pos + 2]) & 0x3F)), 3
    return ((b0 & 0x1F) << 6) | (np.int64(buf[pos + 1]) & 0x3F), 2


@kernel()
def tokenize(buf, start, end, char_mode, out, collapsed, cpos, ascii_class, ranges):
    """Token hashes of buf[start:end] into `out`, and the text with white space collapsed
    (lower-cased, for the exact-copy hash) into collapsed[cpos:]. Returns (tokens, cpos)."""
    n = 0
    pos = start
    h = FNV_OFFSET
    in_word = False
    pending_space = False
    wrote = False
    while pos < end:
        b0 = buf[pos]
        if b0 < 0x80:
            length = 1
            cls = ascii_class[b0]
            if 65 <= b0 <= 90:
                b0 += 32
            if cls == WORD and not char_mode:
                h = (h ^ np.uint64(b0)) * FNV_PRIME
                in_word = True
                if pending_space:
                    collapsed[cpos] = 32
                    cpos += 1
                    pending_space = False
                collapsed[cpos] = b0
                cpos += 1
                wrote = True
                pos += 1
                continue
        else:
            cp, length = decode_at(buf, pos)
            cls = classify(cp, ascii_class, ranges)
        if in_word and (cls != WORD or char_mode):
            out[n] = fmix64(h)
            n += 1
            in_word = False
            h = FNV_OFFSET
        if cls == SPACE:
            pending_space = wrote
        else:
            if pending_space:
                collapsed[cpos] = 32
                cpos += 1
                if char_mode:
                    out[n] = SPACE_TOKEN
                    n += 1
                pending_space = False
            t = FNV_OFFSET
            for j in range(length):
                c = buf[pos + j]
                if 65 <= c <= 90:
                    c += 32
                collapsed[cpos] = c
                cpos += 1
                t = (t ^ np.uint64(c)) * FNV_PRIME
            wrote = True
            if cls == WORD and not char_mode:
                h = _fnv_extend(h, buf, pos, length)
                in_word = True
            elif char_mode or cls == SINGLE:
                out[n] = fmix64(t)
                n += 1
        pos += length
    if in_word:
        out[n] = fmix64(h)
        n += 1
    return n, cpos


@kernel(inline=True)
def _fnv_extend(h, buf, pos, length):
    for j in range(length):
        h = (h ^ np.uint64(buf[pos + j])) * FNV_PRIME
    return h


@kernel()
def shingle_hashes(tokens, ntok, ngram, state, out):
    """Hash every window of `ngram` tokens (one window of all tokens if fewer); return count.

    Four windows at a time: each hash is a chain of dependent multiplies, and four
    independent chains keep the multiplier busy (~10% of the sketch loop).
    """
    if ntok == 0:
        return 0
    width = ngram if ntok >= ngram else ntok
    count = ntok - width + 1
    i = 0
    while i + 4 <= count:
        h0 = h1 = h2 = h3 = state
        for j in range(width):
            h0 = fmix64(h0 ^ tokens[i + j])
            h1 = fmix64(h1 ^ tokens[i + 1 + j])
            h2 = fmix64(h2 ^ tokens[i + 2 + j])
            h3 = fmix64(h3 ^ tokens[i + 3 + j])
        out[i], out[i + 1], out[i + 2], out[i + 3] = h0, h1, h2, h3
        i += 4
    for k in range(i, count):
        h = state
        for j in range(width):
            h = fmix64(h ^ tokens[k + j])
        out[k] = h
    return count


@kernel()
def one_permutation_sketch(shingles, count, num_perm, state, sig):
    """One-permutation hashing (bin by high bits, min of low bits) + optimal densification."""
    for i in range(num_perm):
        sig[i] = EMPTY_SLOT
    if count == 0:
        return
    filled = np.zeros(num_perm, dtype=np.bool_)
    k = np.uint64(num_perm)
    for i in range(count):
        s = shingles[i]
        b = np.int64(((s >> _S32) * k) >> _S32)
        v = np.uint32(s & LOW_32)
        if v < sig[b]:
            sig[b] = v
        filled[b] = True
    densify(sig, filled, num_perm, state)


@kernel()
def densify(sig, filled, num_perm, state):
    """Shrivastava (2017) optimal densification: an empty bin borrows from a probed full bin.

    The probe sequence of bin i is fixed per seed and bins borrow original values
    only, so every document probes alike and the Jaccard estimate stays unbiased.
    """
    original = sig.copy()
    k = np.uint64(num_perm)
    for i in range(num_perm):
        if filled[i]:
            continue
        attempt = np.uint64(1)
        while True:
            j = np.int64(fmix64(state ^ ((np.uint64(i) << _S32) | attempt)) % k)
            if filled[j]:
                sig[i] = original[j]
                break
            attempt += _ONE


@kernel(inline=True)
def _longest(offsets):
    """The longest document of a batch, in bytes (at least 1): the size of its buffers."""
    longest = 1
    for d in range(offsets.shape[0] - 1):
        longest = max(longest, offsets[d + 1] - offsets[d])
    return longest


@kernel("u4[:](u1[:]r, i8[:]r, i8, b1, u8, i8, b1, i8, i8[:]r, i8[:,:]r, u4[:,:], i8[:], u1[:], i8[:])")
def sketch_batch(buf, offsets, ngram, char_mode, state, num_perm, collect, sample_mask,
                 ascii_class, ranges, sigs, set_counts, collapsed, collapsed_offsets):
    """Sketch every document buf[offsets[d]:offsets[d+1]].

    If `collect`, returns the concatenated sorted distinct 32-bit shingle values v
    with (v & sample_mask) == 0 of each document (sample_mask 0: the full set).
    Also writes each document's whitespace-collapsed, lower-cased bytes to
    `collapsed` (bounds in `collapsed_offsets`) for the exact-copy hash.
    """
    ndocs = offsets.shape[0] - 1
    max_len = _longest(offsets)
    tokens = np.empty(max_len + 1, dtype=np.uint64)
    shingles = np.empty(max_len + 1, dtype=np.uint64)
    low = np.empty(max_len + 1, dtype=np.uint32)
    scratch = np.empty(max_len + 1, dtype=np.uint32)
    buckets = np.zeros(256, dtype=np.int64)
    total = 0
    sets = np.empty(offsets[ndocs] - offsets[0] + 1 if collect else 0, dtype=np.uint32)
    cpos = 0
    for d in range(ndocs):
        collapsed_offsets[d] = cpos
        ntok, cpos = tokenize(buf, offsets[d], offsets[d + 1], char_mode, tokens, collapsed, cpos,
                              ascii_class, ranges)
        count = shingle_hashes(tokens, ntok, ngram, state, shingles)
        one_permutation_sketch(shingles, count, num_perm, state, sigs[d])
        if collect:
            set_counts[d] = sorted_distinct_sample(shingles, count, sample_mask, low, scratch,
                                                   buckets, sets, total)
            total += set_counts[d]
    collapsed_offsets[ndocs] = cpos
    return sets[:total]


@kernel("u4[:](u1[:]r, i8[:]r, i8, b1, u8, i8[:]r, i8[:,:]r, i8[:])")
def shingle_sets_batch(buf, offsets, ngram, char_mode, state, ascii_class, ranges,
                       set_counts):
    """The full sets `sketch_batch` collects (sample_mask 0), without the signatures and
    the collapsed text: what verification re-makes for its candidates (the sketch and the
    exact-copy bytes were an eighth of that work)."""
    ndocs = offsets.shape[0] - 1
    max_len = _longest(offsets)
    tokens = np.empty(max_len + 1, dtype=np.uint64)
    shingles = np.empty(max_len + 1, dtype=np.uint64)
    low = np.empty(max_len + 1, dtype=np.uint32)
    scratch = np.empty(max_len + 1, dtype=np.uint32)
    collapsed = np.empty(max_len + 1, dtype=np.uint8)  # (written by tokenize, not read)
    buckets = np.zeros(256, dtype=np.int64)
    sets = np.empty(offsets[ndocs] - offsets[0] + 1, dtype=np.uint32)
    total = 0
    for d in range(ndocs):
        ntok, _ = tokenize(buf, offsets[d], offsets[d + 1], char_mode, tokens, collapsed, 0,
                           ascii_class, ranges)
        count = shingle_hashes(tokens, ntok, ngram, state, shingles)
        set_counts[d] = sorted_distinct_sample(shingles, count, 0, low, scratch, buckets, sets,
                                               total)
        total += set_counts[d]
    return sets[:total]


@kernel()
def sorted_distinct_sample(shingles, count, sample_mask, low, scratch, buckets, out, at):
    """Write the sorted distinct low 32 bits v of shingles[:count] with (v & sample_mask) == 0
    to out[at:]; return how many. `scratch` (as long as `low`) and `buckets` (256) are
    working space for `radix_sort_u32`."""
    mask = np.uint32(sample_mask)
    m = 0
    for i in range(count):
        v = np.uint32(shingles[i] & LOW_32)
        if v & mask == 0:
            low[m] = v
            m += 1
    radix_sort_u32(low, m, scratch, buckets)
    k = 0
    for i in range(m):
        if i == 0 or low[i] != low[i - 1]:
            out[at + k] = low[i]
            k += 1
    return k


@kernel()
def radix_sort_u32(values, n, scratch, buckets):
    """Sort values[:n] (uint32) in place: LSD radix sort, four passes of 8 bits.

    numba's `ndarray.sort` took ~46 ns per value on the few hundred shingle values of a
    document (half the cost of sketching with sets); this takes ~9 ns (issue #4).
    """
    src, dst = values, scratch
    for shift in range(0, 32, 8):
        buckets[:] = 0
        for i in range(n):
            buckets[(src[i] >> shift) & 0xFF] += 1
        total = 0
        for b in range(256):
            size = buckets[b]
            buckets[b] = total
            total += size
        for i in range(n):
            v = src[i]
            digit = (v >> shift) & 0xFF
            dst[buckets[digit]] = v
            buckets[digit] += 1
        src, dst = dst, src  # after four passes the sorted values are back in `values`


ASCII_CLASS_NB = ASCII_CLASS.astype(np.int64)
RANGES_NB = np.ascontiguousarray(RANGES)
_ = SEPARATOR


@kernel("u8[:,:](u4[:,:]r, i8, i8)")
def band_key_matrix(signatures, num_bands, rows):
    """uint64[n, num_bands]: `lsh.block_keys` of every band of every signature, in one loop
    (numpy spends ~0.1 ms in call overhead on the one-document batches of a query)."""
    n = signatures.shape[0]
    out = np.empty((n, num_bands), dtype=np.uint64)
    for i in range(n):
        for band in range(num_bands):
            out[i, band] = _band_key(signatures, i, band, rows)
    return out


@kernel("u8[:](u4[:,:]r, i8[:]r, i8, i8)")
def band_keys_of(signatures, rows_index, band, rows):
    """uint64[len(rows_index)]: the `band_key_matrix` key of one band for the chosen rows,
    without copying their columns (at 1M documents, numpy's copy + uint64 cast of one
    band's columns took 170 MB)."""
    out = np.empty(rows_index.shape[0], dtype=np.uint64)
    for k in range(rows_index.shape[0]):
        out[k] = _band_key(signatures, rows_index[k], band, rows)
    return out


@kernel("u8[:,:](u4[:,:]r, i8[:]r, i8, i8)")
def band_keys_by_band(signatures, rows_index, num_bands, rows):
    """uint64[num_bands, len(rows_index)]: every band's key of the chosen rows, band-major
    (each band's keys contiguous), in one pass over each row (a chunk of a spilled
    signature file is read once for all bands; see pipeline/spilled.py)."""
    out = np.empty((num_bands, rows_index.shape[0]), dtype=np.uint64)
    for k in range(rows_index.shape[0]):
        for band in range(num_bands):
            out[band, k] = _band_key(signatures, rows_index[k], band, rows)
    return out


@kernel(inline=True)
def _band_key(signatures, i, band, rows):
    """The key of one band of signature row i: its columns hashed, seeded by the band."""
    key = np.uint64(band + 1)
    for col in range(band * rows, (band + 1) * rows):
        key = fmix64((key ^ np.uint64(signatures[i, col])) * FNV_PRIME)
    return key


def kernels_cached() -> bool:
    """Whether the compiled kernels are ready. False means this process builds them first
    (about 30 s, once per install and machine), which a user should be told."""
    from nearcopy.native import is_built, mode

    return mode() == "jit" or is_built()
