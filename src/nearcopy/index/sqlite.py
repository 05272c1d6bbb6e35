"""`SqliteStorage`: the embedded default backend, one SQLite file in WAL mode.

WAL lets any number of readers run while one writer commits, and a commit
with `synchronous=FULL` survives a crash or power loss; an interrupted
transaction is rolled back on the next open, so a crash never leaves a half
document. Writers in this process are serialised by a lock (the service also
funnels them through one thread); writers in other processes wait on
`busy_timeout`. Band keys live in a WITHOUT ROWID table keyed (key, doc), so a
lookup is one index seek per band and a removal needs no extra index; sampled
shingle values (containment postings) likewise in one keyed (value, doc).
Every sqlite3 error is turned into a `StorageError` naming the file.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from nearcopy.errors import StorageError
from nearcopy.index.storage import (
    FORMAT_NAME,
    ReadSession,
    Storage,
    StoredDocument,
    WriteSession,
)

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000
SYNCHRONOUS_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")
_IN_CHUNK = 500  # bound on SQL parameters per IN (...) list

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, exact_hash INTEGER NOT NULL,
    length INTEGER NOT NULL, content_hash INTEGER NOT NULL, signature BLOB NOT NULL,
    shingles BLOB NOT NULL, copies TEXT NOT NULL, metadata TEXT NOT NULL,
    added_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS docs_exact ON docs (exact_hash);
CREATE TABLE IF NOT EXISTS bands (
    key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS samples (
    value INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (value, doc)) WITHOUT ROWID;
"""
_COLUMNS = ("key, id, exact_hash, length, content_hash, signature, shingles, copies, metadata, "
            "added_at")


def to_signed(values) -> list[int]:
    """uint64 values as SQLite's signed 64-bit integers (same bits)."""
    return np.asarray(values, dtype=np.uint64).view(np.int64).tolist()


def _to_unsigned(value: int) -> int:
    return int(np.int64(value).view(np.uint64))


def _row_to_doc(row) -> StoredDocument:
    key, doc_id, exact, length, content, sig, sets, copies, meta, added = row
    return StoredDocument(id=doc_id, exact_hash=_to_unsigned(exact), length=length,
                          content_hash=_to_unsigned(content),
                          signature=np.frombuffer(sig, dtype=np.uint32),
                          shingles=np.frombuffer(sets, dtype=np.uint32),
                          copies=json.loads(copies), metadata=json.loads(meta),
                          added_at=added, key=key)


MMAP_BYTES = 256 << 20
CACHE_KIB = 16 << 10
_SEEKS = 200  # values per statement (SQLite allows 500 terms in one compound SELECT)


@lru_cache(maxsize=_SEEKS)
def _seek_sql(n: int) -> str:
    """`n` bounded seeks into `samples` as one statement; rows are (seek number, doc)."""
    return " UNION ALL ".join(
        f"SELECT {k}, doc FROM (SELECT doc FROM samples WHERE value = ? ORDER BY doc LIMIT ?)"
        for k in range(n))


