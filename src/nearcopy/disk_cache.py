"""Results of slow, pure computations kept on disk between runs (beside the compiled kernels).

For what every command builds the same way at start-up from its fixed inputs, such as
the prefix sets of the cleaner's line gate (0.2 s of regex parse-tree walking each
run). A missing, stale or unreadable entry is computed again; nothing here can make
a result wrong, only slower.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def disk_cached(name: str, key: str, compute: Callable[[], T]) -> T:
    """`compute()`, or its result from an earlier run with the same `name` and `key` (the
    key must say everything the result depends on; the Python version is added)."""
    from nearcopy.native.aot import cache_dir

    digest = hashlib.sha256(f"{sys.version}|{key}".encode()).hexdigest()[:20]
    path = cache_dir() / f"{name}-{digest}.pickle"
    try:
        with open(path, "rb") as handle:
            return pickle.load(handle)
    except Exception:  # noqa: BLE001 - missing or unreadable: compute it again
        pass
    value = compute()
    store(path, value)
    return value


def store(path, value) -> None:
    """Pickle `value` to `path` under a temporary name, then rename it (readers see all or
    none); on a read-only install, nothing (the cache only saves time)."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:  # a read-only install: no cache, the result is still right
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
