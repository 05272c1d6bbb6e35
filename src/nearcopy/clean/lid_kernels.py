"""fastText's `predict` for the lid.176 language model, as one compiled call (numba kernel).

The stray-language rule asks the model about thousands of lines (4,519 distinct
ones on news_copies). Through fasttext-predict a call cost 22 us for a 100-character
line, and about twice that amid the cleaner's other work: the C++ reads the line
from a stream a byte at a time, builds a string per word and per character n-gram,
and looks n-gram buckets up in a hash map. Here a line is read from its bytes in
place, and the model is laid out for the caches (`lid_model.py`).

Every step is fastText 0.9.2's, in its order and in its float widths, so the
answers are the same numbers, not close ones (tests/clean/test_lid_kernels.py
compares them with fasttext-predict): `Dictionary::readWord`/`getLine` (words split
at " \\n\\r\\t\\v\\f\\0", reading stops at the first newline, which adds "</s>"),
`getId` and `computeSubwords` (character 2- to 4-grams of "<word>", whole UTF-8
characters, FNV-1a on signed bytes, kept when the pruned model keeps their
bucket), `Model::computeHidden` (the rows summed in float32, then scaled by
1/count), and `HierarchicalSoftmaxLoss::dfs` with k = 1 and threshold 0.
"""

from __future__ import annotations

import math

import numpy as np

from nearcopy.native.registry import kernel

#: fastText's FNV-1a (32-bit) offset basis and prime
FNV_OFFSET, FNV_PRIME = 2166136261, 16777619
#: `Dictionary::EOS` as bytes, and the prefix that makes a word a label
EOS = b"</s>"
LABEL_PREFIX = b"__label__"


@kernel(inline=True)
def fnv_step(h, byte):
    """One byte of `Dictionary::hash`: it XORs the byte as a *signed* char, so a byte of
    128 or more brings its sign bits along."""
    b = np.int64(byte)
    if b >= 128:
        b |= 0xFFFFFF00
    return ((h ^ b) * FNV_PRIME) & 0xFFFFFFFF


@kernel(inline=True)
def _is_blank(c):
    """The bytes at which `Dictionary::readWord` ends a word."""
    return c == 32 or c == 10 or c == 13 or c == 9 or c == 11 or c == 12 or c == 0


@kernel(inline=True)
def _word_id(text, start, end, h, table, words, offsets):
    """`Dictionary::getId`: the id of the word text[start:end] (FNV hash `h`), or -1."""
    mask = table.shape[0] - 1
    slot = h & mask
    length = end - start
    while table[slot] >= 0:
        wid = table[slot]
        first = offsets[wid]
        if offsets[wid + 1] - first == length:
            k = 0
            while k < length and words[first + k] == text[start + k]:
                k += 1
            if k == length:
                return wid
        slot = (slot + 1) & mask
    return -1


@kernel(inline=True)
def _add_row(hidden, quant, row):
    """`QuantMatrix::addRowToVector`: x[2s + n] += norm * centroid(s, code s)[n], in float32.
    The codes (9 bytes a row, 450 KB) stay in the caches where dequantised rows (3.2 MB)
    did not: 6.7 -> 4.4 us a line."""
    codes, norm_codes, centroids, norm_centroids = quant
    norm = norm_centroids[norm_codes[row]]
    for s in range(codes.shape[1]):
        code = codes[row, s]
        hidden[2 * s] += norm * centroids[s, code, 0]
        hidden[2 * s + 1] += norm * centroids[s, code, 1]


@kernel(inline=True)
def bucket_row(bucket, bits, keys, rows):
    """The input row of an n-gram bucket the pruned model kept, else -1: a bit set of the
    kept buckets (250 KB) answers most, a small open-addressing table the rest (a dense
    map of all 2M buckets was 8 MB of cache misses)."""
    if (bits[bucket >> 3] >> (bucket & 7)) & 1 == 0:
        return -1
    mask = keys.shape[0] - 1
    slot = table_slot(bucket, mask)
    while keys[slot] != bucket:
        slot = (slot + 1) & mask
    return rows[slot]


