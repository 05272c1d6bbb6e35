"""Shared-passage marking of the side-by-side view."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nearcopy.report import diff

words = st.lists(st.sampled_from(["a", "b", "c", "news", "the"]), max_size=30)


def _shared_by_definition(side, other):
    """A word is shared iff some window of MIN_RUN words around it occurs in `other`."""
    k = diff.MIN_RUN
    windows = {tuple(other[j:j + k]) for j in range(len(other) - k + 1)}
    return [any(tuple(side[s:s + k]) in windows
                for s in range(max(0, i - k + 1), min(i, len(side) - k) + 1))
            for i in range(len(side))]


@given(words, words)
def test_shared_flags_follow_the_definition(left, right):
    assert diff._shared_flags(left, right) == (_shared_by_definition(left, right),
                                               _shared_by_definition(right, left))


def test_moved_paragraph_is_shared_and_new_words_are_not():
    left = "one two three four five six seven".split()
    right = "five six seven x y one two three four".split()
    left_flags, right_flags = diff._shared_flags(left, right)
    assert all(left_flags)
    assert right_flags == [True, True, True, False, False, True, True, True, True]


def test_short_common_words_are_not_marked():
    left_flags, right_flags = diff._shared_flags("the cat sat".split(), "the dog sat".split())
    assert not any(left_flags) and not any(right_flags)
