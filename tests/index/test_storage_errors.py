"""A missing, foreign, damaged or mismatched --index file gives a StorageError that says so."""

from __future__ import annotations

import json
import sqlite3

import pytest

from nearcopy.config import DedupConfig
from nearcopy.document import Document
from nearcopy.errors import StorageError
from nearcopy.index import Index


def test_missing_file(tmp_path):
    with pytest.raises(StorageError, match="no index at .*index build"):
        Index.open(tmp_path / "nope.db")


def test_folder(tmp_path):
    with pytest.raises(StorageError, match="is a folder"):
        Index.open(tmp_path)


def test_text_file(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("hello, this is not an index\n" * 50)
    with pytest.raises(StorageError, match="not a nearcopy index \\(not a SQLite file\\)"):
        Index.open(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    with pytest.raises(StorageError, match="empty"):
        Index.open(path)


def test_other_sqlite_database(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(StorageError, match="not a nearcopy index \\(no meta table\\)"):
        Index.open(path)


def test_newer_format_version(tmp_path):
    path = tmp_path / "i.db"
    Index.create(path, cleaning="none").close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE name = 'format_version'", (json.dumps(99),))
    conn.close()
    with pytest.raises(StorageError, match="format version 99.*upgrade"):
        Index.open(path)


def test_damaged_file(tmp_path):
    path = tmp_path / "i.db"
    with Index.create(path, DedupConfig(), cleaning="none") as idx:
        idx.insert([Document(f"d{i}", f"text number {i} " * 40) for i in range(200)])
        idx.save()
    data = bytearray(path.read_bytes())
    data[100:len(data) // 2] = b"\xa5" * (len(data) // 2 - 100)  # keep the header, ruin pages
    path.write_bytes(bytes(data))
    with pytest.raises(StorageError, match="cannot .* the index"), Index.open(path) as idx:
        idx.query("text number 3 " * 40)


def test_create_refuses_existing_file(tmp_path):
    path = tmp_path / "i.db"
    Index.create(path, cleaning="none").close()
    with pytest.raises(StorageError, match="already exists"):
        Index.create(path, cleaning="none")


def test_unknown_backend(tmp_path):
    from nearcopy.errors import ConfigError
    from nearcopy.index import open_storage
    with pytest.raises(ConfigError, match="backend 'redis'"):
        open_storage(tmp_path / "x", backend="redis")
