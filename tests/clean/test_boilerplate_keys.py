"""Corpus-boilerplate line keys: the fast path equals the rule as first written."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nearcopy.clean.boilerplate import _SENTENCE_END, TemplateLines, _key


def reference_key(lines: TemplateLines, line: str) -> int | None:
    """The first definition: count words, then rule out short lines and prose."""
    words = line.lower().split()
    n = len(words)
    if n < lines.min_words or len(line.strip()) < lines.min_chars:
        return None
    if n >= lines.content_min_words and line.rstrip().endswith(_SENTENCE_END):
        return None
    return _key(words)


pieces = st.sampled_from(["word", "Word", "the", "x", ".", "!", "?", "\u201d", "\u3002", " ",
                          "  ", "\t", "\u00a0", "\u2003", "İ", "ß", "end.", "a,b", ""])
lines = st.lists(pieces, max_size=40).map("".join) | st.text(max_size=120)


@settings(max_examples=1500, deadline=None)
@given(lines, st.integers(0, 4), st.integers(0, 6), st.integers(0, 20))
def test_key_matches_the_first_definition(line, min_chars, min_words, content_min_words):
    template = TemplateLines(min_chars, min_words, content_min_words)
    assert template.key(line) == reference_key(template, line)
