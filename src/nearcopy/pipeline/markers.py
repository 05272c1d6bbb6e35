"""Completion markers and atomic array files of the sharded job's working folder.

A task writes its files under temporary names, renames them into place, and
writes its marker (`_SUCCESS.<stage>`) last. The marker holds the job's
fingerprint (a hash of the configuration and of the input files), so a re-run
after a failure skips every task whose marker matches and redoes the others; a
changed input or configuration invalidates them all. A task that Ray retries
after its worker died simply writes the same files again.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np
import orjson

from nearcopy.io.base import atomic_write


def marker_path(folder: Path, stage: str) -> Path:
    return Path(folder) / f"_SUCCESS.{stage}"


def read_marker(folder: Path, stage: str, fingerprint: str) -> dict | None:
    """The result a finished task stored with its marker, or None if it must (re)run."""
    path = marker_path(folder, stage)
    try:
        data = orjson.loads(path.read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None
    if data.get("fingerprint") != fingerprint:
        return None
    return data.get("result", {})


def write_marker(folder: Path, stage: str, fingerprint: str, result: dict) -> None:
    """Mark a task finished; `result` (JSON-able) is returned to later re-runs."""
    with atomic_write(marker_path(folder, stage)) as handle:
        handle.write(orjson.dumps({"fingerprint": fingerprint, "result": result},
                                  option=orjson.OPT_SERIALIZE_NUMPY))


def save_array(path: Path, array: np.ndarray) -> None:
    """np.save under a temporary name, then rename (no half-written .npy after a crash)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.save(handle, np.ascontiguousarray(array), allow_pickle=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_array(path: Path, *, mmap: bool = False) -> np.ndarray:
    return np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)


def fingerprint(*parts: object) -> str:
    """A short stable hash of JSON-able parts (config dicts, file lists)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(orjson.dumps(part, default=str, option=orjson.OPT_SORT_KEYS))
        digest.update(b"\0")
    return digest.hexdigest()[:32]
