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


def _segments_word_by_word(words):
    """The first definition: a word at a time, a space before each switch."""
    segments = []
    for word, shared in words:
        if segments and segments[-1].shared == shared:
            segments[-1].text += " " + word
        else:
            if segments:
                segments[-1].text += " "
            segments.append(diff.Segment(word, shared))
    return segments


@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from(["a", "bb", "c"]), st.booleans()),
                max_size=30))
def test_segments_by_row_equal_the_word_by_word_definition(items):
    items = sorted(items, key=lambda item: item[0])  # tokens come in row order
    tokens = [(row, word) for row, word, _ in items]
    flags = [shared for _, _, shared in items]
    got = diff._segments_by_row(tokens, flags)
    for row in {row for row, _ in tokens}:
        words = [(word, shared) for (r, word), shared in zip(tokens, flags) if r == row]
        assert got[row] == _segments_word_by_word(words)
