"""`normalize.normalize` skips a normaliser when `triggers` says it cannot change the
text: pinned here to each rule's own `apply`, on random text and on the rules'
own character sets."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nearcopy.clean import norm_kernels as k
from nearcopy.clean import normalize as n
from nearcopy.clean.normalize import NORMALIZERS

_BITS = {n.MojibakeRule: k.MOJIBAKE, n.HtmlEntityRule: k.ENTITIES, n.NfkcRule: k.NFKC,
         n.ZeroWidthRule: k.ZERO_WIDTH, n.WhitespaceRule: k.WHITESPACE}

#: pieces of text each normaliser acts on, or nearly (and plain text around them)
_PIECES = [
    "a", "Z", "word", " ", "  ", "\n", "\r\n", "\r", "\t", ".", "1", "]", ":",
    "&", ";", "&amp;", "&#39;", "#39;", "39;", "&39;", "&nbsp;", "nbsp;", "8217;", "&x;",
    "\u200b", "\u200d", "\ufeff", "\u00ad", "\u202e", "\u2060",
    "\u00a0", "\u2009", "\u3000", "\u2028", "\x85", "\x0b", "\x1c",
    "é", "e\u0301", "\u0301", "á", "ß", "ｆｕｌｌ", "…", "：", "ﬁ", "²", "\u1100\u1161", "\u1161",
    "Ã©", "â€™", "Â ", "Ã", "Â", "Œ", "œ ", "Ã\u00a0", "â€", "вЂ", "Р•С", "ГўВЂВ",
    "•", "»", "™", "€", "¦", "à²", "√±", "ØØ", "ВГРС",
    "中", "详细]", "Рубль", "Нефть", "\U0001f600", "\U0001d400", "\ud800", "\x80", "\x9d",
    "\x1b[0m", "\x00", "\x7f",
]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=24).map("".join)


def _in_order(text, rules, counts):
    """The definition: every rule's `apply`, in order."""
    for rule in rules:
        new = rule.apply(text)
        if new != text:
            counts[rule.name] = counts.get(rule.name, 0) + 1
        text = new
    return text


@settings(max_examples=1500, deadline=None)
@given(_TEXT)
def test_a_rule_whose_trigger_is_clear_leaves_the_text(text):
    found = n.triggers(text)
    for cls in NORMALIZERS:
        if not found & _BITS[cls]:
            assert cls().apply(text) == text, cls.name


@settings(max_examples=1500, deadline=None)
@given(_TEXT, st.sets(st.sampled_from(NORMALIZERS)))
def test_normalize_equals_the_enabled_rules_in_order(text, enabled):
    rules = [cls() for cls in NORMALIZERS if cls in enabled]  # (as `Cleaner` builds them)
    expected_counts, counts = {"html_entities": 2}, {"html_entities": 2}
    assert n.normalize(text, rules, counts) == _in_order(text, rules, expected_counts)
    assert counts == expected_counts
    # the bytes `normalize_encoded` gives with the text are that text's (when it gives any)
    from nearcopy.clean.scan import encode
    normalized, data = n.normalize_encoded(text, rules)
    assert normalized == _in_order(text, rules, {})
    if data is not None:
        assert data.tobytes() == encode(normalized) and not data.flags.writeable


class _Shouting(n.WhitespaceRule):
    """Not a rule `triggers` knows: it always runs."""

    name = "shouting"

    def apply(self, text):
        return text.upper()


def test_a_rule_triggers_does_not_know_always_runs():
    counts = {}
    assert n.normalize("a b", [_Shouting(), n.NfkcRule()], counts) == "A B"
    assert counts == {"shouting": 1}


@pytest.mark.parametrize("text", [
    "", "plain", "News • World", "详细]\n  • 人民币汇率", "  • Рубль и Нефть", "cafÃ©", "Ã ",
    "it's 5â€™", "group#39;s &amp; co", "a\u00a0b", "x\r\ny", "\u200bz", "ｆｕｌｌ…：", "x ",
    "Ã\u00a0", "• \U0001f600", "\ud800é", "\x1b[31mé",
])
def test_normalize_equals_the_rules_in_order_on_samples(text):
    rules = [cls() for cls in NORMALIZERS]
    expected_counts, counts = {}, {}
    assert n.normalize(text, rules, counts) == _in_order(text, rules, expected_counts)
    assert counts == expected_counts
    # the bytes `normalize_encoded` gives with the text are that text's (when it gives any)
    from nearcopy.clean.scan import encode
    normalized, data = n.normalize_encoded(text, rules)
    assert normalized == _in_order(text, rules, {})
    if data is not None:
        assert data.tobytes() == encode(normalized) and not data.flags.writeable


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_kernels_python_functions_agree(text):
    """The kernels' own Python functions (what numba's JIT compiles) say the same."""
    buf = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    if text.isascii():
        assert k.ascii_triggers.py_func(buf) == n.triggers(text)
    else:
        assert k.triggers.py_func(buf, *n._trigger_tables()) == n.triggers(text)


def _badness():
    from ftfy.badness import BADNESS_RE
    if n._badness_needs(BADNESS_RE.pattern, BADNESS_RE.flags) is None:
        pytest.skip("this ftfy's BADNESS_RE is not read by classes")
    return BADNESS_RE


@settings(max_examples=1000, deadline=None)
@given(st.data())
def test_a_badness_match_sets_mojibake(data):
    """Any text holding a BADNESS_RE match (ftfy's test of a line) sets MOJIBAKE."""
    match = data.draw(st.from_regex(_badness(), fullmatch=True))
    text = data.draw(_TEXT) + match + data.draw(_TEXT)
    assert n.triggers(text) & k.MOJIBAKE, ascii(match)


