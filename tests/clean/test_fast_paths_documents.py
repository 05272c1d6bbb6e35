"""The document rules', repeated paragraphs' and normalisers' shortcuts must equal the
definitions they replace: the compiled line counts and whitespace passes
(doc_kernels.py, doc_scan.py, also through their kernels' Python functions, which
numba's JIT compiles), the ASCII paragraph key and alpha-word test, the zero-width
pre-test and the entity-debris search near each ";"."""

from __future__ import annotations

import html

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nearcopy.clean import doc_kernels, doc_scan
from nearcopy.clean.doc_scan import SAME_KEYS

_TOKENS = ["the", "The", "A", "x", "Foo", "foo!", "f-o-o", "12", "1.2", "_", "#", "##", "...",
           "..", ".", "....", "a.b", "-", "*", "- x", "* y", " ", "  ", "\t", "\x0b", "\x1f",
           "\r", "é", "…", "•", "—", "\u00a0", "\u2028", "中文", "\ud800", "\n"]


def _python_kernel(lines):
    """The kernel's own Python function (numba's JIT compiles the same code)."""
    data = ("\n".join(lines) + "\n").encode("ascii")
    return tuple(int(c) for c in doc_kernels.line_counts.py_func(
        np.frombuffer(data, dtype=np.uint8), len(lines)))


def _check_counts(lines):
    expected = doc_scan.python_counts(lines)
    doc_scan._last = ([], ())  # (no memo: count these lines)
    found = doc_scan.counts(lines)
    assert found[:SAME_KEYS] == expected[:SAME_KEYS]
    assert found[SAME_KEYS] >= expected[SAME_KEYS]  # 0 proves that no two keys are equal
    assert doc_scan.counts(list(lines)) == found  # (the memo)
    if lines and "\n".join(lines).isascii() and not any("\n" in line for line in lines):
        assert _python_kernel(lines) == found


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_TOKENS), max_size=8).map("".join), max_size=8))
def test_line_counts_equal_their_python_definitions(lines):
    _check_counts(lines)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(max_codepoint=127), max_size=20), min_size=1,
                max_size=6))
def test_line_counts_on_any_ascii_lines(lines):
    _check_counts(lines)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Shr 12 cts", "shr 12 cts!", "Shr 21 cts", "Net 1.2 mln",
                                 "net 12 mln", "A b", "ab", "b a", "x"]), min_size=1,
                max_size=6))
def test_same_keys_is_one_exactly_when_two_loose_keys_are_equal(lines):
    """On lines chosen to share keys (or to be anagrams of each other), the kernel's
    features say "same" exactly when two keys are the same."""
    from nearcopy.clean.repetition import _loose_keys
    keys = _loose_keys(lines)
    doc_scan._last = ([], ())
    assert doc_scan.counts(lines)[SAME_KEYS] == int(len(set(keys)) != len(keys))


def test_a_line_holding_a_newline_is_counted_by_the_python_definition():
    lines = ["one two\nthree", "- four..."]
    assert _python_kernel(lines)[0] == -1  # the pass saw more lines than it was given
    doc_scan._last = ([], ())
    assert doc_scan.counts(lines) == doc_scan.python_counts(lines)


def test_python_definition_of_the_counts():
    lines = ["- The #1 plan...", "* two  words", "Done \u2026", "the #1 PLAN"]
    words, chars, hashes, ellipses, bullets, ellipsis_lines, same = \
        doc_scan.python_counts(lines)
    assert (words, hashes, ellipses, bullets, ellipsis_lines, same) == (12, 2, 2, 2, 2, 1)
    assert chars == sum(len(w) for w in " ".join(lines).split())


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_ascii_paragraph_key_equals_its_regex(line):
    from nearcopy.clean.repetition import _KEY_JUNK, paragraph_key
    assert paragraph_key(line) == _KEY_JUNK.sub(" ", line.lower()).strip()


# --- the whitespace rule's compiled passes -------------------------------------------------

