"""Sketches that stay on disk, and candidate pairs found from them in parts.

The batch job writes every signature and containment sample to a file as it
sketches, and never loads them whole: at a million documents the signatures
alone are 512 MB and the samples 224 MB, and the posting keys made from the
samples were 450 MB more (issue #4). Candidates are found instead in parts that
each hold a few MB per million documents:

- LSH: runs of rows of the signature file, read in row chunks, each write every
  band's keys to files of their own; then each band (its files in order) is sorted
  and paired on its own, and the bands' pairs are merged as they come.
- Containment: one pass over the sample file writes the (value, document) posting
  keys into 2**bits files by the top bits of the value, so every document holding a
  value is in one file; each file is sorted and paired on its own, and the shared
  counts are summed over the files.

The parts are independent tasks: with local worker processes they run on the
workers (which read the files), so this stage uses every core. Outputs are the
same pairs as `decide._candidates` over arrays in memory (tested).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nearcopy.dedup import containment, kernels, lsh
from nearcopy.dedup.decide import EMPTY_SIGNATURE, Sketches
from nearcopy.errors import ConfigError
from nearcopy.executors.base import Executor
from nearcopy.pipeline.heap import release_free_memory

#: signature rows per read of the signature file (16 MB at 128 permutations)
CHUNK_ROWS = 1 << 15
#: sample values per read of the sample file (4 MB of values, 16 MB of keys)
CHUNK_VALUES = 1 << 20
#: posting keys per partition file, at most about (32 MB)
PART_KEYS = 1 << 22
MAX_PART_BITS = 10


@dataclass
class SpilledSketches(Sketches):
    """Sketches whose signatures and samples are memory maps of the job's files (random
    reads, e.g. signature verification, touch only the rows they read)."""

    signature_path: Path | None = None
    sample_path: Path | None = None

    def sample_chunks(self, active: np.ndarray, chunk_values: int = CHUNK_VALUES):
        """(first document, values, counts, active) for runs of whole documents."""
        counts = self.sample_counts
        ends = np.cumsum(counts)
        start_doc, start_value = 0, 0
        while start_doc < counts.shape[0]:
            stop_doc = int(np.searchsorted(ends, start_value + chunk_values, side="right"))
            stop_doc = max(stop_doc, start_doc + 1)
            stop_value = int(ends[stop_doc - 1])
            values = np.fromfile(self.sample_path, dtype=np.uint32,
                                 count=stop_value - start_value, offset=4 * start_value)
            yield (start_doc, values, counts[start_doc:stop_doc].astype(np.int64),
                   active[start_doc:stop_doc])
            start_doc, start_value = stop_doc, stop_value

    def patch(self, rows: np.ndarray, batches: list) -> None:
        """Put re-made sketches of documents `rows` into the corpus arrays and files (samples
        included: the sample file is rewritten with theirs spliced in)."""
        self.exact_hashes[rows] = np.concatenate([b.exact_hashes for b in batches])
        self.lengths[rows] = np.concatenate([b.lengths for b in batches])
        self.signatures[rows] = np.concatenate([b.signatures for b in batches])
        self.nonempty[rows] = self.signatures[rows, 0] != EMPTY_SIGNATURE
        if self.sample_values is None:
            return
        new_counts = np.concatenate([b.set_counts for b in batches]).astype(np.int64)
        new_values = np.concatenate([b.set_values for b in batches]).astype(np.uint32)
        old_offsets = np.zeros(self.sample_counts.size + 1, dtype=np.int64)
        np.cumsum(self.sample_counts, out=old_offsets[1:])
        new_offsets = np.zeros(new_counts.size + 1, dtype=np.int64)
        np.cumsum(new_counts, out=new_offsets[1:])
        old_path = self.sample_path
        path = old_path.with_name(old_path.name + ".patched")
        with open(old_path, "rb") as old, open(path, "wb") as out:
            start = 0
            for k, row in enumerate(rows.tolist()):
                _copy_range(old, out, 4 * old_offsets[start], 4 * old_offsets[row])
                out.write(new_values[new_offsets[k]:new_offsets[k + 1]].tobytes())
                start = row + 1
            _copy_range(old, out, 4 * old_offsets[start], 4 * old_offsets[-1])
        self.sample_values = None  # unmap before the file is replaced
        path.replace(old_path)
        self.sample_counts[rows] = new_counts
        total = int(self.sample_counts.sum())
        self.sample_values = np.memmap(old_path, dtype=np.uint32, mode="r+", shape=(total,)) \
            if total else np.empty(0, dtype=np.uint32)


def _copy_range(source, target, start: int, end: int, block: int = 1 << 22) -> None:
    """Copy source bytes [start, end) to the end of target, a block at a time."""
    source.seek(int(start))
    left = int(end - start)
    while left > 0:
        data = source.read(min(block, left))
        if not data:
            raise OSError(f"{source.name} ended early")
        target.write(data)
        left -= len(data)


def _band_keys_task(payload) -> list[Path]:
    """Every band's keys of the active rows among signature rows [start, stop) (runs on
    a worker: the keys of a million documents took 0.8 s of serial work in the parent),
    one file per band; returns the files' paths, band by band."""
    signature_path, num_perm, start, stop, index, num_bands, rows, folder, part = payload
    paths = [folder / f"band-{band:04d}-{part:05d}.u64" for band in range(num_bands)]
    files = [open(path, "wb") for path in paths]
    try:
        for first in range(start, stop, CHUNK_ROWS):
            count = min(CHUNK_ROWS, stop - first)
            chunk = np.fromfile(signature_path, dtype=np.uint32, count=count * num_perm,
                                offset=4 * first * num_perm).reshape(count, num_perm)
            lo, hi = np.searchsorted(index, [first, first + count])
            keys = kernels.band_keys_by_band(chunk, index[lo:hi] - first, num_bands, rows)
            for band, handle in enumerate(files):
                handle.write(keys[band])  # (its buffer: a band's row is C-contiguous)
    finally:
        for handle in files:
            handle.close()
    return paths