@settings(max_examples=1000, deadline=None)
@given(st.text(st.sampled_from(list(" a.\n\u00a0•»™€¦ÀÃÂÑØÙàñœŒВГРСβ€√≈‚аЁ│©°²×")), max_size=12))
def test_mojibake_is_clear_only_without_a_badness_match(text):
    if text.isascii():
        return
    badness = _badness()
    if not n.triggers(text) & k.MOJIBAKE:
        assert badness.search(text) is None


def test_table_bits_are_the_rules_classes():
    """Per BMP code point: FOLDS covers every character NFKC's quick check does not pass
    alone; INVISIBLE is the zero-width rule's set; SPACE the whitespace rule's."""
    bits = n._trigger_tables()[0]
    acted = n._ftfy_either()[1]
    for cp in range(0x80, 0x10000):
        char = chr(cp)
        entry = int(bits[cp])
        if not entry & k.FOLDS:
            assert unicodedata.is_normalized("NFKC", char) and not unicodedata.combining(char)
            assert unicodedata.is_normalized("NFKC", "a" + char), hex(cp)
        assert bool(entry & k.INVISIBLE) == (char in n._ZERO_WIDTH_CHARS), hex(cp)
        assert bool(entry & k.SPACE) == char.isspace(), hex(cp)
        assert bool(entry & k.ACTED) == (char in acted), hex(cp)
    assert bits[k.ASTRAL] & k.FOLDS


def test_another_badness_regex_form_is_not_read():
    assert n._badness_needs("(Ã)©", 0) is None  # a group
    assert n._badness_needs("Ã|a", 0) is None  # a branch that needs no non-ASCII character
    assert n._badness_needs("Ã©|a+é", 0) is None  # a repeat that must match
    assert n._badness_needs("Ã©|x?é", 0) == [
        [(frozenset([ord("Ã")]), (1, 1)), (frozenset([ord("©")]), (0, 0))],
        [(frozenset([ord("é")]), (0, 0))]]


@settings(max_examples=1500, deadline=None)
@given(_TEXT)
def test_the_scan_reads_the_ascii_triggers(text):
    """`kernels.line_stats` says `byte_triggers` of the bytes in T_FLAGS' high bits: for
    an ASCII text, the triggers `normalize_encoded` reads (the cleaner then scans an
    ASCII text before it normalises it)."""
    from nearcopy.clean import kernels, scan
    data = scan.encode(text)
    _, totals = scan.scan_document(data)
    found = totals[kernels.T_FLAGS] >> kernels.TRIGGER_SHIFT
    assert found == k.byte_triggers.py_func(np.frombuffer(data, np.uint8))
    if text.isascii():
        assert found & ~k.CONTROLS == n.triggers(text)


def test_ascii_trigger_bits_only_for_rules_with_triggers():
    rules = [cls() for cls in NORMALIZERS]
    assert n.ascii_trigger_bits(rules) == sum(_BITS.values())
    assert n.ascii_trigger_bits([]) == 0
    assert n.ascii_trigger_bits(rules[2:]) == k.NFKC | k.ZERO_WIDTH | k.WHITESPACE

    class Custom(n.WhitespaceRule):
        pass

    assert n.ascii_trigger_bits([*rules, Custom()]) == -1


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["Plain words here.", "a  b", " lead", "trail ", "\t",
                                 "&amp; x", "x;y", "\x00", "\x7f", "\r", "", "caf\u00e9",
                                 "Home > News", "By Jane Doe"]),
                max_size=10).map("\n".join),
       st.sets(st.sampled_from(NORMALIZERS)))
def test_the_cleaner_scanning_ascii_first_equals_normalising_first(text, enabled):
    """`Cleaner.clean` with the ASCII text scanned before it is normalised (the scan's
    trigger bits) gives what normalising first gives, for any set of normalisers."""
    from nearcopy.document import Document
    first, second = _cleaners(frozenset(enabled))
    doc = Document("d", text)
    assert first.clean(doc) == second.clean(doc)


@lru_cache(maxsize=None)
def _cleaners(enabled):
    """Cleaners with these normalisers: one scanning ASCII text first, one not."""
    from nearcopy.clean import CleanConfig, Cleaner
    off = {cls.name: {"enabled": False} for cls in NORMALIZERS if cls not in enabled}
    first = Cleaner(CleanConfig.from_dict({"rules": off}) if off else CleanConfig())
    assert first._ascii_triggers >= 0
    second = Cleaner(first.config)
    second._ascii_triggers = -1  # normalise first, as a non-ASCII text is
    return first, second


@settings(max_examples=400, deadline=None)
@given(st.text(st.sampled_from("abnsptquo0123489;#& \n"), max_size=200))
def test_debris_tails_found_from_the_semicolons_as_by_searching_each(text):
    """`_holds_debris_tail` (what precedes each ";") says what the twenty searches say,
    below and beyond the semicolons it checks one by one."""
    from nearcopy.clean.normalize import (_NAMED_TAILS, _NUMERIC_TAILS, _holds_any,
                                          _holds_debris_tail)
    expected = _holds_any(text, _NUMERIC_TAILS) or _holds_any(text, _NAMED_TAILS)
    assert _holds_debris_tail(text) == expected
    many = "x;" * 40 + text
    assert _holds_debris_tail(many) == (
        _holds_any(many, _NUMERIC_TAILS) or _holds_any(many, _NAMED_TAILS))
