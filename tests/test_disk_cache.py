"""Results kept on disk between runs: computed once, read back equal, robust to bad entries."""

from __future__ import annotations

from nearcopy.disk_cache import disk_cached


def test_computed_once_then_read_back(tmp_path, monkeypatch):
    monkeypatch.setenv("NEARCOPY_CACHE_DIR", str(tmp_path))
    calls = []

    def compute():
        calls.append(1)
        return frozenset({"abc", "de"}), frozenset({"xyz"})

    first = disk_cached("prefixes", "pattern-1", compute)
    again = disk_cached("prefixes", "pattern-1", compute)
    assert first == again and len(calls) == 1
    disk_cached("prefixes", "pattern-2", compute)
    assert len(calls) == 2  # another key is another entry


def test_a_corrupt_entry_is_computed_again(tmp_path, monkeypatch):
    monkeypatch.setenv("NEARCOPY_CACHE_DIR", str(tmp_path))
    disk_cached("thing", "k", lambda: [1, 2, 3])
    for entry in tmp_path.glob("thing-*.pickle"):
        entry.write_bytes(b"not a pickle")
    assert disk_cached("thing", "k", lambda: [4]) == [4]
    assert disk_cached("thing", "k", lambda: [5]) == [4]  # the recomputed entry was stored


def test_an_unwritable_cache_still_gives_the_result(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder should be")
    monkeypatch.setenv("NEARCOPY_CACHE_DIR", str(blocked / "sub"))
    assert disk_cached("thing", "k", lambda: "value") == "value"
