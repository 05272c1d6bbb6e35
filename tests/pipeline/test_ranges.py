"""Workers reading byte ranges of the input (pipeline/ranges.py) give what one stream gives."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nearcopy.pipeline import ranges
from tests.conftest import random_text, run_per_workers


def _messy_lines(rng: random.Random) -> list[bytes]:
    """Documents with copies, and every kind of line a reader skips or fixes up."""
    lines = []
    stories = [random_text(rng, 60) for _ in range(12)]
    for i in range(120):
        story = stories[i % len(stories)]
        record = {"id": f"d{i}", "text": story if i % 3 else story + f" variant {i}"}
        if i % 5 == 0:
            record["url"] = f"https://example.org/{i}"
        if i % 11 == 0:
            record = {"text": story + " without an id", "lang": "en"}  # id from file:line
        if i % 13 == 0:
            record["id"] = "d1"  # repeated id (skipped after the first)
        lines.append(json.dumps(record).encode() + b"\n")
        if i % 17 == 0:
            lines.append(b"{not json\n")
        if i % 19 == 0:
            lines.append(b"\n")  # blank: ignored, but counted as a line
        if i % 23 == 0:
            lines.append(b'{"id": "bad-utf8", "text": "caf\xe9"}\n')
        if i % 29 == 0:
            lines.append(b'["not", "an", "object"]\n')
        if i % 31 == 0:
            lines.append(b'{"id": "empty", "text": "  "}\n')
    lines.append(json.dumps({"id": "long", "text": random_text(rng, 3000)}).encode() + b"\n")
    lines.append(json.dumps({"id": "last", "text": stories[0]}).encode())  # no final newline
    return lines


def _outputs(out):
    stats = json.loads((out / "stats.json").read_text())
    files = {name: (out / name).read_bytes() for name in
             ("kept.jsonl", "removed.jsonl", "clusters.jsonl", "examples.jsonl")}
    return files, stats["documents"], stats["skipped"], stats.get("skipped_examples"), \
        stats["cleaning"]


@pytest.mark.parametrize("command", ["dedup", "run"])
def test_ranges_on_workers_equal_one_stream(invoke, tmp_path, monkeypatch, command):
    rng = random.Random(3)
    (tmp_path / "in").mkdir()
    for name in ("a.jsonl", "b.ndjson"):
        (tmp_path / "in" / name).write_bytes(b"".join(_messy_lines(rng)))
    monkeypatch.setattr(ranges, "SKETCH_CHUNK_BYTES", 2000)  # many ranges, some one long line
    monkeypatch.setattr(ranges, "CLEAN_CHUNK_BYTES", 3000)
    read, rereads = [], []
    monkeypatch.setattr(ranges, "plan_chunks", _recording(ranges.plan_chunks, read))
    monkeypatch.setattr(ranges, "replace", _rereads(ranges.replace, rereads))
    results = [_outputs(out) for out in run_per_workers(invoke, command, tmp_path / "in",
                                                        tmp_path)]
    assert len(read) > 20  # the 2-worker run read its input in ranges
    assert rereads  # ranges with ids made from line numbers were read again, numbered
    one, many = results
    assert one[1:] == many[1:]
    assert set(one[2]) >= {"duplicate_id", "invalid_json", "invalid_utf8", "not_an_object",
                           "empty_text"}
    for name in one[0]:
        assert one[0][name] == many[0][name], name


def test_strict_stops_at_the_same_first_bad_line(invoke, tmp_path, monkeypatch):
    lines = [json.dumps({"id": f"d{i}", "text": f"text {i} " * 20}).encode() + b"\n"
             for i in range(200)]
    lines[150] = b'{"id": "d3", "text": "repeated id comes first"}\n'
    lines[170] = b"{broken\n"
    (tmp_path / "c.jsonl").write_bytes(b"".join(lines))
    monkeypatch.setattr(ranges, "SKETCH_CHUNK_BYTES", 1000)
    outputs = []
    for workers in ("1", "2"):
        result = invoke("dedup", tmp_path / "c.jsonl", "--out", tmp_path / f"o{workers}",
                        "--strict", "--workers", workers)
        assert result.exit_code != 0
        outputs.append(result.output)
    assert outputs[0] == outputs[1] and "c.jsonl:151" in outputs[0]


def test_a_small_input_is_shared_among_the_workers(tmp_path):
    """Two ranges per worker for an input smaller than that many full ranges, never
    under the floor nor over the asked size."""
    path = tmp_path / "corpus.jsonl"
    path.write_bytes(b"x" * (3 << 20))
    assert ranges.shared_chunk_bytes([path], 4 << 20, 2) == (3 << 20) // 4
    assert ranges.shared_chunk_bytes([path], 512 << 10, 2) == 512 << 10
    assert ranges.shared_chunk_bytes([path], 4 << 20, 64) == ranges.MIN_SHARED_CHUNK_BYTES
    assert ranges.shared_chunk_bytes([path], 2000, 2) == 2000
    second = tmp_path / "more.jsonl"
    second.write_bytes(b"x" * (5 << 20))
    assert ranges.shared_chunk_bytes([path, second], 4 << 20, 2) == 2 << 20


def test_plan_chunks_cover_the_file_at_line_ends(tmp_path):
    data = b"a\nbb\n" + b"x" * 50 + b"\nccc\nd"
    path = tmp_path / "f.jsonl"
    path.write_bytes(data)
    for size in (1, 3, 7, 16, 100):
        chunks = list(ranges.plan_chunks(path, size))
        assert b"".join(data[c.start:c.end] for c in chunks) == data
        assert all(data[c.end - 1:c.end] == b"\n" for c in chunks[:-1])
        assert all(c.end - c.start >= min(size, len(data) - c.start) for c in chunks)


def _recording(plan, calls):
    def wrapped(*args):
        for chunk in plan(*args):
            calls.append(chunk)
            yield chunk
    return wrapped


def _rereads(replace, calls):
    """The job's `replace`, which it calls to number a range's lines and read it again."""
    def wrapped(chunk, **changes):
        calls.append(chunk)
        return replace(chunk, **changes)
    return wrapped


def test_clean_in_ranges_equals_one_stream(invoke, tmp_path, monkeypatch):
    """`nearcopy clean` with workers reading ranges: same kept, dropped and stats."""
    rng = random.Random(8)
    (tmp_path / "in").mkdir()
    for name in ("a.jsonl", "b.ndjson"):
        (tmp_path / "in" / name).write_bytes(b"".join(_messy_lines(rng)))
    monkeypatch.setattr(ranges, "CLEAN_CHUNK_BYTES", 2500)
    read = []
    monkeypatch.setattr(ranges, "plan_chunks", _recording(ranges.plan_chunks, read))
    outs = run_per_workers(invoke, "clean", tmp_path / "in", tmp_path)
    assert len(read) > 20
    for name in ("kept.jsonl", "dropped.jsonl"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    stats = [json.loads((out / "stats.json").read_text()) for out in outs]
    for s in stats:
        s.pop("seconds")
    assert stats[0] == stats[1]
    ids = [json.loads(line)["id"] for name in ("kept.jsonl", "dropped.jsonl")
           for line in (outs[1] / name).read_text().splitlines()]
    assert ids.count("d1") == 1 and len(ids) == len(set(ids))  # repeated ids skipped
    assert not [p for p in outs[1].iterdir() if p.name.startswith(".")]  # no part left


@pytest.mark.parametrize("command", ["dedup", "run", "clean"])
def test_inputs_of_the_same_name_in_two_folders(invoke, tmp_path, monkeypatch, command):
    """Ranges of x/corpus.jsonl and y/corpus.jsonl start at the same offsets; their parts
    must not take each other's place (the spool keeps every part to the end)."""
    rng = random.Random(11)
    paths = []
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        docs = [{"id": f"{folder}{i}", "text": random_text(rng, 80)} for i in range(40)]
        path = tmp_path / folder / "corpus.jsonl"
        path.write_text("".join(json.dumps(d) + "\n" for d in docs))
        paths.append(path)
    monkeypatch.setattr(ranges, "SKETCH_CHUNK_BYTES", 1500)
    monkeypatch.setattr(ranges, "CLEAN_CHUNK_BYTES", 1500)
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}"
        result = invoke(command, *paths, "--out", out, "--quiet", "--workers", workers)
        assert result.exit_code == 0, result.output
        outs.append(out)
    for name in ("kept.jsonl", "removed.jsonl", "dropped.jsonl"):
        if (outs[0] / name).exists():
            assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    kept = [json.loads(line)["id"] for line in (outs[1] / "kept.jsonl").read_text().splitlines()]
    assert sorted(kept) == sorted(f"{f}{i}" for f in "xy" for i in range(40))