@kernel(inline=True)
def table_slot(key, mask):
    """Home slot of a key in a power-of-two table (Fibonacci hashing of 32 bits)."""
    return ((key * 2654435769) & 0xFFFFFFFF) >> 8 & mask


@kernel(inline=True)
def _add_subwords(text, start, end, hidden, quant, buckets, minn, maxn):
    """`Dictionary::computeSubwords` of "<" + text[start:end] + ">", each kept n-gram's
    row added to `hidden`; returns how many rows were added."""
    bits, keys, bucket_rows, nbuckets = buckets
    size = end - start + 2
    added = 0
    for i in range(size):
        if 0 < i < size - 1 and (text[start + i - 1] & 0xC0) == 0x80:
            continue
        h = np.int64(FNV_OFFSET)
        j = i
        n = 1
        while j < size and n <= maxn:
            # the character at j, all of its bytes ("<" and ">" are one byte each)
            c = 60 if j == 0 else (62 if j == size - 1 else text[start + j - 1])
            h = fnv_step(h, c)
            j += 1
            while 0 < j < size - 1 and (text[start + j - 1] & 0xC0) == 0x80:
                h = fnv_step(h, text[start + j - 1])
                j += 1
            if n >= minn and not (n == 1 and (i == 0 or j == size)):
                row = bucket_row(h % nbuckets, bits, keys, bucket_rows)
                if row >= 0:
                    _add_row(hidden, quant, row)
                    added += 1
            n += 1
    return added


@kernel(inline=True)
def _std_log(x):
    """`Loss::std_log`: log(x + 1e-5) in double, as float32."""
    return np.float32(math.log(np.float64(x) + 1e-5))


#: params of `predict_top`: the model's sizes, then where each array starts in the packed
#: arrays (`lid_model.LidModel.packed`): ints (int32), data (uint8) and floats (float32)
(NWORDS, NLABELS, MINN, MAXN, NBUCKETS, DIM, NSUBQ, TABLE, OFFSETS, SUBWORD_OFFSETS, SUBWORDS,
 BUCKET_KEYS, BUCKET_ROWS, LEFT, RIGHT, INTS_END, WORDS, BUCKET_BITS, CODES, NORM_CODES,
 DATA_END, CENTROIDS, NORM_CENTROIDS, OUTPUT, FLOATS_END) = range(25)
NUM_PARAMS = 25


