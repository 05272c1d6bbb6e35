"""`norm_kernels.fold_and_space` (the NFKC, zero-width and whitespace rules in one pass,
NFKC by simple folds only) pinned to the rules' own `apply` and to unicodedata."""

from __future__ import annotations

import unicodedata

import numpy as np
from hypothesis import given, settings, strategies as st

from nearcopy.clean import norm_folds, norm_kernels as k
from nearcopy.clean import normalize as n
from nearcopy.clean.normalize import NORMALIZERS
from tests.clean.test_normalize_triggers import _in_order


def _folds():
    points, ends, forms = norm_folds.fold_tables()
    return {chr(cp): bytes(forms[ends[i]:ends[i + 1]]).decode()
            for i, cp in enumerate(points.tolist())}


_FOLDS = _folds()
_SIMPLE = sorted(char for char, form in _FOLDS.items() if form)
_NOT_SIMPLE = sorted(char for char, form in _FOLDS.items() if not form)
#: characters that pass NFKC's quick check, some that start a composition
_PASSING = ["a", "e", "E", " ", "\n", "\r", "\t", ".", "é", "ß", "中", "가", "Я", "ψ", "\U0001f600",
            "\u0915", "\u200b", "\u00ad", "\ufeff", "\u2028", "\x85", "\ud800", "\udfff"]

#: pieces of text the three rules act on, or nearly
_PIECES = [
    "a", "word", " ", "  ", "\n", "\r\n", "\r", "\t", "\x0b", "\x1c", "\x85", "\u2028",
    "\u00a0", "\u2009", "\u3000", "\u202f", "\u1680",
    "\u200b", "\u200d", "\ufeff", "\u00ad", "\u202e", "\u180e",
    "…", "：", "ｆｕｌｌ", "ﬁ", "ﬃ", "²", "½", "㎒", "\ufdfa", "⑵", "\u2126", "\U0001d400",
    "\U0002f800", "㉮",  # (simple folds: a singleton, an astral one, one to a Hangul syllable)
    "\u00a8", "\u3131", "\u0f77", "\u0958", "\u1e9b\u0323",  # (folds that are not simple)
    "ｅ\u0301", "e\u0301", "\u0301", "\u0323\u0301", "\U0001d165", "\u09c7\u09be",
    "\u1100\u1161", "\u1161", "가\u11a8", "\u11a8", "é", "中", "\U0001f600",
    "\ud800", "\udc00", "\ud83d\ude00",
]
_TEXT = st.one_of(  # (half without a character that sends NFKC to its own pass)
    st.lists(st.sampled_from(_PIECES), max_size=24).map("".join),
    st.lists(st.sampled_from([piece for piece in _PIECES
                              if not any(char in _NOT_SIMPLE for char in piece)]),
             max_size=24).map("".join))
_FUSED = (n.NfkcRule, n.ZeroWidthRule, n.WhitespaceRule)


@settings(max_examples=3000, deadline=None)
@given(_TEXT, st.sets(st.sampled_from(NORMALIZERS)))
def test_normalize_equals_the_enabled_rules_in_order(text, enabled):
    rules = [cls() for cls in NORMALIZERS if cls in enabled]
    expected_counts, counts = {"whitespace": 3}, {"whitespace": 3}
    assert n.normalize(text, rules, counts) == _in_order(text, rules, expected_counts)
    assert counts == expected_counts


def _run(kernel, text, enabled):
    """(the bits of the rules that changed the text, or < 0; the new text)."""
    data = np.frombuffer(text.encode("utf-8", "surrogatepass"), np.uint8)
    _, table, folds = n._fold_kernel or n._bind_fold_kernel()
    out = np.empty(len(data) * n._MOST_GROWTH + 16, np.uint8)
    found = kernel(data, out, enabled, table, *folds)
    if found < 0:
        return found, ""
    return found & 31, bytes(out[:found >> 5]).decode("utf-8", "surrogatepass")


@settings(max_examples=1500, deadline=None)
@given(_TEXT, st.sets(st.sampled_from(_FUSED), min_size=1))
def test_the_kernel_is_the_rules_or_declines(text, enabled):
    """Each enabled rule's bit says whether it changed its text; -1 only for NFKC."""
    rules = [cls() for cls in _FUSED if cls in enabled]
    bits = sum(n._TRIGGERS[cls] for cls in enabled)
    changed, out = _run(k.fold_and_space, text, bits)
    if changed < 0:
        assert n.NfkcRule in enabled
        assert any(char in _NOT_SIMPLE for char in text)
        return
    for rule in rules:
        new = rule.apply(text)
        assert bool(changed & n._TRIGGERS[type(rule)]) == (new != text), rule.name
        text = new
    assert out == text
    assert _run(k.fold_and_space.py_func, text, bits) == _run(k.fold_and_space, text, bits)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_SIMPLE), st.sampled_from(_PASSING)), max_size=12))
def test_simple_folds_replaced_one_by_one_are_nfkc(chars):
    """The claim of norm_folds: in a text of simple folds and characters that pass the
    quick check, NFKC replaces each fold by its own NFKC form."""
    text = "".join(chars)
    expected = unicodedata.normalize("NFKC", text)
    assert "".join(_FOLDS.get(char, char) for char in text) == expected
    assert _run(k.fold_and_space, text, k.NFKC) == (int(expected != text) * k.NFKC, expected)


def test_fold_tables_are_unicodedata():
    bits = n._trigger_tables()[0]
    for char, form in _FOLDS.items():
        if char < "\U00010000":
            assert bits[ord(char)] & k.FOLDS, hex(ord(char))
        if form:
            assert form == unicodedata.normalize("NFKC", char) != char
            assert not any(part in _FOLDS for part in form)
    assert not any(char in _FOLDS for char in _PASSING)
    assert "…" in _SIMPLE and "：" in _SIMPLE and "\u00a0" in _SIMPLE
    assert "\u00a8" in _NOT_SIMPLE and "\u3131" in _NOT_SIMPLE and "\u0301" in _NOT_SIMPLE
    assert len([char for char in _FOLDS if char < "\U00010000"]) == int(
        (bits[:k.ASTRAL] & k.FOLDS).astype(bool).sum())


def test_a_fold_that_grows_the_text_past_its_buffer():
    text = "\ufdfa" * 200 + " x \u00a0 y"
    rules = [cls() for cls in NORMALIZERS]
    counts, expected_counts = {}, {}
    assert n.normalize(text, rules, counts) == _in_order(text, rules, expected_counts)
    assert counts == expected_counts == {"unicode_nfkc": 1, "whitespace": 1}


def test_no_simple_fold_grows_more_than_normalize_allows():
    growth = max(len(form.encode()) / len(char.encode()) for char, form in _FOLDS.items())
    assert growth <= n._MOST_GROWTH
