"""`first_containing` searches the mapped file; it must find what a line-by-line reading finds."""

from __future__ import annotations

import orjson
from hypothesis import given, settings, strategies as st

from nearcopy.report.load import first_containing

_LINES = st.sampled_from([orjson.dumps({"id": "a", "removed_lines": [{"line": 0}]}),
                          orjson.dumps({"id": "b", "removed_lines": []}),
                          orjson.dumps({"id": "c", "text": "x" * 40}),
                          b'{"id": "broken", "removed_lines":[{', b""])


def _line_by_line(data: bytes, needle: bytes, limit: int) -> list[dict]:
    found = []
    for line in data.splitlines():
        if needle in line:
            try:
                found.append(orjson.loads(line))
            except orjson.JSONDecodeError:
                continue
            if len(found) >= limit:
                break
    return found


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINES, max_size=30), st.booleans(), st.integers(1, 4))
def test_the_search_finds_what_lines_find(tmp_path_factory, lines, final_newline, limit):
    data = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    path = tmp_path_factory.mktemp("fc") / "kept.jsonl"
    path.write_bytes(data)
    needle = b'"removed_lines":[{'
    assert first_containing(path, needle, limit) == \
        _line_by_line(data, needle, limit)


def test_a_missing_or_empty_file_has_none(tmp_path):
    assert first_containing(tmp_path / "absent.jsonl", b"x", 3) == []
    (tmp_path / "empty.jsonl").write_bytes(b"")
    assert first_containing(tmp_path / "empty.jsonl", b"x", 3) == []


def test_a_file_that_cannot_be_mapped_gives_no_examples(tmp_path, monkeypatch):
    """A filesystem that refuses mmap: the report goes on without cleaning examples."""
    import mmap

    def refuse(*args, **kwargs):
        raise OSError("mmap not supported")
    path = tmp_path / "kept.jsonl"
    path.write_bytes(orjson.dumps({"id": "a", "removed_lines": [{"line": 0}]}) + b"\n")
    assert first_containing(path, b'"removed_lines":[{', 3) == [
        {"id": "a", "removed_lines": [{"line": 0}]}]
    monkeypatch.setattr(mmap, "mmap", refuse)
    assert first_containing(path, b'"removed_lines":[{', 3) == []
