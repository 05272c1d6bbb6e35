"""Shared-passage marking of the side-by-side view."""

from __future__ import annotations

from difflib import SequenceMatcher

from hypothesis import given
from hypothesis import strategies as st

from nearcopy.report import diff

words = st.lists(st.sampled_from(["a", "b", "c", "news", "the"]), max_size=30)


def _by_matcher(left, right):
    """The definition: runs of at least MIN_RUN words SequenceMatcher matches."""
    left_flags, right_flags = [False] * len(left), [False] * len(right)
    for block in SequenceMatcher(None, left, right, autojunk=False).get_matching_blocks():
        if block.size >= diff.MIN_RUN:
            left_flags[block.a:block.a + block.size] = [True] * block.size
            right_flags[block.b:block.b + block.size] = [True] * block.size
    return left_flags, right_flags


@given(words, words)
def test_shared_flags_follow_the_matcher(left, right):
    assert diff._shared_flags(left, right) == _by_matcher(left, right)


@given(words)
def test_identical_texts_are_shared_whole(text):
    assert diff._shared_flags(text, list(text)) == _by_matcher(text, list(text))
