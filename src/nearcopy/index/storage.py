"""The storage interface of the index, and `open_storage` to pick a backend.

`Index` speaks only to this interface, so a second backend (PostgreSQL, Redis)
is one new module implementing `Storage` plus a line in `open_storage`; see
docs/service.md. A backend stores, per document, a row of sketch arrays, one
band key per LSH band and one posting per sampled shingle value (containment
candidates), and answers three lookups: by exact-text hash, by band key and by
sampled value. Reads and writes happen in sessions: a read session may run in any
thread; a write session is one transaction that sees its own uncommitted rows
(so documents of one batch can match each other) and is durable on exit.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nearcopy.errors import ConfigError

#: bumped when the stored layout changes; older files are refused with a clear message
FORMAT_NAME = "nearcopy-index"
#: 2: containment postings (sampled shingle value -> document); version 1 files lack
#: them and are refused until `Index.upgrade` adds them
FORMAT_VERSION = 2


@dataclass
class StoredDocument:
    """One indexed document: its sketch, and what it matched when it was added."""

    id: str
    exact_hash: int
    length: int
    content_hash: int          # hash of the raw submitted text (idempotency check)
    signature: np.ndarray      # uint32[num_perm]
    shingles: np.ndarray       # uint32[k], sorted distinct shingle values
    copies: list[dict] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    added_at: float = 0.0
    key: int = 0               # backend row key; 0 before it is stored


class ReadSession(ABC):
    """Lookups over the committed index (or, in a write session, including its own rows)."""

    @abstractmethod
    def get(self, doc_id: str) -> StoredDocument | None:
        """The document with this id, or None."""

    @abstractmethod
    def keys_by_exact_hash(self, exact_hash: int, limit: int) -> list[int]:
        """Row keys of documents whose normalised text has this hash."""

    @abstractmethod
    def keys_by_band(self, band_keys: Sequence[int], limit: int) -> list[int]:
        """Distinct row keys of documents sharing at least one of these band keys."""

    @abstractmethod
    def keys_by_sample(self, values: Sequence[int], cap: int) -> list[list[int]]:
        """For each sampled shingle value, the row keys holding it (at most `cap` of them)."""

    @abstractmethod
    def fetch(self, keys: Sequence[int]) -> list[StoredDocument]:
        """Documents by row key (order not guaranteed)."""

    @abstractmethod
    def count(self) -> int:
        """Number of indexed documents."""

    @abstractmethod
    def iter_documents(self, batch: int = 1000) -> Iterator[StoredDocument]:
        """Every document, in insertion order (for merge and export)."""


class WriteSession(ReadSession):
    """A transaction: committed when the `with` block ends without an error."""

    @abstractmethod
    def add(self, doc: StoredDocument, band_keys: Sequence[int],
            samples: Sequence[int] = ()) -> int:
        """Store a new document, its band keys and sampled shingle values; return its row key."""

    @abstractmethod
    def set_meta(self, name: str, value: Any) -> None:
        """Set one metadata entry (e.g. format_version, on an upgrade)."""

    @abstractmethod
    def add_samples(self, key: int, samples: Sequence[int]) -> None:
        """Store the sampled shingle values of the stored document `key`."""

    @abstractmethod
    def delete(self, doc: StoredDocument, band_keys: Sequence[int],
               samples: Sequence[int] = ()) -> None:
        """Remove a stored document, its band keys and sampled values."""


class Storage(ABC):
    """A backend: metadata plus read and write sessions."""

    @abstractmethod
    def read_meta(self) -> dict[str, Any]:
        """The stored metadata (format, version, dedup and clean config)."""

    @abstractmethod
    def write_meta(self, meta: dict[str, Any]) -> None:
        """Store metadata of a new, empty index."""

    @abstractmethod
    def reading(self) -> AbstractContextManager[ReadSession]:
        """A read session; safe to use from several threads at once."""

    @abstractmethod
    def writing(self) -> AbstractContextManager[WriteSession]:
        """A write transaction; writers are serialised, readers are not blocked."""

    @abstractmethod
    def upgrade_layout(self) -> None:
        """Create whatever tables the current format adds to older files (idempotent)."""

    @abstractmethod
    def checkpoint(self) -> None:
        """Fold pending logs into the main store (what `Index.save` calls)."""

    @abstractmethod
    def describe(self) -> dict[str, Any]:
        """Backend facts for /v1/stats (e.g. file size)."""

    @abstractmethod
    def close(self) -> None:
        """Release connections; the storage is unusable afterwards."""


def open_storage(location: str | Path, *, create: bool = False, backend: str = "sqlite",
                 synchronous: str = "FULL") -> Storage:
    """Open (or with `create=True`, create) the storage at `location`.

    Example:
        >>> import tempfile, os
        >>> store = open_storage(os.path.join(tempfile.mkdtemp(), "i.db"), create=True)
        >>> store.close()
    """
    if backend == "sqlite":
        from nearcopy.index.sqlite import SqliteStorage
        return SqliteStorage(location, create=create, synchronous=synchronous)
    raise ConfigError(f"storage backend '{backend}' is not known; available: sqlite")
