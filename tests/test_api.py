"""The in-memory library API."""

from __future__ import annotations

import pytest

import nearcopy
from nearcopy import Document
from tests.conftest import corpus_with_copies


def test_dedup_on_dicts_matches_known_clusters():
    docs, truth = corpus_with_copies(seed=5)
    result = nearcopy.dedup(docs, threshold=0.8)
    assert {frozenset(c["members"]) for c in result.clusters} == \
        {frozenset(c) for c in truth if len(c) > 1}
    assert len(result.kept) + len(result.removed) == len(docs)
    assert all(r["duplicate_of"] in {k["id"] for k in result.kept} for r in result.removed)


def test_dedup_on_strings_and_documents():
    result = nearcopy.dedup(["alpha beta gamma delta epsilon zeta", "Alpha  beta gamma delta "
                             "epsilon zeta", "something else entirely, not a copy at all"])
    assert [(r["id"], r["duplicate_of"], r["method"]) for r in result.removed] == \
        [("1", "0", "exact")]
    docs = [Document(id="x", text="one two three four five"),
            Document(id="y", text="one two three four five")]
    assert nearcopy.dedup(docs, keep="first").removed[0]["id"] == "y"


def test_api_errors_are_nearcopy_errors():
    with pytest.raises(nearcopy.InputFormatError):
        nearcopy.dedup([{"id": "a"}])
    with pytest.raises(nearcopy.InputFormatError, match="duplicate ids"):
        nearcopy.dedup([{"id": "a", "text": "x"}, {"id": "a", "text": "y"}])
    with pytest.raises(nearcopy.ConfigError):
        nearcopy.dedup(["a"], threshold=2)
    with pytest.raises(nearcopy.ConfigError):
        nearcopy.dedup(["a"], no_such_option=1)


def test_exported_members_are_sorted_and_importable():
    assert nearcopy.__all__ == sorted(nearcopy.__all__)
    for name in nearcopy.__all__:
        assert hasattr(nearcopy, name), name
