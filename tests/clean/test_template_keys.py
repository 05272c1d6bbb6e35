"""The cleaner's scan keys template-like lines as `TemplateLines.key` does, line by line."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from nearcopy.clean import CleanConfig, Cleaner, boilerplate_kernels, scan
from nearcopy.clean.boilerplate import TemplateLines
from nearcopy.document import Document

# prose and template lines, case, every kind of white space, sentence ends, placeholders (a
# line that loses one is keyed in Python), non-ASCII letters and a lone surrogate
PIECES = ["Home", "News", "world", "WORLD", "Share", "this", "story", "on", "the", "a", "of",
          "market", "rose", "said", "today", " ", " ", "  ", "\t", "\x0b", "\x1c", "\xa0",
          "\u2003", ".", "!", "?", '"', "\u201d", "\u3002", ">", "|", "-", ":", "2015",
          "[ad_1]", "{ads}", "É", "été", "新闻", "\ud800", "\n", "\n", "\n"]
texts = st.lists(st.sampled_from(PIECES), max_size=120).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(1, 12), st.integers(0, 4), st.integers(0, 12))
def test_scan_keys_equal_the_line_by_line_definition(text, content_min_words, min_words,
                                                     min_chars):
    config = CleanConfig(rules={"corpus_boilerplate": {
        "content_min_words": content_min_words, "min_words": min_words,
        "min_chars": min_chars}})
    cleaner = Cleaner(config)
    res = cleaner.clean(Document("d", text))
    template = TemplateLines(min_chars, min_words, content_min_words)
    if min_words < 1 and min_chars < 1:
        assert cleaner.template is None  # (an empty text has a key then)
    else:
        assert cleaner.template == template
    if res.dropped is not None or cleaner.template is None:
        assert res.template_keys is None
        return
    assert sorted(res.template_keys) == sorted(template.python_keys(res.text))
    assert sorted(template.keys_of(res, cleaner)) == sorted(template.keys(res.text))


@settings(max_examples=200, deadline=None)
@given(texts, st.integers(1, 12), st.integers(0, 4), st.integers(0, 12))
def test_scan_row_keys_each_ascii_line(text, content_min_words, min_words, min_chars):
    template = TemplateLines(min_chars, min_words, content_min_words)
    tables = scan.with_template(scan.base_tables(), content_min_words, min_words, min_chars)
    rows = scan.scan_rows(scan.encode(text), tables)
    for line, flags, key in zip(text.split("\n"), rows[scan.FLAGS], rows[scan.TEMPLATE]):
        if not flags & scan.NON_ASCII:
            assert key == (template.key(line) or 0)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_joined_key_compiled_equals_its_python_code(words):
    data = np.frombuffer(words.encode("utf-8", "surrogatepass"), np.uint8)
    key = boilerplate_kernels.joined_key(data)
    assert key == boilerplate_kernels.joined_key.py_func(data)
    assert 1 <= key < 1 << 63


def test_keys_of_asks_the_text_when_the_cleaner_keys_lines_otherwise():
    cleaner = Cleaner(CleanConfig())
    text = ("Markets close higher in Tokyo trading\n"
            + "A long sentence of prose that goes on for well over fifteen words and then "
              "it ends like a sentence does. " * 4)
    res = cleaner.clean(Document("d", text))
    assert res.dropped is None and res.template_keys
    other = TemplateLines(3, 3, 500)  # the prose line is template-like for it
    assert sorted(other.keys_of(res, cleaner)) == sorted(other.python_keys(res.text))
    assert len(other.keys_of(res, cleaner)) == len(res.template_keys) + 1


def test_no_template_keys_without_corpus_boilerplate():
    config = CleanConfig(rules={"corpus_boilerplate": {"enabled": False}})
    cleaner = Cleaner(config)
    assert cleaner.template is None
    assert cleaner.clean(Document("d", "Subscribe to our daily briefing")).template_keys is None