def _band_task(payload) -> np.ndarray:
    """Distinct pairs of one band (runs on a worker): its keys files (one per run of rows,
    in order) and the documents."""
    key_paths, index, window = payload
    if isinstance(index, Path):
        index = np.fromfile(index, dtype=np.int64)
    keys = [np.fromfile(path, dtype=np.uint64) for path in key_paths]
    return lsh.band_pairs(keys[0] if len(keys) == 1 else np.concatenate(keys), index, window)


def _partition_task(payload):
    """(distinct pairs, shared counts) of one posting partition (runs on a worker)."""
    path, max_posting = payload
    return containment.partition_pairs(np.fromfile(path, dtype=np.uint64), max_posting)


class SpilledCandidates:
    """A `decide.CandidateFinder` over SpilledSketches; parts run on `executor` when its
    workers can read this machine's files (`parallel`), else in this process."""

    def __init__(self, folder: Path, executor: Executor, parallel: bool):
        self.folder, self.executor, self.parallel = folder, executor, parallel

    def __call__(self, sk: SpilledSketches, active, num_bands: int, rows: int, window: int,
                 use_containment: bool, min_shared: int):
        if num_bands * rows > sk.signatures.shape[1]:
            raise ConfigError(f"num_bands * rows_per_band = {num_bands * rows} exceeds "
                              f"num_perm = {sk.signatures.shape[1]}")
        self.folder.mkdir(parents=True, exist_ok=True)
        try:
            left, right = lsh.unpack_pairs(self._lsh(sk, active, num_bands, rows, window))
            release_free_memory()  # each band's arrays were freed; keep RSS flat
            c_left = c_right = np.empty(0, dtype=np.int64)
            if use_containment:
                c_left, c_right = lsh.unpack_pairs(self._containment(sk, active, min_shared))
                release_free_memory()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
        return left, right, c_left, c_right

    def _map(self, fn, payloads):
        if self.parallel:
            return self.executor.map_ordered(fn, payloads)
        return map(fn, payloads)

    def _lsh(self, sk: SpilledSketches, active, num_bands: int, rows: int, window: int):
        index = np.flatnonzero(active).astype(np.int64)
        runs = self._row_runs(len(sk))
        payloads = []
        for part, (start, stop) in enumerate(runs):
            lo, hi = np.searchsorted(index, [start, stop])
            payloads.append((sk.signature_path, sk.signatures.shape[1], start, stop,
                             index[lo:hi], num_bands, rows, self.folder, part))
        parts = list(self._map(_band_keys_task, payloads))  # [run][band] -> path
        shared = index
        if self.parallel:
            shared = self.folder / "index.i64"
            index.tofile(shared)
        merged = np.empty(0, dtype=np.uint64)
        tasks = [([paths[band] for paths in parts], shared, window) for band in range(num_bands)]
        for pairs in self._map(_band_task, tasks):
            merged = lsh.merge_pairs(merged, pairs)
        return merged

    def _row_runs(self, count: int) -> list[tuple[int, int]]:
        """Runs of signature rows for the band-key tasks: whole chunks, about four per
        worker (in this process: one run)."""
        if not self.parallel or count == 0:
            return [(0, count)]
        chunks = -(-count // CHUNK_ROWS)
        per_run = max(1, -(-chunks // (4 * self.executor.workers)))
        return [(start, min(count, start + per_run * CHUNK_ROWS))
                for start in range(0, count, per_run * CHUNK_ROWS)]

    def _containment(self, sk: SpilledSketches, active, min_shared: int):
        total = int(sk.sample_counts[active].sum())
        bits = 0
        while (total >> bits) > PART_KEYS and bits < MAX_PART_BITS:
            bits += 1
        paths = [self.folder / f"postings-{p:04d}.u64" for p in range(1 << bits)]
        files = [open(path, "wb") for path in paths]
        try:
            for first, values, counts, chunk_active in sk.sample_chunks(active):
                keys = containment.posting_keys(values, counts, chunk_active, first)
                grouped = np.empty_like(keys)
                bounds = containment.partition_keys(keys, grouped, bits)
                del keys
                for p, handle in enumerate(files):
                    handle.write(grouped[bounds[p]:bounds[p + 1]].tobytes())
        finally:
            for handle in files:
                handle.close()
        payloads = [(path, containment.MAX_POSTING) for path in paths]
        return containment.shared_pairs(self._map(_partition_task, payloads), min_shared)