@given(st.lists(st.integers(0, 30), max_size=40), st.sets(st.integers(0, 30), max_size=10))
def test_repeated_keys_are_those_seen_before_or_earlier(keys, seen):
    expected = [at for at, key in enumerate(keys) if key in seen or key in keys[:at]]
    assert ranges._repeated(keys, set(seen)) == expected


def test_ranges_whose_lines_are_the_records_are_read_in_place(invoke, tmp_path, monkeypatch):
    """Compact JSON lines (as orjson writes them) need no spooled copy: the input range is
    that part of the spool. Ranges with other lines (spaced JSON, invalid lines, a last
    line without its newline) are spooled. Either way the outputs are those of the
    one-stream reader (a .gz input), byte for byte."""
    import gzip

    import orjson

    from nearcopy.pipeline import spool_ranges

    rng = random.Random(5)
    stories = [random_text(rng, 80) for _ in range(10)]
    lines = []
    for i in range(240):
        record = {"id": f"d{i}", "text": stories[i % 10] + ("" if i % 4 else f" edit {i}")}
        if i % 7 == 0:
            record["url"] = f"https://example.org/{i}"
        spaced = 100 <= i < 120  # these ranges are not byte-equal to their records
        lines.append(json.dumps(record).encode() + b"\n" if spaced
                     else orjson.dumps(record) + b"\n")
        if i == 180:
            lines.append(b"{not json\n")
    lines.append(orjson.dumps({"id": "last", "text": stories[0]}))  # no final newline
    (tmp_path / "plain").mkdir()
    (tmp_path / "packed").mkdir()
    (tmp_path / "plain" / "c.jsonl").write_bytes(b"".join(lines))
    (tmp_path / "packed" / "c.jsonl.gz").write_bytes(gzip.compress(b"".join(lines)))
    monkeypatch.setattr(ranges, "SKETCH_CHUNK_BYTES", 4000)
    monkeypatch.setattr(ranges, "INLINE_SKETCH_CHUNK_BYTES", 4000)
    borrowed = []
    part = spool_ranges._spool_part

    def recording(records, chunk, folder, same):
        result = part(records, chunk, folder, same)
        borrowed.append(result[2])
        return result

    monkeypatch.setattr(spool_ranges, "_spool_part", recording)
    outs = run_per_workers(invoke, "dedup", tmp_path / "plain", tmp_path / "p", ("1", "2"))
    assert True in borrowed and False in borrowed  # (recorded by the one-worker run)
    outs += run_per_workers(invoke, "dedup", tmp_path / "packed", tmp_path / "z", ("1",))
    for name in ("kept.jsonl", "removed.jsonl", "clusters.jsonl", "borderline_pairs.jsonl"):
        want = (outs[2] / name).read_bytes()
        assert (outs[0] / name).read_bytes() == want and (outs[1] / name).read_bytes() == want
    assert (tmp_path / "plain" / "c.jsonl").read_bytes() == b"".join(lines)  # left as it was


