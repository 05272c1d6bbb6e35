"""Working files of a batch job: the spooled documents and the per-document arrays.

The corpus is streamed through once and kept on disk (not in memory) between
passes, so memory stays at the size of the signature arrays, not of the text.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import orjson

from nearcopy.dedup.decide import Sketches
from nearcopy.dedup.sketch import SketchBatch


class Spool:
    """Append-only JSON Lines file of documents, read back in the same order."""

    def __init__(self, path: Path):
        self.path = path
        self._handle = open(path, "wb")
        self.count = 0

    def append(self, record: dict) -> None:
        self._handle.write(orjson.dumps(record, default=str) + b"\n")
        self.count += 1

    def close(self) -> None:
        if not self._handle.closed:
            self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __iter__(self) -> Iterator[dict]:
        self.close()
        with open(self.path, "rb") as handle:
            for line in handle:
                yield orjson.loads(line)


class SketchStore:
    """Accumulates SketchBatches: big arrays go to files, small ones stay in lists."""

    def __init__(self, folder: Path, num_perm: int):
        self.folder = folder
        self.num_perm = num_perm
        self._sigs = open(folder / "signatures.u32", "wb")
        self._sets = open(folder / "sets.u32", "wb")
        self._small: dict[str, list[np.ndarray]] = {"exact_hashes": [], "lengths": [],
                                                     "set_counts": []}
        self.count = 0

    def append(self, batch: SketchBatch) -> None:
        self._sigs.write(np.ascontiguousarray(batch.signatures).tobytes())
        self._sets.write(np.ascontiguousarray(batch.set_values).tobytes())
        for name, parts in self._small.items():
            parts.append(getattr(batch, name))
        self.count += len(batch)

    def close(self) -> None:
        self._sigs.close()
        self._sets.close()

    def finish(self, keep_sets: bool) -> Sketches:
        self.close()
        small = {name: (np.concatenate(parts) if parts else np.empty(0, dtype=np.int64))
                 for name, parts in self._small.items()}
        signatures = np.fromfile(self.folder / "signatures.u32", dtype=np.uint32)
        signatures = signatures.reshape(-1, self.num_perm)
        set_values = None
        if keep_sets:
            size = (self.folder / "sets.u32").stat().st_size
            set_values = (np.memmap(self.folder / "sets.u32", dtype=np.uint32, mode="r")
                          if size else np.empty(0, dtype=np.uint32))
        return Sketches(exact_hashes=small["exact_hashes"].astype(np.uint64),
                        lengths=small["lengths"].astype(np.int64), signatures=signatures,
                        set_values=set_values, set_counts=small["set_counts"].astype(np.int64))


def make_workdir(out_dir: Path) -> Path:
    """A fresh hidden working folder inside the output folder."""
    work = out_dir / ".nearcopy-work"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    return work
