"""JSON Lines writer: parts written elsewhere are appended whole, by the kernel or not."""

from __future__ import annotations

import os

import pytest

from nearcopy.io import jsonl
from nearcopy.io.jsonl import JsonlWriter


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_appended_parts_land_in_order_between_records(tmp_path, monkeypatch, kernel_copy):
    if not kernel_copy:
        def unavailable(*args):
            raise OSError("copy_file_range not supported here")
        monkeypatch.setattr(os, "copy_file_range", unavailable)
    parts = []
    for k in range(3):
        with JsonlWriter(tmp_path / f"part{k}.jsonl", durable=False) as part:
            for i in range(1000 * k + 1):
                part.write({"part": k, "i": i})
        parts.append((part.path, part.count))
    with JsonlWriter(tmp_path / "all.jsonl") as out:
        out.write({"first": True})
        for path, count in parts:
            out.append_file(path, count)
            out.write({"after": str(path.name)})
    expected = b'{"first":true}\n'
    for path, _ in parts:
        expected += path.read_bytes() + b'{"after":"%s"}\n' % path.name.encode()
    assert (tmp_path / "all.jsonl").read_bytes() == expected
    assert out.count == 1 + sum(c for _, c in parts) + len(parts)


def test_a_part_written_without_fsync_still_appears_atomically(tmp_path, monkeypatch):
    synced = []
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd))
    with JsonlWriter(tmp_path / "p.jsonl", durable=False) as part:
        part.write({"a": 1})
        assert not (tmp_path / "p.jsonl").exists()
    assert (tmp_path / "p.jsonl").read_bytes() == b'{"a":1}\n' and synced == []
    with JsonlWriter(tmp_path / "d.jsonl") as durable:
        durable.write({"a": 1})
    assert len(synced) == 1


def test_copy_file_copies_the_rest_of_an_open_file(tmp_path):
    (tmp_path / "src").write_bytes(b"0123456789" * 1000)
    with open(tmp_path / "src", "rb") as source, open(tmp_path / "dst", "wb") as target:
        source.seek(5)
        target.write(b"head")
        target.flush()
        jsonl.copy_file(source, target)
        target.write(b"tail")
    assert (tmp_path / "dst").read_bytes() == b"head" + (b"0123456789" * 1000)[5:] + b"tail"