_BLANKS = [c for c in map(chr, range(0x3001)) if c.isspace()]
_WS_TEXT = st.lists(st.sampled_from(_BLANKS + ["\r\n", "a", "b", "é", "中", "\ud800",
                                              "\U0001F600", "\x00", "\x1b", "."]),
                   max_size=30).map("".join)


def _whitespace_definition(text):
    import re
    unified = re.sub("\r\n|[\r\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85]", "\n", text)
    return "\n".join(re.sub(r"[^\S\n]+", " ", line).strip() for line in unified.split("\n"))


@settings(max_examples=1000, deadline=None)
@given(_WS_TEXT)
def test_whitespace_rule_equals_its_definition_on_any_blanks(text):
    from nearcopy.clean.normalize import WhitespaceRule
    assert WhitespaceRule().apply(text) == _whitespace_definition(text)


@settings(max_examples=300, deadline=None)
@given(_WS_TEXT)
def test_whitespace_kernels_python_functions_agree(text):
    """The kernels' own Python functions (what numba's JIT compiles) give the same text,
    and the prefilter says "no change" only for a text the rule leaves as it is."""
    buf = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    expected = _whitespace_definition(text)
    if not doc_kernels.may_need_whitespace.py_func(buf):
        assert expected == text
    changed, out = doc_kernels.whitespace.py_func(buf)
    assert changed == (expected != text)
    assert bytes(out).decode("utf-8", "surrogatepass") == expected


def test_blank_classes_are_those_of_str_split():
    """Every code point: a line break of the rule, other whitespace, or neither."""
    breaks = set("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
    for cp in range(0x110000):
        kind = doc_kernels.blank_class.py_func(cp)
        char = chr(cp)
        assert kind == (doc_kernels._BREAK if char in breaks else
                        doc_kernels._BLANK if char.isspace() else doc_kernels._CHAR), hex(cp)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \n\u00e9\u00ad\u200b\u200f\u202a\u202c\u202e\u202f"
                                             "\u2060\ufeff\u180e\u4e2d")), max_size=20))
def test_zero_width_rule_equals_its_regex(text):
    import re
    from nearcopy.clean.normalize import ZeroWidthRule
    expected = re.sub("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f\u202a-\u202e]", "",
                      text)
    assert ZeroWidthRule().apply(text) == expected


_DEBRIS_TOKENS = ["a", "Z", "1", "_", " ", "&", "#", ";", "39;", "#39;", "&#39;", "&39;", "8217;",
                  "160;", "1160;", "nbsp;", "amp;", "quot;", "&nbsp;", "xnbsp;", "s", "é", "-"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_DEBRIS_TOKENS), max_size=14).map("".join))
def test_debris_repair_near_semicolons_equals_the_regexes(line):
    """Searching only just before each ";" finds what the regexes' sub finds."""
    from nearcopy.clean import normalize as n
    expected = n._DEBRIS_NUMERIC.sub(lambda m: n._DEBRIS_CHARS[m.group(1) or m.group(2)], line)
    expected = n._DEBRIS_NAMED.sub(lambda m: html.unescape("&" + m.group(0)), expected)
    assert n._repair_debris(line) == expected


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=30),
       st.integers(min_value=0, max_value=6))
def test_ascii_alpha_words_equal_the_regex(line, count):
    from nearcopy.clean.repetition import _ALPHA_WORD, _has_alpha_words
    assert _has_alpha_words(line, count) == (len(_ALPHA_WORD.findall(line)) >= count)



_BOTH_PATHS = """
import json
from nearcopy.clean import doc_scan
from nearcopy.clean.normalize import WhitespaceRule
lines = ["- The #1 plan...", "* two  words", "the #1 PLAN", "Shr 12 cts", "shr 21 cts", "x"]
texts = ["a  b \\n c\\r\\nd\\t", " \\u3000x\\u00a0y \\u2028z ", "clean text\\nok", "", "é  中"]
print(json.dumps({"counts": [doc_scan.counts(lines[:k]) for k in range(1, 7)],
                  "whitespace": [WhitespaceRule().apply(t) for t in texts]}))
"""


