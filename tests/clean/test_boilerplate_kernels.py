"""The compiled template-line pass gives the keys `TemplateLines.key` gives, line by line."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nearcopy.clean.boilerplate import TemplateLines

# white space of every kind (str.isspace, ASCII and not), the sentence ends, accented and
# wide letters, a lone surrogate: what the kernel must treat exactly as str methods do
PIECES = ["word", "Word", "WORD", "a", "Home", "News", " ", "  ", "\t", "\r", "\x0b", "\x0c",
          "\x1c", "\x1f", "\x85", "\xa0", "\u1680", "\u2003", "\u2028", "\u202f", "\u3000",
          ".", "!", "?", '"', "\u201d", "\u3002", "\uff01", "\uff1f", "...", ">", "|", "É",
          "été", "Straße", "新闻", "Новости", "\ud800", "\n", "\n", "\n"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=80), st.integers(0, 20), st.integers(0, 5),
       st.integers(0, 12))
def test_keys_equal_the_line_by_line_definition(pieces, content_min_words, min_words,
                                                min_chars):
    lines = TemplateLines(min_chars, min_words, content_min_words)
    text = "".join(pieces)
    assert lines.keys(text) == lines.python_keys(text)


def test_prose_is_not_keyed_and_templates_are():
    lines = TemplateLines(3, 3, 5)
    text = ("Home > News > World\n"
            "This sentence has more than five words in it.\n"
            "Share this story on social media\n"
            "  Share   THIS story on social MEDIA  \n"
            "Six words end with a quote \u201d\n"
            "Four then \u201d\n")
    keys = lines.keys(text)
    assert keys == lines.python_keys(text)
    assert len(keys) == 3  # the breadcrumb, the share line (once), the short quoted line


def test_buffers_grow_for_a_long_document():
    lines = TemplateLines(3, 3, 15)
    text = "\n".join(f"Menu item number {i} here" for i in range(5000)) + "\n" + "x " * 70000
    assert lines.keys(text) == lines.python_keys(text)