class _SqliteSession(WriteSession):
    """Both session kinds over one connection; only write sessions call add/delete."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def get(self, doc_id: str) -> StoredDocument | None:
        row = self.conn.execute(f"SELECT {_COLUMNS} FROM docs WHERE id = ?", (doc_id,)).fetchone()
        return _row_to_doc(row) if row else None

    def keys_by_exact_hash(self, exact_hash: int, limit: int) -> list[int]:
        rows = self.conn.execute("SELECT key FROM docs WHERE exact_hash = ? ORDER BY key LIMIT ?",
                                 (to_signed([exact_hash])[0], limit))
        return [r[0] for r in rows]

    def keys_by_band(self, band_keys: Sequence[int], limit: int) -> list[int]:
        keys = to_signed(band_keys)
        marks = ",".join("?" * len(keys))
        rows = self.conn.execute(
            f"SELECT DISTINCT doc FROM bands WHERE key IN ({marks}) ORDER BY doc LIMIT ?",
            (*keys, limit))
        return [r[0] for r in rows]

    def keys_by_sample(self, values: Sequence[int], cap: int) -> list[list[int]]:
        # One bounded seek per value, so a boilerplate value with a million postings costs
        # `cap` rows, not a million (an IN list would read them all). The seeks go out as
        # one UNION ALL statement per _SEEKS values: one statement per value was a fifth
        # of the server's CPU per query (statement overhead, not the seeks).
        values = [int(v) for v in values]
        out: list[list[int]] = [[] for _ in values]
        for start in range(0, len(values), _SEEKS):
            part = values[start:start + _SEEKS]
            params: list[int] = []
            for value in part:
                params += (value, cap)
            for k, doc in self.conn.execute(_seek_sql(len(part)), params):
                out[start + k].append(doc)
        return out

    def fetch(self, keys: Sequence[int]) -> list[StoredDocument]:
        out = []
        keys = list(keys)
        for start in range(0, len(keys), _IN_CHUNK):
            part = keys[start:start + _IN_CHUNK]
            marks = ",".join("?" * len(part))
            rows = self.conn.execute(f"SELECT {_COLUMNS} FROM docs WHERE key IN ({marks})", part)
            out.extend(_row_to_doc(r) for r in rows)
        return out

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM docs").fetchone()[0]

    def iter_documents(self, batch: int = 1000) -> Iterator[StoredDocument]:
        last = 0
        while True:
            rows = self.conn.execute(f"SELECT {_COLUMNS} FROM docs WHERE key > ? ORDER BY key "
                                     "LIMIT ?", (last, batch)).fetchall()
            if not rows:
                return
            for row in rows:
                yield _row_to_doc(row)
            last = rows[-1][0]

    def add(self, doc: StoredDocument, band_keys: Sequence[int],
            samples: Sequence[int] = ()) -> int:
        exact, content = to_signed([doc.exact_hash, doc.content_hash])
        cur = self.conn.execute(
            "INSERT INTO docs (id, exact_hash, length, content_hash, signature, shingles, copies,"
            " metadata, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (doc.id, exact, doc.length, content,
             np.ascontiguousarray(doc.signature, dtype=np.uint32).tobytes(),
             np.ascontiguousarray(doc.shingles, dtype=np.uint32).tobytes(),
             json.dumps(doc.copies), json.dumps(doc.metadata), doc.added_at))
        key = cur.lastrowid
        self.conn.executemany("INSERT OR IGNORE INTO bands (key, doc) VALUES (?, ?)",
                              [(k, key) for k in to_signed(band_keys)])
        self.add_samples(key, samples)
        return key

    def set_meta(self, name: str, value: Any) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)",
                          (name, json.dumps(value)))

    def add_samples(self, key: int, samples: Sequence[int]) -> None:
        if not len(samples):  # containment off: a version 1 file has no samples table
            return
        self.conn.executemany("INSERT OR IGNORE INTO samples (value, doc) VALUES (?, ?)",
                              [(int(v), key) for v in samples])

    def delete(self, doc: StoredDocument, band_keys: Sequence[int],
               samples: Sequence[int] = ()) -> None:
        self.conn.executemany("DELETE FROM bands WHERE key = ? AND doc = ?",
                              [(k, doc.key) for k in to_signed(band_keys)])
        if len(samples):
            self.conn.executemany("DELETE FROM samples WHERE value = ? AND doc = ?",
                                  [(int(v), doc.key) for v in samples])
        self.conn.execute("DELETE FROM docs WHERE key = ?", (doc.key,))


class SqliteStorage(Storage):
    """One SQLite file; thread-local read connections and one serialised writer."""

    def __init__(self, path: str | Path, *, create: bool = False, synchronous: str = "FULL"):
        if synchronous.upper() not in SYNCHRONOUS_MODES:
            raise StorageError(f"synchronous '{synchronous}' is not one of "
                               f"{', '.join(SYNCHRONOUS_MODES)}")
        self.path = Path(path)
        self.synchronous = synchronous.upper()
        _check_file(self.path, create)
        self._local = threading.local()
        self._conns: list[sqlite3.Connection] = []
        self._conns_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._closed = False
        with self._errors("open"):
            self._writer = self._connect(readonly=False)
            if create:
                self._writer.executescript(SCHEMA)

    # -- connections ---------------------------------------------------------------------
    def _connect(self, *, readonly: bool) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            conn.close()
            raise StorageError(f"{self.path}: cannot switch to WAL mode (got {mode}); "
                               "is the file on a network file system?")
        conn.execute(f"PRAGMA synchronous = {self.synchronous}")
        # Reads through a memory map instead of a read() per 4 KiB page, and a larger page
        # cache than SQLite's 2 MiB default: a query touches ~40 random pages of the bands,
        # samples and docs tables.
        conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        if readonly:
            conn.execute("PRAGMA query_only = 1")
        with self._conns_lock:
            self._conns.append(conn)
        return conn

    def _reader(self) -> sqlite3.Connection:
        if self._closed:
            raise StorageError(f"{self.path}: the index is closed")
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect(readonly=True)
        return conn

    @contextmanager
    def _errors(self, action: str):
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"{self.path}: cannot {action} the index: {exc} (is it a "
                               "nearcopy index file, and not damaged?)") from exc

    # -- Storage -----------------------------------------------------------------------------
    def read_meta(self) -> dict[str, Any]:
        with self._errors("read"):
            names = {r[0] for r in self._writer.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "meta" not in names:
                raise StorageError(f"{self.path} is a SQLite file but not a nearcopy index "
                                   "(no meta table); give the path of a file made by "
                                   "`nearcopy index build`")
            return {name: json.loads(value) for name, value in
                    self._writer.execute("SELECT name, value FROM meta")}

    def write_meta(self, meta: dict[str, Any]) -> None:
        with self.writing() as session:
            session.conn.executemany("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)",
                                     [(k, json.dumps(v)) for k, v in meta.items()])

    @contextmanager
    def reading(self) -> Iterator[ReadSession]:
        with self._errors("read"):
            conn = self._reader()
            conn.execute("BEGIN")
            try:
                yield _SqliteSession(conn)
            finally:
                conn.execute("COMMIT")

    @contextmanager
    def writing(self) -> Iterator[WriteSession]:
        with self._write_lock, self._errors("write"):
            if self._closed:
                raise StorageError(f"{self.path}: the index is closed")
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield _SqliteSession(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def upgrade_layout(self) -> None:
        with self._write_lock, self._errors("upgrade"):
            self._writer.executescript(SCHEMA)

    def checkpoint(self) -> None:
        with self._write_lock, self._errors("checkpoint"):
            self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def describe(self) -> dict[str, Any]:
        wal = self.path.with_name(self.path.name + "-wal")
        return {"backend": "sqlite", "path": str(self.path),
                "file_bytes": self.path.stat().st_size if self.path.exists() else 0,
                "wal_bytes": wal.stat().st_size if wal.exists() else 0,
                "synchronous": self.synchronous}

    def close(self) -> None:
        with self._write_lock, self._conns_lock:
            if self._closed:
                return
            self._closed = True
            for conn in self._conns:
                conn.close()
            self._conns.clear()


def _check_file(path: Path, create: bool) -> None:
    """Refuse a missing, foreign or non-SQLite file before sqlite3 touches it."""
    if path.is_dir():
        raise StorageError(f"{path} is a folder; --index takes the path of an index file")
    if not path.exists():
        if create:
            if not path.parent.exists():
                raise StorageError(f"folder {path.parent} does not exist; create it first")
            return
        raise StorageError(f"no index at {path}; create one with `nearcopy index build CORPUS "
                           f"--index {path}`")
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_HEADER))
    if head and head != SQLITE_HEADER:
        raise StorageError(f"{path} is not a nearcopy index (not a SQLite file); "
                           "check the --index path")
    if not head and not create:
        raise StorageError(f"{path} is empty, not a nearcopy index; build one with "
                           "`nearcopy index build`")


__all__ = ["FORMAT_NAME", "SqliteStorage", "to_signed"]