@pytest.mark.slow
def test_compiled_and_jit_kernels_give_the_same_results():
    """The AOT module's kernels and numba's JIT of the same functions (the fallback when
    the module cannot be built) agree."""
    import json
    import os
    import subprocess
    import sys
    runs = [subprocess.run([sys.executable, "-c", _BOTH_PATHS], capture_output=True, text=True,
                           env={**os.environ, "NEARCOPY_KERNELS": mode}, check=True, timeout=600)
            for mode in ("aot", "jit")]
    aot, jit = (json.loads(run.stdout) for run in runs)
    assert aot == jit
    assert aot["whitespace"][:3] == ["a b\nc\nd", "x y\nz", "clean text\nok"]


# --- the mojibake pre-check's memo by ASCII groups --------------------------------------


def _char_tests(items, state):
    """The `fullmatch` of every single-character test in a parsed pattern (None for
    what can tell characters apart otherwise)."""
    from re import _compiler as compiler, _constants as c, _parser as parser
    tests = []
    for op, av in items:
        if op in (c.LITERAL, c.NOT_LITERAL, c.IN, c.ANY):
            tests.append(compiler.compile(parser.SubPattern(state, [(op, av)]),
                                          state.flags).fullmatch)
            continue
        inner = {c.BRANCH: lambda: [t for alt in av[1] for t in _char_tests(alt, state)],
                 c.MAX_REPEAT: lambda: _char_tests(av[2], state),
                 c.MIN_REPEAT: lambda: _char_tests(av[2], state),
                 c.ASSERT: lambda: _char_tests(av[1], state),
                 c.ASSERT_NOT: lambda: _char_tests(av[1], state),
                 c.AT: lambda: []}
        if op is c.SUBPATTERN and not av[1] and not av[2]:
            found = _char_tests(av[3], state)
        elif op in inner:
            found = inner[op]()
        else:
            return None
        if found is None:
            return None
        tests += found
    return tests


def test_badness_ascii_groups_are_those_the_regex_cannot_tell_apart():
    """Derived from BADNESS_RE's parse tree: two ASCII characters are in one group exactly
    when every single-character test of the pattern (and the word and line tests of its
    anchors) gives them the same answer."""
    import re
    from re import _parser
    from ftfy.badness import BADNESS_RE
    from nearcopy.clean import normalize
    if normalize._ftfy_tables()[1] is None:
        pytest.skip("another ftfy version: the pre-check always runs ftfy")
    parsed = _parser.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
    tests = _char_tests(parsed, parsed.state)
    assert tests is not None
    tests += [re.compile(r"\w").fullmatch, re.compile("\n").fullmatch]
    groups: dict[tuple, str] = {}
    for char in map(chr, range(128)):
        signature = tuple(test(char) is not None for test in tests)
        groups[signature] = groups.get(signature, "") + char
    assert sorted(groups.values()) == sorted(normalize._BADNESS_ASCII_GROUPS)


_BADNESS_TOKENS = ["•", "»", "Ã", "©", "â€", "œ", "Œ", "°", "×", "²", "Ø", "à", "√", "‚", "Ä",
                   "вЂ", "ÂÃ", "a", "Z", "q", "9", "_", " ", "\t", "\n", ".", ",", "!", "-", "#",
                   "(", "'", "\x00", "\x7f", "é", "É", "π"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_BADNESS_TOKENS), max_size=13).map("".join))
def test_badness_gives_a_window_and_its_ascii_groups_one_answer(window):
    from ftfy.badness import BADNESS_RE
    from nearcopy.clean.normalize import _BADNESS_ASCII
    assert (BADNESS_RE.search(window) is None) == \
        (BADNESS_RE.search(window.translate(_BADNESS_ASCII)) is None)
