"""Per-shard sketch arrays on disk, and gathering the rows of any global documents.

Every shard's sketch task writes `exact_hashes.npy`, `lengths.npy`, `signatures.npy`,
`set_values.npy` and `set_offsets.npy` (CSR) into its folder. Shard s holds the
global indices [starts[s], starts[s+1]). Verification tasks open the files with
np.load(mmap_mode="r") and copy only the rows they need into a small `Sketches`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from nearcopy.dedup.decide import Sketches
from nearcopy.pipeline.markers import load_array

ARRAYS = ("exact_hashes", "lengths", "signatures", "set_values", "set_offsets")


def shard_folder(work: Path, index: int) -> Path:
    return Path(work) / f"shard-{index:05d}"


class ShardArrays:
    """Memory-mapped sketch arrays of all shards, addressed by global document index."""

    def __init__(self, work: str | Path, starts: np.ndarray):
        self.work = Path(work)
        self.starts = np.asarray(starts, dtype=np.int64)
        self._open: dict[int, dict[str, np.ndarray]] = {}

    def shard(self, index: int) -> dict[str, np.ndarray]:
        arrays = self._open.get(index)
        if arrays is None:
            folder = shard_folder(self.work, index)
            arrays = {name: load_array(folder / f"{name}.npy", mmap=True) for name in ARRAYS}
            self._open[index] = arrays
        return arrays

    def gather(self, indices: np.ndarray, *, signatures: bool = True) -> Sketches:
        """A Sketches (no sets) of the documents at the given global indices, in that order."""
        indices = np.asarray(indices, dtype=np.int64)
        owner = self._owner(indices)
        num_perm = self.shard(0)["signatures"].shape[1] if signatures else 0
        hashes = np.empty(indices.size, dtype=np.uint64)
        lengths = np.empty(indices.size, dtype=np.int64)
        sigs = np.empty((indices.size, num_perm), dtype=np.uint32)
        for shard in np.unique(owner):
            at = np.flatnonzero(owner == shard)
            local = indices[at] - self.starts[shard]
            arrays = self.shard(int(shard))
            hashes[at] = arrays["exact_hashes"][local]
            lengths[at] = arrays["lengths"][local]
            if signatures:
                sigs[at] = arrays["signatures"][local]
        return Sketches(exact_hashes=hashes, lengths=lengths, signatures=sigs)

    def load(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """`decide.SetSource`: (values, offsets), the CSR shingle sets of `indices` in order."""
        indices = np.asarray(indices, dtype=np.int64)
        owner = self._owner(indices)
        begin = np.zeros(indices.size, dtype=np.int64)
        counts = np.zeros(indices.size, dtype=np.int64)
        for shard in np.unique(owner):
            at = np.flatnonzero(owner == shard)
            offsets = self.shard(int(shard))["set_offsets"]
            local = indices[at] - self.starts[shard]
            begin[at] = offsets[local]
            counts[at] = np.asarray(offsets[local + 1]) - begin[at]
        out_offsets = np.zeros(indices.size + 1, dtype=np.int64)
        np.cumsum(counts, out=out_offsets[1:])
        values = np.empty(int(out_offsets[-1]), dtype=np.uint32)
        for shard in np.unique(owner):
            at = np.flatnonzero(owner == shard)
            dst = _ranges(out_offsets[at], counts[at])
            src = _ranges(begin[at], counts[at])
            values[dst] = self.shard(int(shard))["set_values"][src]
        return values, out_offsets

    def _owner(self, indices: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.starts, indices, side="right") - 1


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, s + c) for every (s, c)."""
    total = int(counts.sum())
    before = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    return np.repeat(starts - before, counts) + np.arange(total, dtype=np.int64)


class SubsetSource:
    """A SetSource in a small index space: position k stands for global document indices[k]."""

    def __init__(self, source, indices: np.ndarray):
        self.source, self.indices = source, indices

    def load(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.source.load(self.indices[positions])


def remap(indices: np.ndarray, *arrays: np.ndarray) -> list[np.ndarray]:
    """Positions of each array's values in the sorted `indices` (for gathered Sketches)."""
    return [np.searchsorted(indices, a).astype(np.int64) for a in arrays]
