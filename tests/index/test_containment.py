"""Partial copies through the index: truncated, inside junk, both ways round; postings kept
in step with remove and merge; version 1 files refused, then upgraded."""

from __future__ import annotations

import json
import random
import sqlite3

import pytest

from nearcopy.config import DedupConfig
from nearcopy.document import Document
from nearcopy.errors import StorageError
from nearcopy.index import Index
from tests.conftest import random_text

NAMES = "Maria Gonzalez mayor of Springfield and police chief Tom Baker said on Tuesday"


def story(rng: random.Random, words: int = 200) -> str:
    """A story that names the same people as every other story of this module."""
    return f"{NAMES} {random_text(rng, words)} {NAMES}"


@pytest.fixture
def stories() -> list[str]:
    rng = random.Random(21)
    return [story(rng) for _ in range(10)]


@pytest.fixture
def idx(tmp_path, stories):
    with Index.create(tmp_path / "c.db", DedupConfig(), cleaning="none") as index:
        index.insert([Document(f"s{i}", t) for i, t in enumerate(stories)])
        yield index


def truncated(text: str, fraction: float = 0.4) -> str:
    words = text.split()
    return " ".join(words[:int(len(words) * fraction)])


def in_junk(text: str, seed: int = 4) -> str:
    rng = random.Random(seed)
    return f"{random_text(rng, 150)} {text} {random_text(rng, 150)}"


def test_truncated_copy_is_contained(idx, stories):
    [match] = idx.query(truncated(stories[2]))
    assert (match.id, match.method, match.similarity) == ("s2", "contained", 1.0)


def test_text_inside_junk_contains_the_stored_story(idx, stories):
    [match] = idx.query(in_junk(stories[3]))
    assert (match.id, match.method, match.similarity) == ("s3", "contains", 1.0)


def test_story_stored_inside_junk_holds_the_query(idx, stories):
    idx.insert([Document("page", in_junk(stories[5]))])
    found = {(m.id, m.method) for m in idx.query(stories[5])}
    assert found == {("s5", "exact"), ("page", "contained")}


def test_same_names_different_story_is_not_a_copy(idx):
    assert idx.query(story(random.Random(99))) == []


def test_too_short_to_be_contained(idx, stories):
    assert idx.query(" ".join(stories[1].split()[:15])) == []


def test_containment_off_finds_no_partial_copies(tmp_path, stories):
    with Index.create(tmp_path / "off.db", DedupConfig(containment=0.0), cleaning="none") as off:
        off.insert([Document(f"s{i}", t) for i, t in enumerate(stories)])
        assert off.query(truncated(stories[2])) == []
        assert _postings(off) == 0


def test_postings_follow_remove_and_merge(tmp_path, idx, stories):
    before = _postings(idx)
    assert before > 10 * 10  # ~1 in 8 of ~220 shingles per story
    assert idx.remove("s2")
    assert idx.query(truncated(stories[2])) == []
    with Index.create(tmp_path / "other.db", DedupConfig(), cleaning="none") as other:
        other.insert([Document("s2", stories[2])])
        assert idx.merge(other) == 1
    assert _postings(idx) == before
    assert [m.id for m in idx.query(truncated(stories[2]))] == ["s2"]


def test_version_1_file_is_refused_then_upgraded(tmp_path, stories):
    path = tmp_path / "v1.db"
    with Index.create(path, DedupConfig(), cleaning="none") as index:
        index.insert([Document(f"s{i}", t) for i, t in enumerate(stories)])
    with sqlite3.connect(path) as conn:  # what a version 1 file looks like
        conn.execute("DROP TABLE samples")
        conn.execute("UPDATE meta SET value = ? WHERE name = 'format_version'", (json.dumps(1),))
    conn.close()
    with pytest.raises(StorageError, match="format version 1.*no containment.*index upgrade"):
        Index.open(path)
    from click.testing import CliRunner

    from nearcopy.cli.main import main
    result = CliRunner().invoke(main, ["index", "upgrade", "--index", str(path)])
    assert result.exit_code == 0 and "from format version 1 to 2" in result.output
    assert Index.upgrade(path) == 2  # already current: nothing to do
    with Index.open(path) as index:
        assert [(m.id, m.method) for m in index.query(truncated(stories[2]))] == \
            [("s2", "contained")]


def test_version_1_file_without_containment_opens(tmp_path):
    path = tmp_path / "v1off.db"
    Index.create(path, DedupConfig(containment=0.0), cleaning="none").close()
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TABLE samples")
        conn.execute("UPDATE meta SET value = ? WHERE name = 'format_version'", (json.dumps(1),))
    conn.close()
    text = random_text(random.Random(1))
    with Index.open(path) as index:
        assert index.insert([Document("a", text)])[0].status == "added"
        assert [m.id for m in index.query(text)] == ["a"]
        assert index.remove("a")


def _postings(index: Index) -> int:
    with index.storage.reading() as session:
        return session.conn.execute("SELECT count(*) FROM samples").fetchone()[0]