_values = st.one_of(st.none(), st.integers(-5, 5), st.just(""), st.just("  \n"),
                    st.text(max_size=12), st.lists(st.integers(), max_size=2))


@given(st.dictionaries(st.sampled_from(["id", "text", "url", "body"]), _values, max_size=4),
       st.sampled_from([("id", "text"), ("id", "body"), ("text", "text")]),
       st.sampled_from([4, 1000]))
def test_lines_read_as_the_reader_reads_them(record, fields, max_chars):
    """A range's reader (with its shortcut for lines of just an id and a text) gives the
    document JsonlReader gives, and counts the same skips."""
    from pathlib import Path

    from nearcopy.io.jsonl import JsonlReader

    args = {"id_field": fields[0], "text_field": fields[1], "max_doc_chars": max_chars}
    for raw in (json.dumps(record).encode() + b"\n", b"{bad json\n", b"\n"):
        documents = ranges.RangeDocuments(ranges.FileChunk(Path("c.jsonl"), 0, len(raw)), args)
        reader = JsonlReader(**args)
        want = reader.parse_line(raw, Path("c.jsonl"), 7)
        assert documents._document(raw, Path("c.jsonl"), "c.jsonl", 7) == want
        assert [reason for _, reason, _ in documents.skips.events] == \
            list(reader.skips.counts.elements())


def test_plain_lines_take_the_shortcut():
    from pathlib import Path

    raw = b'{"id":"a","text":"hello world"}\n'
    documents = ranges.RangeDocuments(ranges.FileChunk(Path("c.jsonl"), 0, len(raw)),
                                      {"id_field": "id", "text_field": "text",
                                       "max_doc_chars": 100})
    calls = []
    documents.reader.record_to_document = lambda *args: calls.append(args)  # the general path
    doc = documents._document(raw, Path("c.jsonl"), "c.jsonl", 3)
    assert not calls
    assert (doc.id, doc.text, doc.metadata, doc.source) == ("a", "hello world", {}, "c.jsonl:3")


def test_spool_part_writes_every_record_in_order_even_after_short_writes(tmp_path, monkeypatch):
    """`write_all` writes records in batches by `os.writev` and finishes a short write."""
    import os

    from nearcopy.pipeline import spool_ranges
    records = [f'{{"id": "{k}", "text": "{"x" * (k % 7)}"}}\n'.encode() for k in range(2500)]
    path = tmp_path / "part"
    with open(path, "wb") as handle:
        spool_ranges.write_all(handle.fileno(), records)
    assert path.read_bytes() == b"".join(records)
    real = os.writev
    monkeypatch.setattr(os, "writev", lambda fd, parts: real(fd, [parts[0][:3]]))
    monkeypatch.setattr(spool_ranges, "_WRITEV_RECORDS", 7)
    with open(path, "wb") as handle:
        spool_ranges.write_all(handle.fileno(), records)
    assert path.read_bytes() == b"".join(records)
    with open(path, "wb") as handle:
        spool_ranges.write_all(handle.fileno(), [])
    assert path.read_bytes() == b""
