"""JSON Lines writer: lines formatted in memory, and appended whole by other processes."""

from __future__ import annotations

import os

from nearcopy.io import jsonl
from nearcopy.io.jsonl import JsonlLines, JsonlWriter


def test_lines_appended_by_other_processes_land_in_order_between_records(tmp_path):
    parts = []
    for k in range(3):
        lines = JsonlLines()
        for i in range(1000 * k + 1):
            lines.write({"part": k, "i": i})
        parts.append((lines.take_blocks(), lines.count))
    with JsonlWriter(tmp_path / "all.jsonl") as out:
        out.write({"first": True})
        for k, (blocks, count) in enumerate(parts):
            target = out.appended_by_others()
            fd = os.open(target, os.O_WRONLY | os.O_APPEND)
            for block in blocks:
                os.write(fd, block)
            os.close(fd)
            out.count_appended(count)
            out.write({"after": k})
    expected = b'{"first":true}\n'
    for k in range(3):
        expected += b"".join(b'{"part":%d,"i":%d}\n' % (k, i) for i in range(1000 * k + 1))
        expected += b'{"after":%d}\n' % k
    assert (tmp_path / "all.jsonl").read_bytes() == expected
    assert out.count == 1 + sum(c for _, c in parts) + len(parts)


def test_memory_lines_come_in_blocks_of_whole_lines_in_order():
    lines = JsonlLines()
    for i in range(5000):
        if i % 2:
            lines.write_joined(b'{"i":%d}\n' % i, b',"odd":true}\n')
        else:
            lines.write_raw(b'{"i":%d}\n' % i)
    blocks = lines.take_blocks()
    assert len(blocks) > 1 and all(block.endswith(b"\n") for block in blocks)
    joined = b"".join(blocks).splitlines()
    assert joined[0] == b'{"i":0}' and joined[1] == b'{"i":1,"odd":true}' and len(joined) == 5000
    assert lines.take_blocks() == [] and lines.count == 5000


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


def test_start_writeback_is_a_hint_that_changes_nothing(tmp_path):
    from nearcopy.io.base import start_writeback
    path = tmp_path / "f.jsonl"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    os.write(fd, b'{"a":1}\n' * 1000)
    start_writeback(fd, 0, 8000)
    start_writeback(fd, 0, 0)  # nothing to write: nothing asked
    os.close(fd)
    assert path.read_bytes() == b'{"a":1}\n' * 1000