@kernel("i8(u1[:]r, i4[:]r, u1[:]r, f4[:]r, i8[:]r, f4[:])")
def predict_top(text, ints, data, floats, params, out):
    """The top label of `text` (its index among the model's labels; -1 when fastText
    gives none), its probability in out[0] (float32, as `std::exp` of the score).

    The model, packed in three arrays (one call took 2 us just to pass 17 of them;
    see `lid_model.LidModel` for each part): the open-addressing word table (word
    ids, -1 empty; size a power of two, home slot FNV hash & (size - 1)); the words'
    bytes at offsets[wid]:offsets[wid + 1]; each in-vocabulary word's rows (itself,
    then its n-grams) at subwords[subword_offsets[wid]:...]; the kept n-gram buckets
    (`bucket_row`); the input rows' product-quantiser codes, norm codes and
    centroids; the dense output matrix; the Huffman tree (`left`, `right`, -1 at
    leaves). `out` holds one float32.
    """
    nwords, nlabels, minn, maxn = params[NWORDS], params[NLABELS], params[MINN], params[MAXN]
    dim, nsubq = params[DIM], params[NSUBQ]
    table = ints[params[TABLE]:params[OFFSETS]]
    offsets = ints[params[OFFSETS]:params[SUBWORD_OFFSETS]]
    subword_offsets = ints[params[SUBWORD_OFFSETS]:params[SUBWORDS]]
    subwords = ints[params[SUBWORDS]:params[BUCKET_KEYS]]
    buckets = (data[params[BUCKET_BITS]:params[CODES]],
               ints[params[BUCKET_KEYS]:params[BUCKET_ROWS]],
               ints[params[BUCKET_ROWS]:params[LEFT]], params[NBUCKETS])
    left = ints[params[LEFT]:params[RIGHT]]
    right = ints[params[RIGHT]:params[INTS_END]]
    words = data[params[WORDS]:params[BUCKET_BITS]]
    quant = (data[params[CODES]:params[NORM_CODES]].reshape(-1, nsubq),
             data[params[NORM_CODES]:params[DATA_END]],
             floats[params[CENTROIDS]:params[NORM_CENTROIDS]].reshape(nsubq, 256, 2),
             floats[params[NORM_CENTROIDS]:params[OUTPUT]])
    output = floats[params[OUTPUT]:params[FLOATS_END]].reshape(-1, dim)
    hidden = np.zeros(dim, dtype=np.float32)
    count = 0
    n = text.shape[0]
    pos = 0
    while True:
        # Dictionary::readWord
        start = -1
        end = -1
        eos = False
        while pos < n:
            c = text[pos]
            pos += 1
            if _is_blank(c):
                if start < 0:
                    if c == 10:
                        eos = True
                        break
                    continue
                end = pos - 1
                if c == 10:
                    pos = end  # (sungetc: the newline is read again, as "</s>")
                break
            if start < 0:
                start = pos - 1
        if eos:
            _add_row(hidden, quant, 0)  # "</s>" is word 0; it has no n-grams
            count += 1
            break
        if start < 0:
            break  # the end of the text, no word left
        if end < 0:
            end = n
        h = np.int64(FNV_OFFSET)
        for k in range(start, end):
            h = fnv_step(h, text[k])
        wid = _word_id(text, start, end, h, table, words, offsets)
        if wid >= 0:
            if wid < nwords:
                for k in range(subword_offsets[wid], subword_offsets[wid + 1]):
                    _add_row(hidden, quant, subwords[k])
                    count += 1
            if wid == 0:
                break  # the word "</s>" itself ends the line as a newline does
        else:
            label = end - start >= 9
            if label:
                for k in range(9):
                    if text[start + k] != LABEL_PREFIX[k]:
                        label = False
                        break
            if not label:
                count += _add_subwords(text, start, end, hidden, quant, buckets, minn,
                                        maxn)
    if count == 0:
        return -1
    scale = np.float32(1.0 / count)
    for d in range(dim):
        hidden[d] = hidden[d] * scale
    # HierarchicalSoftmaxLoss::dfs from the root, left before right, k = 1
    floor = _std_log(np.float32(0.0))
    best = np.float32(0.0)
    best_node = -1
    stack_nodes = np.empty(2 * nlabels, dtype=np.int64)
    stack_scores = np.empty(2 * nlabels, dtype=np.float32)
    stack_nodes[0] = 2 * nlabels - 2
    stack_scores[0] = np.float32(0.0)
    top = 1
    while top > 0:
        top -= 1
        node = stack_nodes[top]
        score = stack_scores[top]
        if score < floor:
            continue
        if best_node >= 0 and score < best:
            continue
        if left[node] == -1 and right[node] == -1:
            best = score  # (an equal score replaces the one kept: std::pop_heap's order)
            best_node = node
            continue
        f = np.float32(0.0)
        r = node - nlabels
        for d in range(dim):
            f += output[r, d] * hidden[d]
        f = np.float32(1.0 / np.float64(np.float32(1.0) + np.float32(math.exp(-f))))
        # pushed right first, so that the left subtree is searched first
        stack_nodes[top] = right[node]
        stack_scores[top] = score + _std_log(np.float32(np.float64(f)))
        stack_nodes[top + 1] = left[node]
        stack_scores[top + 1] = score + _std_log(np.float32(1.0 - np.float64(f)))
        top += 2
    out[0] = np.float32(math.exp(best))
    return best_node
