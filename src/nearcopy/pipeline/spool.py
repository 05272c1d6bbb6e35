"""Working files of a batch job: the spooled documents and the per-document arrays.

The corpus is streamed through once and kept on disk (not in memory) between
passes, so memory stays at the size of the signature arrays, not of the text.
"""

from __future__ import annotations

import bisect
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson

from nearcopy.dedup.decide import EMPTY_SIGNATURE
from nearcopy.dedup.sketch import SketchBatch
from nearcopy.errors import InputFormatError
from nearcopy.pipeline.spilled import SpilledSketches

#: buffer for writing and streaming the spool: documents are kilobytes each, so the
#: default 8 KB buffer makes a system call every two or three documents (and streaming
#: lines costs about 3x more; measured). `read_at` seeks, so it keeps the default.
BUFFER = 1 << 20


class Spool:
    """Append-only JSON Lines of documents in one or more files, read back in order.

    Records appended here go to a file of the spool's own; a part file a worker wrote
    (`append_file`) joins the spool as it is, not copied: copying them cost the parent
    0.4 s per 100k documents, and twice the page cache and disk writes at 1M (issue
    #4). A part can also be a byte range of an input file whose lines are the records
    already (`borrowed`): the input must then stay as it was until the job ends, which
    `check_borrowed` verifies. Offsets are global over the parts in order; `files()`
    tells readers where each part starts.
    """

    def __init__(self, path: Path):
        self.path = path  # the first file of the spool's own; later ones are numbered
        self._paths: list[Path] = []
        self._starts: list[int] = []
        self._bases: list[int] = []  # where each part starts in its file
        self._borrowed: dict[Path, tuple[int, int]] = {}  # input file -> (size, mtime_ns)
        self._handle = None
        self.count = 0
        self.size = 0

    def append(self, record: dict) -> int:
        """Append a record; return its byte offset (for `read_at`)."""
        line = orjson.dumps(record, default=str, option=orjson.OPT_APPEND_NEWLINE)
        offset = self.size
        if self._handle is None:
            self._open_own()
        self._handle.write(line)
        self.size += len(line)
        self.count += 1
        return offset

    def append_file(self, path: Path, count: int, *, start: int = 0, end: int | None = None,
                    borrowed: bool = False) -> int:
        """Make bytes [start, end) of a file (`count` JSON lines; end None: the file's end)
        the next part of the spool; return the global offset of its first record. The
        spool leaves the file where it is; a `borrowed` one is an input file, read again
        later, so its size and modification time are noted for `check_borrowed`."""
        self._close_own()
        path = Path(path)
        if borrowed and path not in self._borrowed:
            info = path.stat()
            self._borrowed[path] = (info.st_size, info.st_mtime_ns)
        offset = self.size
        self._paths.append(path)
        self._starts.append(offset)
        self._bases.append(start)
        self.size += (os.path.getsize(path) if end is None else end) - start
        self.count += count
        return offset

    def check_borrowed(self) -> None:
        """Fail clearly if an input file the spool reads from changed since it was read
        (its records would no longer be where the spool says)."""
        for path, (size, mtime) in self._borrowed.items():
            try:
                info = path.stat()
                same = (info.st_size, info.st_mtime_ns) == (size, mtime)
            except OSError:
                same = False
            if not same:
                raise InputFormatError(f"{path}: the input changed (or went) while nearcopy "
                                       "was working on it; run again on a stable copy")

    def files(self) -> SpoolFiles:
        """Where the spool's bytes are, for readers here or in other processes; every
        record appended so far is readable."""
        self.check_borrowed()
        self.flush()
        return SpoolFiles(tuple(str(p) for p in self._paths), tuple(self._starts), self.size,
                          tuple(self._bases))

    def read_at(self, offsets: np.ndarray) -> list[dict]:
        """The records at these byte offsets, in the order given."""
        self.close()
        return [orjson.loads(line) for line in self.files().lines_at(offsets)]

    def flush(self) -> None:
        """Make every appended record readable by other processes (see SpoolSlice)."""
        if self._handle is not None:
            self._handle.flush()

    def close(self) -> None:
        self._close_own()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __iter__(self) -> Iterator[dict]:
        for line in self.raw_lines():
            yield orjson.loads(line)

    def raw_lines(self) -> Iterator[bytes]:
        """Every record as its JSON line (with the newline), in order."""
        self.close()
        return self.files().lines_between(0, self.size)

    def _open_own(self) -> None:
        path = self.path if not self._paths else \
            self.path.with_name(f"{self.path.stem}-{len(self._paths)}{self.path.suffix}")
        self._paths.append(path)
        self._starts.append(self.size)
        self._bases.append(0)
        self._handle = open(path, "wb", buffering=BUFFER)

    def _close_own(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


@dataclass(frozen=True)
class SpoolFiles:
    """The parts of a spool: each one's file, the global offset it starts at, and where
    it starts in its file (picklable)."""

    paths: tuple[str, ...]
    starts: tuple[int, ...]
    size: int
    bases: tuple[int, ...]  # where each part starts in its file

    def _at(self, offset: int) -> tuple[int, int]:
        """(part number, offset in that part's file) of a global offset."""
        k = bisect.bisect_right(self.starts, offset) - 1
        return k, offset - self.starts[k] + self.bases[k]

    def lines_between(self, start: int, end: int) -> Iterator[bytes]:
        """The lines in global bytes [start, end) (both at line starts), in order."""
        if start >= end:
            return
        k, local = self._at(start)
        at = start
        while at < end:
            # a part ends where the next begins, not at its file's end (a borrowed input)
            stop = min(end, self.starts[k + 1] if k + 1 < len(self.starts) else self.size)
            with open(self.paths[k], "rb", buffering=BUFFER) as handle:
                handle.seek(local)
                for line in handle:
                    yield line
                    at += len(line)
                    if at >= stop:
                        break
            if at < stop:  # the file ended early (a truncated part)
                raise InputFormatError(f"{self.paths[k]}: shorter than when it was read")
            k += 1
            if k < len(self.starts):
                local = self.bases[k]

    def lines_at(self, offsets) -> list[bytes]:
        """The lines starting at these global offsets, in the order given.

        Read in offset order with one file open at a time (a spool of a large corpus is
        thousands of files, and the offsets of a block's documents span many of them)."""
        offsets = np.asarray(offsets, dtype=np.int64)
        out: list[bytes] = [b""] * offsets.size
        handle, open_k = None, -1
        try:
            for at in np.argsort(offsets, kind="stable").tolist():
                k, local = self._at(int(offsets[at]))
                if k != open_k:
                    if handle is not None:
                        handle.close()
                    handle, open_k = open(self.paths[k], "rb"), k
                handle.seek(local)
                out[at] = handle.readline()
        finally:
            if handle is not None:
                handle.close()
        return out


@dataclass(frozen=True)
class SpoolSlice:
    """Texts of spooled records named by byte offsets, which a local worker process reads
    itself: sending the texts through a pipe took the parent's time (pickling, pipe
    writes), and the parent is what a 2-worker run waits on (issue #4).

    `offsets` None: every record in [start, end); else the records at these offsets.
    """

    files: SpoolFiles
    start: int = 0
    end: int = 0
    offsets: np.ndarray | None = None

    def texts(self) -> list[str]:
        if self.offsets is None:
            lines = self.files.lines_between(self.start, self.end)
        else:
            lines = self.files.lines_at(self.offsets)
        return [orjson.loads(line)["text"] for line in lines]


class SketchStore:
    """Accumulates SketchBatches: signatures and containment samples go to files, the
    per-document arrays (8-17 bytes a document) stay in lists.

    The batches carry only the 1-in-N shingle samples (containment candidates);
    full sets are re-made later for the few documents that are candidates.
    """

    def __init__(self, folder: Path, num_perm: int):
        self.folder = folder
        self.num_perm = num_perm
        self.signature_path = folder / "signatures.u32"
        self.sample_path = folder / "samples.u32"
        self._sigs = open(self.signature_path, "wb", buffering=BUFFER)
        self._samples = open(self.sample_path, "wb", buffering=BUFFER)
        self._small: dict[str, list[np.ndarray]] = {"exact_hashes": [], "lengths": [],
                                                     "set_counts": [], "nonempty": []}
        self.count = 0

    def append(self, batch: SketchBatch) -> None:
        signatures = np.ascontiguousarray(batch.signatures, dtype=np.uint32)
        # (the arrays' own buffers, C-contiguous: `tobytes` copied 512 MB more at 1M documents)
        self._sigs.write(signatures)
        self._samples.write(np.ascontiguousarray(batch.set_values, dtype=np.uint32))
        self._small["exact_hashes"].append(batch.exact_hashes)
        self._small["lengths"].append(batch.lengths)
        self._small["set_counts"].append(batch.set_counts)
        self._small["nonempty"].append(signatures[:, 0] != EMPTY_SIGNATURE)
        self.count += len(batch)

    def close(self) -> None:
        self._sigs.close()
        self._samples.close()

    def discard(self) -> None:
        """Delete the signature and sample files once the copies are decided. Unwritten
        pages of a deleted file are dropped, not written: at 1M documents the working
        folder went only after the write stage, and the kernel writes back whatever has
        been dirty for 30 s, so these 0.5 GB reached the disk while the outputs were
        being written (issue #4)."""
        self.close()
        self.signature_path.unlink(missing_ok=True)
        self.sample_path.unlink(missing_ok=True)

    def finish(self, samples: bool) -> SpilledSketches:
        """The sketches, with signatures (and samples) mapped from their files."""
        self.close()
        small = {name: (np.concatenate(parts) if parts else np.empty(0, dtype=np.int64))
                 for name, parts in self._small.items()}
        self._small.clear()
        counts = small["set_counts"].astype(np.int64, copy=False)
        return SpilledSketches(
            exact_hashes=small["exact_hashes"].astype(np.uint64, copy=False),
            lengths=small["lengths"].astype(np.int64, copy=False),
            signatures=_mapped(self.signature_path, (self.count, self.num_perm)),
            sample_values=_mapped(self.sample_path, (int(counts.sum()),)) if samples else None,
            sample_counts=counts if samples else None,
            nonempty=small["nonempty"].astype(bool, copy=False),
            signature_path=self.signature_path, sample_path=self.sample_path)


def _mapped(path: Path, shape: tuple) -> np.ndarray:
    """A writable memory map of a uint32 file (an empty array for an empty one, which
    cannot be mapped)."""
    if not all(shape):
        return np.empty(shape, dtype=np.uint32)
    return np.memmap(path, dtype=np.uint32, mode="r+", shape=shape)


def make_workdir(out_dir: Path) -> Path:
    """A fresh hidden working folder inside the output folder."""
    work = out_dir / ".nearcopy-work"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    return work
