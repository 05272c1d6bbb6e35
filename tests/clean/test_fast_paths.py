"""The cleaner's shortcuts must never change a verdict: function-word language
guesses, the per-length line triage and its literal prefilter."""

from __future__ import annotations

import html

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from nearcopy.clean import CleanConfig, Cleaner
from nearcopy.clean.line_gate import Prefilter, _branches, _literal
from nearcopy.clean.stopwords import guess_language
from nearcopy.document import Document


def test_guess_language_names_prose_languages():
    assert guess_language("The company said it would raise the dividend for the year.") == "en"
    assert guess_language("Die Bundesbank hat am Montag die Zinsen für das Jahr erhöht.") == "de"
    assert guess_language("Le gouvernement a annoncé que les prix sont en hausse dans le pays.") \
        == "fr"


def test_guess_language_abstains_without_clear_evidence():
    assert guess_language("Shr 12 cts vs 10 cts") is None  # too few words
    assert guess_language("Net loss 1,841,000 vs profit 983,000 revs 4.5 mln") is None
    assert guess_language("金融 市场 今天 上涨 投资者 关注 央行 政策") is None
    # Danish shares "for", "at" with English: not enough English function words to decide
    assert guess_language("Det er en god dag for at gå en tur i parken") is None


def test_stray_line_needs_the_model_not_just_a_guess():
    """A German line in an English article goes only when the model confirms it."""
    text = ("The central bank raised its key rate on Tuesday, the first increase in a year.\n"
            "Die Bundesbank hat am Montag die Zinsen für das ganze Jahr deutlich erhöht.\n"
            "Analysts said the move had been expected by most of the market for weeks.")
    res = Cleaner(CleanConfig()).clean(Document("d", text))
    assert res.language == "en"
    assert [e["rule"] for e in res.removed_lines] == ["stray_language"]
    assert res.removed_lines[0]["line"] == 1


def test_literal_branches():
    assert _branches(r"a|\||b\|c") == ["a", r"\|", r"b\|c"]
    assert _literal(r"terms\ of\ use") == "terms of use"
    assert _literal(r"\(at\)") == "(at)"
    assert _literal(r"\d+") is None and _literal("[ab]") is None


class _Rule:
    MAY_DROP_AT_START = r"[Bb][Yy]\s"
    MAY_DROP = r">|<|::|javascript|\[|\(at\)"
    MAY_DROP_AT_END = ("...",)

    @staticmethod
    def line_cap():
        return None


class _CappedRule(_Rule):
    MAY_DROP = r"::"

    @staticmethod
    def line_cap():
        return 20


def test_a_rules_start_pattern_is_false_beyond_its_cap():
    """The union's start pattern matches only lines the rule judges (`line_cap`): a
    30-character line opening with "By " passes the start test of no rule capped at 20."""
    fast = Prefilter([_CappedRule])
    assert fast("By Jane Doe")
    assert fast("By " + "x" * 17)
    assert not fast("By " + "x" * 18)
    assert Prefilter([_Rule])("By " + "x" * 27)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab <>:[]()tJavascriptBy .", max_size=40))
def test_literal_prefilter_equals_the_regex(line):
    import re
    fast = Prefilter([_Rule])
    assert fast.anywhere is None  # all branches are literals
    regex = re.compile(_Rule.MAY_DROP)
    expected = (line.rstrip().endswith(("...",)) or regex.search(line.lower()) is not None
                or re.match(_Rule.MAY_DROP_AT_START, line) is not None)
    assert fast(line) == expected


def test_long_lines_skip_short_line_rules():
    """A 300-character body line with a wire ticker passes no short-line rule."""
    cleaner = Cleaner(CleanConfig())
    line = "Alusuisse <ALUZ.Z> said: " + "the shares fell sharply in heavy trading " * 7
    assert len(line) > 160
    band = cleaner._triage.band(len(line))
    assert "breadcrumb" not in [rule.name for rule, _ in band.rules]
    assert cleaner.clean(Document("d", line)).removed_lines == []


def _wrapped_corpus():
    """Pages sharing a template line (corpus boilerplate) around distinct articles."""
    docs = []
    for i in range(60):
        body = " ".join(f"The council met on day {i} and said the plan for road {j} was approved."
                        for j in range(4))
        docs.append(Document(f"d{i}", f"Home > News > Local\nTune in to Radio Local every morning at seven\n"
                                      f"{body}\nShare this article"))
    return docs


def test_clean_corpus_same_output_for_any_worker_count(tmp_path):
    from nearcopy.clean.corpus import clean_corpus
    outs = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        summary = clean_corpus(iter(_wrapped_corpus()), out, CleanConfig(), workers=workers)
        outs.append(((out / "kept.jsonl").read_bytes(), (out / "dropped.jsonl").read_bytes()))
        assert summary["rules"]["corpus_boilerplate"]["lines_removed"] == 60
    assert outs[0] == outs[1]


_BLANKS = [c for c in map(chr, range(0x3001)) if c.isspace()]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(_BLANKS + list("ab\u00e9")), max_size=30))
def test_whitespace_rule_equals_its_regex_definition(text):
    import re
    from nearcopy.clean.normalize import WhitespaceRule
    rule = WhitespaceRule()
    unified = re.sub("\r\n|[\r\u2028\u2029\x0b\x0c\x1c\x1d\x1e\x85]", "\n", text)
    expected = "\n".join(re.sub(r"[^\S\n]+", " ", line).strip() for line in unified.split("\n"))
    assert rule.apply(text) == expected


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("  \n\nab\u00e9\u00a0\t")), max_size=40))
def test_whitespace_rule_collapsing_runs_equals_its_regex_definition(text):
    """Texts whose only blanks are mostly " " and "\n" (the branch that collapses runs)."""
    import re
    from nearcopy.clean.normalize import WhitespaceRule
    expected = "\n".join(re.sub(r"[^\S\n]+", " ", line).strip() for line in text.split("\n"))
    assert WhitespaceRule().apply(text) == expected


def test_line_verdict_cache_gives_the_same_removals_and_stays_in_its_process():
    import pickle
    cleaner = Cleaner(CleanConfig())
    text = "Home > News > Local\nThe council met on Monday and approved the new budget plan."
    first = cleaner.clean(Document("a", text))
    assert cleaner._verdicts  # filled
    again = cleaner.clean(Document("b", text))
    assert first.removed_lines == again.removed_lines and first.text == again.text
    assert pickle.loads(pickle.dumps(cleaner))._verdicts == {}


def test_no_verdict_cache_when_a_rule_reads_the_line_position(monkeypatch):
    from nearcopy.clean.chrome import BreadcrumbFilter
    monkeypatch.setattr(BreadcrumbFilter, "USES_CONTEXT", True)
    assert Cleaner(CleanConfig())._verdicts is None


def test_line_caches_stay_bounded(monkeypatch):
    """Long lines are not kept, and the kept lines never hold more than the character budget."""
    from nearcopy.clean import cleaner as cleaner_module, stopwords
    monkeypatch.setattr(cleaner_module, "LINE_CACHE_TOTAL", 2_000)
    monkeypatch.setattr(stopwords, "CACHE_TOTAL_CHARS", 2_000)
    monkeypatch.setattr(stopwords, "_GUESSES", {})  # (not what earlier tests left)
    monkeypatch.setattr(stopwords, "_cached", [0])
    cleaner = Cleaner(CleanConfig())
    long_line = "The council said the plan would go ahead as agreed. " * 40
    lines = [f"Line {i}: the council said that the plan for road {i} was approved today."
             for i in range(200)]
    cleaner.clean(Document("d", "\n".join([long_line, *lines])))
    assert long_line not in cleaner._verdicts and long_line not in stopwords._GUESSES
    assert sum(map(len, cleaner._verdicts)) <= 2_000
    assert sum(map(len, stopwords._GUESSES)) <= 2_000


# --- whole-document and one-pass shortcuts must equal their per-line definitions --------

_MIXED = list("ab \nAé\u00e0\u0301\u00a0\u2026\ufb01\uff21\u1e9b\u0323#;&") + ["39;", "nbsp;", "#39;"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_MIXED), max_size=40).map("".join))
def test_nfkc_rule_equals_nfkc_of_the_whole_text(text):
    import unicodedata
    from nearcopy.clean.normalize import NfkcRule
    assert NfkcRule().apply(text) == unicodedata.normalize("NFKC", text)


def _entities_on_the_whole_text(text):
    """HtmlEntityRule as first written: each regex over the whole text."""
    from nearcopy.clean import normalize as n
    if "&" in text:
        text = n._ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    if ";" in text:
        text = n._DEBRIS_NUMERIC.sub(lambda m: n._DEBRIS_CHARS[m.group(1) or m.group(2)], text)
        text = n._DEBRIS_NAMED.sub(lambda m: html.unescape("&" + m.group(0)), text)
    return text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_MIXED + ["amp;", "group", "#", "8217;", "&#39;"]), max_size=40)
       .map("".join))
def test_entity_debris_repair_by_line_equals_the_whole_text_regexes(text):
    from nearcopy.clean.normalize import HtmlEntityRule
    assert HtmlEntityRule().apply(text) == _entities_on_the_whole_text(text)


def _guess_by_passes(line):
    """The function-word guess as first written: one pass per language."""
    from nearcopy.clean import stopwords as s
    words = line.lower().split()
    if len(words) < s.MIN_WORDS:
        return None
    need = max(s.MIN_HITS, s.MIN_SHARE * len(words))
    for lang in s._LANGUAGES:
        hits = sum(map(s.FUNCTION_WORDS[lang].__contains__, words))
        if hits >= need:
            return lang if hits >= s.DOMINANCE * sum(map(s._OTHERS[lang].__contains__, words)) \
                else None
    return None


_SOME_WORDS = ["the", "of", "The", "die", "und", "les", "el", "di", "do", "van", "a", "x",
               "market", "für", "está", "  ", "\t"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_SOME_WORDS), max_size=30).map(" ".join))
def test_one_pass_guess_equals_one_pass_per_language(line):
    from nearcopy.clean.stopwords import _guess
    assert _guess(line) == _guess_by_passes(line)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="aZ1 .-\u00e9\u0416\u4e2d\u05d0\u0627\u03b1\u2019\U0001d400",
                        max_size=12), max_size=6))
def test_script_counts_of_a_document_equal_the_per_character_count(lines):
    from nearcopy.clean.language import script_counts_of, script_of
    scripts, letters = script_counts_of(lines)
    for line, counts, n in zip(lines, scripts, letters):
        expected = {}
        for char in line:
            if char.isalpha():
                script = "latin" if char.isascii() else script_of(char)
                expected[script] = expected.get(script, 0) + 1
        assert {k: v for k, v in counts.items() if v} == expected and n == sum(expected.values())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab A.,_-\u00e9\u00c9\u0130", max_size=12), max_size=6))
def test_loose_keys_are_paragraph_keys_without_spaces(lines):
    from nearcopy.clean.repetition import _loose_keys, paragraph_key
    keys = _loose_keys(lines)
    expected = [paragraph_key(line).replace(" ", "") for line in lines]
    assert [k.decode() if isinstance(k, bytes) else k for k in keys] == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab \t\n\x1f.#", max_size=40))
def test_word_stats_equal_split(text):
    from nearcopy.clean.documents import LineList
    words = text.split()
    assert LineList([text]).word_stats() == (len(words), sum(map(len, words)))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["read more", "Source link", "3 likes", "Share this", "Twitter",
                        "Read also: Markets rally", "More", "Related: the plan"]),
       st.sampled_from(["", " ", "...", ".", " [more]", " x" * 20, " y" * 40]))
def test_start_prefilters_with_length_guards_keep_every_droppable_line(head, tail):
    from nearcopy.clean.base import LineContext
    from nearcopy.clean.line_gate import _prefilter
    from nearcopy.clean.registry import LINE_FILTERS
    line = head + tail
    for cls in LINE_FILTERS:
        rule = cls()
        may_drop = _prefilter([rule])
        if may_drop is not None and not rule.check_line(line, LineContext(0, 1)).keep:
            assert may_drop(line), (rule.name, line)


def test_word_count_after_a_cut_placeholder_counts_words_not_spaces():
    """Cutting "[ad_1]" out of a line leaves two spaces: 49 words stay 49 words."""
    words = ["word"] * 49
    text = " ".join(words[:20] + ["[ad_1]"] + words[20:])
    res = Cleaner(CleanConfig()).clean(Document("d", text))
    assert "  " in res.text
    assert res.dropped is not None and res.dropped["rule"] == "gopher_word_count"
    assert res.dropped["value"] == 49


# --- the compiled per-line scan (scan.py / kernels.py) must equal the Python definitions --

_SCAN_TOKENS = ["the", "of", "and", "The", "OF", "der", "und", "les", "des", "el", "di", "van",
                "het", "do", "em", "sono", "market", "Market", "x", "A", "2015", "(at)", "...",
                " ", "  ", "\t", "\x0b", "\x0c", "\r", "\x1c", "\x1f", "\n", ".", "'s", "-",
                "é", "für", "está", "\u00a0", "\u2028", "\u0130", "\u212a", "中文", "OO\u212a"]


def _check_scan(text):
    from nearcopy.clean.language import _headline_case, script_counts
    from nearcopy.clean.scan import HEADLINE, LANGUAGES, NON_ASCII, scan
    from nearcopy.clean.stopwords import _guess
    letters, words, guesses, flags = scan(text)
    lines = text.split("\n")
    assert len(letters) == len(words) == len(guesses) == len(flags) == len(lines)
    for i, line in enumerate(lines):
        assert bool(flags[i] & NON_ASCII) == (not line.isascii())
        if line.isascii():
            split = line.split()
            assert letters[i] == sum(script_counts(line).values())
            assert words[i] == len(split)
            assert LANGUAGES[guesses[i]] == _guess(line)
            assert bool(flags[i] & HEADLINE) == _headline_case(split)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_SCAN_TOKENS), max_size=80).map(" ".join))
def test_scan_equals_the_python_definitions_per_line(text):
    _check_scan(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_scan_equals_the_python_definitions_on_any_text(text):
    _check_scan(text)


def test_scan_guesses_every_listed_language():
    from nearcopy.clean import stopwords
    from nearcopy.clean.scan import LANGUAGES, scan
    lines = []
    for lang, words in stopwords.FUNCTION_WORDS.items():
        ascii_words = sorted(w for w in words if w.isascii() and
                             not any(w in other for o, other in stopwords.FUNCTION_WORDS.items()
                                     if o != lang))
        lines.append(" ".join(ascii_words[:8]))
    guesses = scan("\n".join(lines))[2]
    assert [LANGUAGES[g] for g in guesses] == list(stopwords.FUNCTION_WORDS)
    _check_scan("\n".join(lines + [line.upper() for line in lines]))


_GATE_TOKENS = ["Home", ">", "<", "<ACN>", "<<", "News", "»", "/", "|", ":", "：", "@", "[", "]", "{", "(at)", ")",
                "...", "…", "】", "→", "By", "by", "Share", "this", "Read", "more", "3", "likes",
                "JavaScript", "Terms", "of", "use", "cookies", "All", "rights", "reserved",
                "Source", "link", "the", "said", "\t", " ", "  ", "\x1c", "é", "\u212a", "ſ",
                "\u0130", "\n", "\r", "2015", "11:33", "x" * 45, "y" * 90]


@settings(max_examples=250, deadline=None)
@given(st.lists(st.sampled_from(_GATE_TOKENS), max_size=40).map(" ".join))
def test_line_gate_lets_through_only_lines_that_fail_every_band_prefilter(text):
    from nearcopy.clean import scan
    from nearcopy.clean.line_gate import LineTriage
    cleaner = Cleaner(CleanConfig())
    gate = cleaner._gate
    triage = LineTriage(cleaner.line_filters)  # (with the band prefilters a gate stands for)
    # a line where "<" comes before ">": the rules that keep it all (breadcrumb) left out
    unbracketed = LineTriage([rule for rule in cleaner.line_filters
                              if not rule.KEEPS_BRACKETED])
    flags = scan.scan(text, gate.tables())[scan.FLAGS]
    judged = scan.NON_ASCII | scan.LITERAL | scan.END
    for flag, line in zip(flags, text.split("\n")):
        assert bool(flag & scan.EMPTY) == (line == "")
        bracketed = "<" in line and ">" in line.split("<", 1)[1]
        bands = unbracketed if bracketed else triage
        if line and not flag & judged and not flag & scan.WORD and not gate.may_start(line):
            band = bands.band(len(line))
            assert not band.any(line), line
        if not flag & (judged | scan.WORD | scan.START | scan.EMPTY):  # (kept at once)
            assert not bands.band(len(line)).any(line), line


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_GATE_TOKENS + ["Home >", "<T>", "> <", "A < B"]),
                max_size=30).map(" ".join))
def test_rules_that_keep_bracketed_lines_keep_them(text):
    """`KEEPS_BRACKETED`: the scan lets such lines past these rules' characters."""
    from nearcopy.clean.base import LineContext
    rules = [rule for rule in Cleaner(CleanConfig()).line_filters if rule.KEEPS_BRACKETED]
    assert rules  # (breadcrumb)
    for line in text.split("\n"):
        if "<" in line and ">" in line.split("<", 1)[1]:
            for rule in rules:
                assert rule.check_line(line, LineContext(0, 1)).keep, line


_WORD_TOKENS = ["JavaScript", "javascript", "JAVASCRIPT", "java", "script", "Lorem", "ipsum",
                "lorem ipsum", "Terms", "of", "use", "uses", "cookies", "Cookie", "policy",
                "Privacy", "All", "rights", "reserved", "(at)", "(AT)", "(a", "t)", "at", "te",
                "co", "us", "x", " ", "  ", "\t", "\x1c", "é", "\u212a", "\u0130", "ſ", "\n",
                ":", "...", "2015"]


def _check_words(text, words):
    """WORD as `word in line.lower()` says, scanning with the short-word pass and with
    it skipped where `short_words_in` allows."""
    from nearcopy.clean import scan
    tables = scan.tables("", (), words)
    data = scan.encode(text)
    short = scan.short_words_in(data, scan.short_word_probes(tables))
    for flags in (scan.scan(text, tables)[scan.FLAGS],
                  scan.scan_document(data, tables, short)[0][scan.FLAGS]):
        for flag, line in zip(flags, text.split("\n")):
            if line.isascii():  # (no LITERAL or END with these tables)
                assert bool(flag & scan.WORD) == any(w in line.lower() for w in words), line


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_WORD_TOKENS), max_size=40).map(" ".join))
def test_scan_flags_word_exactly_when_the_lowered_line_holds_a_gate_word(text):
    _check_words(text, Cleaner(CleanConfig())._gate.words)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.sampled_from("aAbB( )t"), min_size=2, max_size=5), min_size=1,
                max_size=4),
       st.text(st.sampled_from("aAbB( )t\n"), max_size=80))
def test_scan_word_flag_on_any_words(words, text):
    _check_words(text, tuple(words))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.sampled_from("aAbB( )t"), min_size=4, max_size=6), min_size=1,
                max_size=4),
       st.text(st.sampled_from("aAbB( )t\n"), max_size=80))
def test_scan_word_flag_by_trigrams(words, text):
    """Words of four bytes or more are looked for by their three-byte pieces at every
    second byte (`kernels.trigram_word`)."""
    from nearcopy.clean import kernels, scan
    assert scan.tables("", (), tuple(words))[kernels.TRIGRAM_MODE] == 1
    _check_words(text, tuple(words))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.sampled_from("aAbB( )t"), min_size=4, max_size=12), min_size=1,
                max_size=5),
       st.text(st.sampled_from("aAbB( )t\n"), max_size=120))
def test_scan_word_flag_by_long_and_short_pieces(words, text):
    """Long words (LONG_WORD bytes or more) tested every LONG_STRIDE bytes, short ones
    every second byte or not at all (`short_words_in`), in one table."""
    _check_words(text, tuple(words))


def test_short_word_probes():
    from nearcopy.clean import scan
    probes = scan.short_word_probes(scan.tables("", (), ("javascript", "(at)")))
    assert probes == ((b"(", frozenset(b"Aa")),)
    assert scan.short_word_probes(scan.tables("", (), ("javascript",))) == ()
    assert scan.short_word_probes(scan.tables("", (), ("abcd", "(efgh"))) is None
    assert scan.short_word_probes(scan.tables("", (), ("ab",))) is None  # (bigrams)
    assert scan.short_words_in(b"x (At) y", probes) == 1
    assert scan.short_words_in(b"x (bt) (", probes) == 0
    assert scan.short_words_in(b"(b (a", probes) == 1
    assert scan.short_words_in(b"x (bt) y", None) == 1
    assert scan.short_words_in(b"x (at) y", ()) == 0
    assert scan.short_words_in(b"(b" * 16, probes) == 0
    assert scan.short_words_in(b"(b" * 17, probes) == 1  # (the pass instead of more looks)
    two = ((b"(", frozenset(b"a")), (b"[", frozenset(b"a")))
    assert scan.short_words_in(b"(b" * 16 + b"[a", two) == 1
    assert scan.short_words_in(b"(b" * 16 + b"[b", two) == 0
    assert scan.short_words_in(np.frombuffer(b"x (at) y", np.uint8), probes) == 1
    assert scan.short_words_in(np.frombuffer(b"x (bt) y", np.uint8), probes) == 0


def test_scan_finds_a_word_at_any_offset_of_a_line():
    """A word at an even or odd offset, at the line's last bytes, of two bytes or more;
    a long word at every offset from its tested pieces' stride."""
    from nearcopy.clean import kernels, scan
    for words in (("abc",), ("abc", "xyzw"), ("ab",), ("ab", "cde"), ("abcd",),
                  ("abcd", "wxyz12345"), ("terms of use",), ("terms of use", "(at)"),
                  ("all rights reserved", "javascript", "abcdefgh")):
        tables = scan.tables("", (), words)
        for pad in range(kernels.LONG_STRIDE + 3):
            for tail in ("", "q", "qq"):
                for word in words:
                    line = "-" * pad + word.upper() + tail
                    flags = scan.scan(line, tables)[scan.FLAGS]
                    assert flags[0] & scan.WORD, (words, line)
                line = "-" * pad + "b" + tail
                assert not scan.scan(line, tables)[scan.FLAGS][0] & scan.WORD


def test_word_flag_only_for_ascii_lines_without_literal_or_end():
    from nearcopy.clean import scan
    gate = Cleaner(CleanConfig())._gate
    assert gate.scanned
    flags = scan.scan("JavaScript: on\nJavaScript é\nJavaScript off\nno word",
                      gate.tables())[scan.FLAGS]
    assert [bool(f & scan.WORD) for f in flags] == [False, False, True, False]
    assert scan.tables("", (), ("x",)) is None and scan.tables("", (), ("x" * 32,)) is None
    assert scan.tables("", (), ("é",)) is not None  # (left out: in no ASCII line)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_GATE_TOKENS), max_size=40).map(" ".join))
def test_gated_line_rules_equal_the_line_by_line_rules(text):
    from nearcopy.clean.cleaner import CleanResult
    from nearcopy.clean import scan
    from nearcopy.clean.kernels import T_FLAGS
    cleaner = Cleaner(CleanConfig())
    gate = cleaner._gate
    rows, totals = scan.scan_document(scan.encode(text), gate.tables())
    flags = rows[scan.FLAGS]
    lines = text.split("\n")
    fast, slow = CleanResult(text=""), CleanResult(text="")
    assert cleaner._gated_line_rules(lines, flags, fast, totals[T_FLAGS]) == \
        cleaner._line_rules(lines, slow)
    assert (fast.removed_lines, fast.chars_removed) == (slow.removed_lines, slow.chars_removed)


@pytest.mark.parametrize("text", [
    "Wheat prices rose on Monday.\nTraders said: demand <WHT> held.\nThe end.",  # none dropped
    "Wheat prices rose.\n\nTraders said demand held.",  # an empty line
    "Home > News > World\nWheat prices rose.\nSource link",  # lines dropped
    "[ad_1]Wheat prices rose.\nTraders said demand held.",  # a placeholder cut out
    "Home > News\n\nWheat prices rose.\nSource link",  # lines dropped and an empty one
    # a nested placeholder leaves one: that text is not cached, so the line that reads
    # it as it stands is still stripped before it is judged
    "[ad[ad_1]_1]Read more here\n[ad_1]Read more here\nWheat prices rose.",
    "",
])
def test_gated_line_rules_every_kind_of_document(text):
    """The gate's shortcut (no line dropped, none empty: the lines returned as they are)
    and its other ways give what the line-by-line rules give."""
    from nearcopy.clean.cleaner import CleanResult
    from nearcopy.clean import scan
    from nearcopy.clean.kernels import T_FLAGS
    cleaner = Cleaner(CleanConfig())
    rows, totals = scan.scan_document(scan.encode(text), cleaner._gate.tables())
    flags = rows[scan.FLAGS]
    lines = text.split("\n")
    for _ in range(2):  # (the second time from the verdict cache)
        fast, slow = CleanResult(text=""), CleanResult(text="")
        got = cleaner._gated_line_rules(lines, flags, fast, totals[T_FLAGS])
        assert got == cleaner._line_rules(lines, slow)
        assert (fast.removed_lines, fast.chars_removed) == (slow.removed_lines, slow.chars_removed)
        assert got[1] is not lines  # (a new list: the caller's lines are left alone)


def test_no_line_gate_when_a_rule_may_drop_any_line():
    assert Cleaner(CleanConfig(rules={"c4_min_words": {"enabled": True}}))._gate is None
    assert Cleaner(CleanConfig())._gate is not None


_PREFIX_PATTERNS = [r"(?i:ab|c{2,3}d)", r"\d[\d,.]*\s*[kK]?\s+x", r"(?!.{5})a*b", r"[^a]b",
                    r"(?:ab)?c", r".{2}z", r"(?i:^(?:sh|s\s|\|)+$)", r"a{0,2}b+?c",
                    r"(?=ab)a|\bzz", r"(?i:ſh|k)", r"(?:(?!.{4})ab|cd)", r"a(?!.{2})b|z",
                    r"(?:(?!.{3})(?i:s)h*|(?!.{6})zz)|k", r"(?:(?!.{2})a)*b", r"(?!.{3,})ab"]
_PREFIX_TEXT = st.text(alphabet="abcdzkKsShH1,. \t|", max_size=8)


@settings(max_examples=800, deadline=None)
@given(st.sampled_from(_PREFIX_PATTERNS), _PREFIX_TEXT, st.sampled_from([0, 2, 3, 4, 6]))
def test_start_prefixes_hold_the_beginning_of_every_match(pattern, line, min_chars):
    """Also for lines of at least `min_chars` characters, where a match that a length
    cap "(?!.{n})" (n <= min_chars) opens cannot start."""
    import re
    from nearcopy.clean.line_gate import start_prefixes
    short, full = start_prefixes(pattern, min_chars)
    if len(line) >= min_chars and re.match(pattern, line):
        assert line[:3] in full or line[:2] in short or line[:1] in short


def test_start_prefixes_of_long_lines_leave_out_what_only_short_lines_match():
    from nearcopy.clean.line_gate import start_prefixes
    assert start_prefixes(r"(?!.{4})ab", 4) == (frozenset(), frozenset())  # no long match
    assert start_prefixes(r"(?:(?!.{4})ab|cd)", 4) == (frozenset({"cd"}), frozenset())
    assert start_prefixes(r"(?:(?!.{4})ab|cd)", 3) == (frozenset({"ab", "cd"}), frozenset())
    assert start_prefixes(r"x(?!.{4})ab", 9) == (frozenset(), frozenset({"xab"}))  # not at 0
    gate = Cleaner(CleanConfig())._gate
    short, full = gate.prefixes(long=True)
    assert {"By ", "sha", "Rea"} <= full and not {"new", "New", "198", "Com"} & full
    assert {"new", "198", "Com"} <= gate.prefixes()[1]  # "newsletter", counters, "comments"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_GATE_TOKENS[:-12] + ["1,2k", "views", "Views:", "tweet",
                                                      "Related:", "(c)", "copyright", "\u00a9"]),
                max_size=12).map(" ".join))
def test_start_prefixes_of_the_line_rules_hold_every_start_match(line):
    from nearcopy.clean.line_gate import LONG_LINE, start_prefixes
    start = Cleaner(CleanConfig())._gate.start
    for min_chars in (0, LONG_LINE):
        short, full = start_prefixes(start.pattern, min_chars)
        for text in (line, line.strip(), line.lstrip(" "), line + " w" * 40):
            if len(text) >= min_chars and text.isascii() and start.match(text):
                assert text[:3] in full or text[:2] in short or text[:1] in short


def test_start_prefixes_give_up_on_what_they_cannot_bound():
    from nearcopy.clean.line_gate import start_prefixes
    assert start_prefixes("a|b?") is None  # matches the empty string
    assert start_prefixes(r"(a)\1") is None  # a backreference
    assert start_prefixes("(?i:ab)c") == (frozenset(), frozenset({"abc", "aBc", "Abc", "ABc"}))


# --- the mojibake pre-check: False only when ftfy leaves the text as it is ---------------

_MOJIBAKE_TOKENS = ["Ã©", "Ã", "Â", "Â ", "â€™", "â€", "•", "»", "«", "°", "à", "µ", "œ", "Œ9",
                    "ВЂ", "вЂ", "Ø", "Ù", "√", "≈", "‚", "×", "²", "é", "café", "news", " ",
                    "\n", "a", "Z", "9", "—", "’", "\u00a0", "中文", "Привет"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_MOJIBAKE_TOKENS), max_size=30).map("".join))
def test_mojibake_precheck_is_sound_and_its_window_memo_changes_nothing(text):
    import ftfy
    from nearcopy.clean import normalize
    memo = normalize._ftfy_may_change(text)
    saved = set(normalize._GOOD_WINDOWS)
    normalize._GOOD_WINDOWS.clear()
    try:
        assert normalize._ftfy_may_change(text) == memo  # (the same answer, asked afresh)
    finally:
        normalize._GOOD_WINDOWS.update(saved)
    if not memo:
        assert ftfy.fix_text(text, unescape_html=False, fix_latin_ligatures=False,
                             fix_character_width=False, uncurl_quotes=False,
                             fix_line_breaks=False, normalization=None) == text


# --- detect_language's one-script shortcut must equal asking `stray.needs_model` ------

_VOTE_LINES = ["The company said it would raise the dividend for the year.",
               "Die Bundesbank hat am Montag die Zinsen für das Jahr erhöht.",
               "Le gouvernement a annoncé que les prix sont en hausse dans le pays.",
               "Markets rallied sharply today", "Shr 12 cts vs 10 cts", "ATT TO REDEEM ALL NOTES",
               "Net loss 1,841,000 vs profit 983,000 revs 4.5 mln", "x", "", "12 34",
               "Analysts expected stronger quarterly earnings from banks this season",
               "金融 市场 今天 上涨 投资者 关注 央行 政策", "Привет мир как дела сегодня хорошо"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_VOTE_LINES), max_size=12), st.sampled_from([0.5, 0.0]),
       st.sampled_from([2, 0, 30]))
def test_detect_language_one_script_shortcut_equals_needs_model(lines, ratio, min_letters):
    from nearcopy.clean.language import StrayLanguageFilter, detect_language, script_counts_of
    from nearcopy.clean.stopwords import guess_language
    stray = StrayLanguageFilter(min_script_ratio=ratio, min_letters=min_letters)
    scripts, letters = script_counts_of(lines)
    guesses = [guess_language(line) for line in lines]
    may_flag = [stray._model_may_flag(line) if k % 2 else None for k, line in enumerate(lines)]
    fast = detect_language(lines, scripts, letters, stray, guesses, may_flag)
    assert fast == detect_language(lines, scripts, letters, stray, guesses, None)
    assert fast == detect_language(lines, scripts, letters, stray, None, None)


def test_mojibake_precheck_one_class_is_the_union_of_its_two():
    import pytest
    from nearcopy.clean import normalize
    acted_on, marks, _ = normalize._ftfy_tables()
    if marks is None:
        pytest.skip("another ftfy version: the pre-check always runs ftfy")
    either, acted = normalize._ftfy_either()
    for c in map(chr, [*range(0x10000), 0x1F600, 0x10FFFF]):
        in_acted = acted_on.fullmatch(c) is not None
        assert (c in acted) == in_acted, hex(ord(c))
        assert (either.fullmatch(c) is not None) == (in_acted or marks.fullmatch(c) is not None)


# --- the ASCII documents' language vote must equal detect_language + stray_lines ------

_LATIN_LINES = ["The company said it would raise the dividend for the year.",
                "Die Bundesbank hat am Montag die Zinsen fur das ganze Jahr deutlich erhoht.",
                "Le gouvernement a annonce que les prix sont en hausse dans le pays.",
                "El presidente del banco dijo que la inflacion seguira alta todo el ano.",
                "Markets rallied sharply today", "Shr 12 cts vs 10 cts", "ATT TO REDEEM ALL NOTES",
                "Net loss 1,841,000 vs profit 983,000 revs 4.5 mln", "x", "", "12 34", "Ok",
                "Analysts expected stronger quarterly earnings from banks this season",
                "Vandaag heeft de regering besloten om nieuwe regels in te voeren voor huizen",
                "Il ministro ha detto che il governo interviene per sostenere le famiglie"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_LATIN_LINES), max_size=12), st.sampled_from([2, 0, 30]),
       st.sampled_from([6, 0, 12]), st.sampled_from([0.85, 0.3]))
def test_latin_languages_equal_detect_language_then_stray_lines(lines, min_letters, min_words,
                                                                 confidence):
    from nearcopy.clean.language import (StrayLanguageFilter, detect_language, latin_languages,
                                         script_counts_of)
    from nearcopy.clean.stopwords import guess_language
    stray = StrayLanguageFilter(min_letters=min_letters, min_words=min_words,
                                min_confidence=confidence)
    scripts, letters = script_counts_of(lines)
    guesses = [guess_language(line) for line in lines]
    may_flag = [stray._model_may_flag(line) for line in lines]
    main, main_script, preds = detect_language(lines, scripts, letters, stray, guesses, None)
    expected = (main, stray.stray_lines(lines, preds, scripts, letters, main, main_script)
                if main is not None else [])
    assert latin_languages(lines, letters, guesses, may_flag, stray) == expected


# --- the per-length bands and per-rule guards must equal running every rule in order ----

_RULE_TOKENS = _GATE_TOKENS + ["•", "·", "-", "[详细]", "[more]", "(at)", "[email protected]",
                               "Source:", "来源：", "2011年05月31日", "Главная", "首页", "Follow us",
                               "We use cookies", "Related:", "Read more", "ad", "Email", "Print",
                               "Copyright", "©", "Write to", "jane@example.com", "BY", "Views"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_RULE_TOKENS), max_size=14).map(" ".join),
       st.sampled_from(["", " ", "  "]))
def test_first_failure_equals_every_rule_in_order(line, pad):
    from nearcopy.clean.base import LineContext
    cleaner = Cleaner(CleanConfig())
    line = (pad + line).replace("\n", " ")
    expected = None
    for rule in cleaner.line_filters:
        cap = rule.line_cap()
        if cap is not None and len(line) > cap:  # the rule does not judge lines this long
            continue
        verdict = rule.check_line(line, LineContext(0, 1))
        if not verdict.keep:
            expected = verdict
            break
    assert cleaner._first_failure(line, 0, 1) == expected



# --- the compiled scan, numba's JIT fallback and the kernel's Python code agree ----------

@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(_SCAN_TOKENS + _GATE_TOKENS), max_size=60).map(" ".join))
def test_line_stats_compiled_jit_and_python_agree(text):
    from nearcopy.clean import kernels, scan
    from nearcopy.native import jit
    tables = Cleaner(CleanConfig())._gate.tables()
    buf = np.frombuffer(scan.encode(text), dtype=np.uint8)
    compiled = scan.scan_document(scan.encode(text), tables)

    compiled = (*compiled, bytes(scan._SCRATCH.kept[:compiled[1][kernels.T_KEPT_BYTES]]))

    def scanned(line_stats):
        out = np.zeros((kernels.ROWS, len(compiled[0][0]) + 3), np.int64)
        sums = np.zeros(kernels.TOTALS, np.int64)
        kept = np.zeros(buf.shape[0], np.uint8)
        lines = line_stats(buf, tables, scan._MIN_SHARE, scan._HEADLINE_SHARE, 1, out, sums,
                           kept)
        return out[:, :lines].tolist(), sums.tolist(), bytes(kept[:sums[kernels.T_KEPT_BYTES]])
    assert scanned(jit.dispatcher(kernels.line_stats)) == compiled
    assert scanned(kernels.line_stats.py_func) == compiled


def test_scan_document_grows_its_scratch_for_a_long_document():
    """The compiled scan writes into a reused array; a document with more lines than it
    has columns gets a larger one (kept up to `_SCRATCH_MAX_COLUMNS`), and the result
    is the same as a fresh array's."""
    from nearcopy.clean import kernels, scan
    tables = Cleaner(CleanConfig())._gate.tables()
    for lines in (1, 3, scan._SCRATCH_COLUMNS - 1, scan._SCRATCH_COLUMNS,
                  scan._SCRATCH_COLUMNS + 5, 3):
        text = "\n".join(f"Line {k} of the text, said the man." for k in range(lines))
        rows, totals = scan.scan_document(scan.encode(text), tables)
        assert len(rows) == kernels.ROWS and all(len(row) == lines for row in rows)
        out, sums = np.empty((kernels.ROWS, lines), np.int64), np.empty(kernels.TOTALS, np.int64)
        kept = np.empty(len(text), np.uint8)
        assert scan._bind()(np.frombuffer(scan.encode(text), np.uint8), tables,
                            scan._MIN_SHARE, scan._HEADLINE_SHARE, 1, out, sums, kept) == lines
        assert out.tolist() == rows and sums.tolist() == totals
        assert bytes(kept[:totals[kernels.T_KEPT_BYTES]]) == text.encode()
    small, sums = np.empty((kernels.ROWS, 2), np.int64), np.empty(kernels.TOTALS, np.int64)
    kept = np.empty(8, np.uint8)
    assert scan._bind()(np.frombuffer(b"a\nb\nc", np.uint8), tables, scan._MIN_SHARE,
                        scan._HEADLINE_SHARE, 1, small, sums, kept) == -3
    short = np.empty(kernels.TOTALS - 1, np.int64)  # (too few sums: nothing written)
    assert scan._bind()(np.frombuffer(b"a\nb", np.uint8), tables, scan._MIN_SHARE,
                        scan._HEADLINE_SHARE, 1, small, short, kept) == 0


def test_a_too_small_array_gets_the_count_of_all_lines():
    """The scan counts lines only when `out` runs out of columns (or has too few rows): it
    returns minus all of them, wherever the overflow comes, in every way the kernel runs."""
    from nearcopy.clean import kernels, scan
    from nearcopy.native import jit
    tables = Cleaner(CleanConfig())._gate.tables()
    sums, kept = np.empty(kernels.TOTALS, np.int64), np.empty(64, np.uint8)
    for line_stats in (scan._bind(), jit.dispatcher(kernels.line_stats),
                       kernels.line_stats.py_func):
        for text, columns, expected in ((b"", 0, -1), (b"a", 0, -1), (b"a\n", 1, -2),
                                        (b"a\n\n\nb c\n", 2, -5), (b"\n\n", 2, -3),
                                        (b"a\n\n\nb c\n", 5, 5), (b"\n\n", 3, 3)):
            out = np.empty((kernels.ROWS, columns), np.int64)
            assert line_stats(np.frombuffer(text, np.uint8), tables, scan._MIN_SHARE,
                              scan._HEADLINE_SHARE, 1, out, sums, kept) == expected, text
        rows = np.empty((kernels.ROWS - 1, 8), np.int64)  # (a row short)
        assert line_stats(np.frombuffer(b"a\nb", np.uint8), tables, scan._MIN_SHARE,
                          scan._HEADLINE_SHARE, 1, rows, sums, kept) == -2


def test_the_kernels_python_copies_the_lines_after_an_empty_one():
    """The kernel's Python code (the definition the tests compare with) copies a line
    that follows an empty one to where the copy has reached (no negative offset)."""
    from nearcopy.clean import kernels, scan
    tables = Cleaner(CleanConfig())._gate.tables()
    text = b"Alpha beta\n\n\nGamma\n\ndelta"
    out, sums = np.zeros((kernels.ROWS, 8), np.int64), np.zeros(kernels.TOTALS, np.int64)
    kept = np.zeros(len(text), np.uint8)
    assert kernels.line_stats.py_func(np.frombuffer(text, np.uint8), tables, scan._MIN_SHARE,
                                      scan._HEADLINE_SHARE, 1, out, sums, kept) == 6
    assert bytes(kept[:sums[kernels.T_KEPT_BYTES]]) == b"Alpha beta\nGamma\ndelta"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["", "", "a", "Ab c", " ", "\t", "x.", "caf\u00e9"]),
                max_size=12).map("\n".join))
def test_the_scan_copies_the_non_empty_lines(text):
    """`kept_text` is the text without its empty lines ("\\n".join of the others), for
    any text whose bytes are ASCII; a document longer than the scratch is not copied."""
    from nearcopy.clean import kernels, scan
    tables = Cleaner(CleanConfig())._scan_tables()
    data = scan.encode(text)
    _, lines, totals = scan.scan_view(data, tables)
    assert lines == text.count("\n") + 1
    expected = "\n".join(filter(None, text.split("\n")))
    assert bytes(scan._SCRATCH.kept[:totals[kernels.T_KEPT_BYTES]]) == expected.encode()
    if text.isascii():
        assert scan.kept_text(totals) == expected


def test_a_document_longer_than_the_scratch_is_not_copied(monkeypatch):
    from nearcopy.clean import kernels, scan
    tables = Cleaner(CleanConfig())._scan_tables()
    lines = [f"The man said that line {k} was the one he wanted to keep." for k in range(50)]
    text = "\n\n".join(lines)
    scan.scan_view(b"warm", tables)  # (the scratch exists)
    monkeypatch.setattr(scan, "_SCRATCH_MAX_BYTES", 16)
    monkeypatch.setattr(scan._SCRATCH, "kept", np.empty(16, np.uint8))
    _, _, totals = scan.scan_view(scan.encode(text), tables)
    assert totals[kernels.T_KEPT_BYTES] == -1 and scan.kept_text(totals) is None
    res = Cleaner(CleanConfig()).clean(Document("d", text))
    assert res.text == "\n".join(lines) and res.dropped is None


def test_scan_counts_the_lines_with_a_template_key():
    """T_TEMPLATES is how many lines have a TEMPLATE key (0: the cleaner reads no row)."""
    from nearcopy.clean import kernels, scan
    tables = Cleaner(CleanConfig())._scan_tables()
    for text in ("Home | News | Sport\nThe minister said on Monday that it was done.\n"
                 "Share on Facebook\n\nHome | News | Sport", "The end of it all.", "", "\n"):
        rows, totals = scan.scan_document(scan.encode(text), tables)
        assert totals[kernels.T_TEMPLATES] == sum(key != 0 for key in rows[kernels.TEMPLATE])
    rows, totals = scan.scan_document(scan.encode("Home | News | Sport\nMore | Less"), tables)
    assert totals[kernels.T_TEMPLATES] == 2


@settings(max_examples=250, deadline=None)
@given(st.lists(st.sampled_from(_GATE_TOKENS + ["z" * 150, "w" * 300, "[ad_1]", "{ads}"]),
                max_size=30).map(" ".join))
def test_scan_flags_literal_only_within_each_characters_cap(text):
    from nearcopy.clean import scan
    gate = Cleaner(CleanConfig())._gate
    flags = scan.scan(text, gate.tables())[scan.FLAGS]
    for flag, line in zip(flags, text.split("\n")):
        if line.isascii():
            lower = line.lower()
            bracketed = "<" in line and ">" in line.split("<", 1)[1]
            caps = gate.bracketed_caps if bracketed else gate.caps
            expected = any(char in lower and len(line) <= cap
                           for char, cap in zip(gate.chars, caps))
            assert bool(flag & scan.LITERAL) == expected, line


@settings(max_examples=250, deadline=None)
@given(st.lists(st.sampled_from(_GATE_TOKENS[:-12] + ["1,2k", "views", "Views:", "tweet",
                                                      "Related:", "(c)", "copyright", "ad",
                                                      "AD", "\t", "|", ",", "\x0b"]),
                max_size=6).map("".join))
def test_scan_flags_start_on_every_line_the_start_prefixes_hold(text):
    """... the prefixes of long lines' matches on lines of LONG_LINE characters or more."""
    from nearcopy.clean import scan
    from nearcopy.clean.line_gate import LONG_LINE
    gate = Cleaner(CleanConfig())._gate
    text = "\n".join((text, text + " w" * 40, text.replace(" ", "\n")))
    flags = scan.scan(text, gate.tables())[scan.FLAGS]
    for flag, line in zip(flags, text.split("\n")):
        short, full = gate.prefixes(len(line) >= LONG_LINE)
        if line.isascii() and (line[:3] in full or line[:2] in short or line[:1] in short):
            assert flag & scan.START, line
    assert not scan.scan(text)[scan.FLAGS][0] & scan.START  # (no prefixes: never)
    anywhere = scan.tables(starts=None)
    assert all(f & scan.START for f, line in zip(scan.scan(text, anywhere)[scan.FLAGS],
                                                 text.split("\n")) if line and line.isascii())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["\x00the", "\x00of", "\x00and", "\x00in", "\x00\x00to", "the",
                                 "of", "market", "bank", "said", "x", "\x7fthe", "the\x00"]),
                max_size=40).map(" ".join))
def test_scan_function_words_are_whole_words_even_with_nul_bytes(text):
    """A word's key marks every byte (`scan._pack_word`): "\\x00the" is not "the"."""
    _check_scan(text)


def test_second_pass_strips_only_the_documents_holding_a_template_line(tmp_path, monkeypatch):
    """Pass 2 copies the unchanged records in blocks and rewrites the others: the same
    bytes by both reading paths (a worker per byte range, and documents one by one)."""
    import orjson

    from nearcopy.clean.corpus import CorpusFiles, clean_corpus
    from nearcopy.io.base import SkipCounter
    from nearcopy.pipeline import ranges
    monkeypatch.setattr(ranges, "CLEAN_CHUNK_BYTES", 4096)  # many ranges, several records each
    docs = []
    for i in range(90):
        body = " ".join(f"The council met on day {i} and said the plan for road {j} was "
                        "approved." for j in range(4))
        template = "Tune in to Radio Local every morning at seven\n" if i % 3 == 0 else ""
        docs.append({"id": f"d{i}", "text": ("Too short." if i % 10 == 7 else
                                             f"{template}{body}")})
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    outs = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        files = CorpusFiles([corpus], {"id_field": "id", "text_field": "text"}, SkipCounter())
        source = files if workers > 1 else iter(Document(d["id"], d["text"]) for d in docs)
        summary = clean_corpus(source, out, CleanConfig(), workers=workers)
        assert summary["rules"]["corpus_boilerplate"]["lines_removed"] == 27
        outs.append((out / "kept.jsonl").read_bytes())
    assert outs[0] == outs[1]
    kept = [orjson.loads(line) for line in outs[0].splitlines()]
    assert len(kept) == 81 and not any("Radio Local" in r["text"] for r in kept)
    stripped = [r["id"] for r in kept if any(e["rule"] == "corpus_boilerplate"
                                             for e in r["removed_lines"])]
    assert stripped == [f"d{i}" for i in range(90) if i % 3 == 0 and i % 10 != 7]


def test_kept_file_is_the_pass_one_file_when_no_document_changes(tmp_path, monkeypatch):
    """Without a boilerplate line to strip, pass 1's file becomes kept.jsonl (its writeback
    started as it was written): the same bytes as the copy pass 2 makes, the outputs'
    file mode, no temporary file left, and an earlier kept.jsonl replaced."""
    import os

    import orjson

    from nearcopy.clean import corpus as corpus_module
    from nearcopy.clean.corpus import CorpusFiles, clean_corpus
    from nearcopy.io.base import FILE_MODE, SkipCounter
    from nearcopy.pipeline import ranges
    monkeypatch.setattr(ranges, "CLEAN_CHUNK_BYTES", 4096)
    monkeypatch.setattr(corpus_module, "WRITEBACK_BYTES", 2048)  # several writeback runs
    docs = [{"id": f"d{i}", "text": " ".join(f"The council met on day {i} and said the plan "
                                              f"for road {j} was approved." for j in range(4))}
            for i in range(60)]
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_bytes(b"".join(orjson.dumps(d) + b"\n" for d in docs))
    outs = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        out.mkdir()
        (out / "kept.jsonl").write_text("an older run\n")
        files = CorpusFiles([corpus], {"id_field": "id", "text_field": "text"}, SkipCounter())
        source = files if workers > 1 else iter(Document(d["id"], d["text"]) for d in docs)
        summary = clean_corpus(source, out, CleanConfig(), workers=workers)
        assert summary["rules"]["corpus_boilerplate"]["lines_removed"] == 0
        kept = out / "kept.jsonl"
        assert os.stat(kept).st_mode & 0o777 == FILE_MODE
        assert sorted(p.name for p in out.iterdir()) == ["clean_config.json", "dropped.jsonl",
                                                         "kept.jsonl", "stats.json"]
        outs.append(kept.read_bytes())
    assert outs[0] == outs[1]
    assert [orjson.loads(line)["id"] for line in outs[0].splitlines()] == [d["id"] for d in docs]


_FUNCTION_WORDS = ["the", "and", "of", "der", "und", "die", "le", "les", "et", "el", "los",
                   "il", "che", "os", "het", "een", "de", "a", "in", "is", "zu", "y", "e"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_FUNCTION_WORDS + ["Bank", "rates", "x1", "--"]),
                         max_size=30).map(" ".join), min_size=1, max_size=6))
def test_scan_guess_equals_guess_language_on_ascii_lines(lines):
    from nearcopy.clean.scan import GUESS, LANGUAGES, scan_rows, encode
    guesses = scan_rows(encode("\n".join(lines)))[GUESS]
    assert [LANGUAGES[k] for k in guesses] == [guess_language(line) for line in lines]


def test_scan_guess_counts_a_line_of_more_function_words_than_a_lane_holds():
    """A word's counts are added in 16-bit lanes; a line of over 65,535 function words
    still counts them all (a lane that wrapped round would leave too few to guess)."""
    from nearcopy.clean.scan import GUESS, LANGUAGES, scan_rows, encode
    for line, language in (("der und " * 70_000, "de"), ("the " * 100 + "der und " * 70_000, "de"),
                           ("the and of " * 30_000, "en"), ("x " * 10 + "the " * 66_000, "en"),
                           ("the " * 70_000 + "der und " * 70_000, None)):
        assert guess_language(line) == language
        assert LANGUAGES[scan_rows(encode(line))[GUESS][0]] == language


# --- a document finished from the scan's sums equals the line-by-line way ---------------

_SETTLED_LINES = ["The company said it would raise the dividend for the year and the next.",
                  "Markets rallied sharply today", "Shr 12 cts vs 10 cts", "", "", "x",
                  "Die Bundesbank hat am Montag die Zinsen fur das ganze Jahr deutlich erhoht.",
                  "It was the first rise in the price of the shares since the war began.",
                  "THE BANK SAID IT WAS THE END OF THE YEAR FOR THE MARKET",
                  "the of and to in is was for on that by with as at from",
                  "Analysts expected stronger quarterly earnings from banks this season",
                  "# 1 ... - * The end of it...", "- a list item of the kind in the text",
                  "Net loss 1,841,000 vs profit 983,000 revs 4.5 mln",
                  "He said: the market is open.", "Home > News", "word " * 60,
                  # (start prefixes: a byline and a share line are dropped, the others kept)
                  "By Jane Doe", "We use cookies to improve your experience",
                  "By the time the market closed the shares of the company were up",
                  "This is the end of the story for the company and the year",
                  ("By the end of the year the company said the price of the shares " * 3).strip(),
                  # (no function word: lines the stray rule asks the model about)
                  "Analysts expected stronger quarterly earnings growth across major banks",
                  "Bonjour mesdames messieurs bienvenue chez nous aujourd hui"]


#: lines the gate asks nothing about (most documents made of them reach the sums)
_PLAIN_LINES = [line for line in _SETTLED_LINES if not set(line) & set(":>#.")]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(_SETTLED_LINES), max_size=30).map("\n".join)
       | st.tuples(st.lists(st.sampled_from(_PLAIN_LINES), min_size=1, unique=True),
                   st.sampled_from(["\n", "\n\n"])).map(lambda pair: pair[1].join(pair[0])),
       st.sampled_from([{}, {"repeated_paragraph": {"enabled": False}},
                        {"corpus_boilerplate": {"enabled": False}},
                        {"gopher_word_count": {"min_words": 5}}]))
def test_a_document_settled_from_the_sums_is_cleaned_as_line_by_line(text, rules):
    """`Cleaner._settled_document` (documents the gate asks nothing about, their language
    settled by the sums, no two lines alike) gives the slow way's result field by field."""
    from dataclasses import asdict
    quick, slow = Cleaner(CleanConfig(rules=rules)), Cleaner(CleanConfig(rules=rules))
    assert quick._settles
    slow._settles = False
    doc = Document("d", text)
    assert asdict(quick.clean(doc)) == asdict(slow.clean(doc))


def test_the_sums_settle_plain_prose_and_leave_the_rest():
    cleaner = Cleaner(CleanConfig())
    calls = []
    settle = cleaner._settled_document
    cleaner._settled_document = lambda *args: calls.append(settle(*args)) or calls[-1]
    prose = "\n\n".join(["It was the first rise in the price of the shares since the war."] * 1
                        + ["The company said it would raise the dividend for the year."])
    cleaner.clean(Document("a", prose))
    cleaner.clean(Document("b", "Home > News > World\n" + prose))  # (a line asked about)
    assert calls == [True]
    # a start prefix ("By ") that begins no start-pattern match: still settled, twice
    # (the second time from the verdict cache); a byline is left to the rules
    long_by = "By the end of the year the company said the shares would rise in price " * 3
    for text in (long_by + "\n" + prose, long_by + "\n" + prose, "By Jane Doe\n" + prose):
        res = cleaner.clean(Document("c", text))
    assert calls == [True, True, True, False]
    assert [line["rule"] for line in res.removed_lines] == ["stamp_line"]
    # a line without a function word: the model's answer settles it (English), or not
    res = cleaner.clean(Document("e", "Analysts expected stronger quarterly earnings growth "
                                      "across major banks\n" + prose))
    assert calls[-1] is True and res.language == "en" and not res.removed_lines


def _steps_in_a_loop(steps, line, ctx):
    """What `line_gate.chain_of` makes of the steps, as a loop over them."""
    from nearcopy.clean.line_gate import may_begin
    lower, stripped = line.lower(), line.rstrip()
    for check, literals, ends, starts in steps:
        if literals is not None and not (ends and stripped.endswith(ends)):
            if not any(literal in lower for literal in literals) and \
                    (starts is None or not may_begin(line, starts)):
                continue
        verdict = check(line, ctx)
        if not verdict.keep:
            return verdict
    return None


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_GATE_TOKENS + ["•", "[详细]", "[more]", "Home", "»", "..."]),
                max_size=16).map(" ".join),
       st.sampled_from([{}, {"c4_min_words": {"enabled": True}},
                        {"breadcrumb": {"enabled": False}}]))
def test_each_bands_chain_is_its_steps_in_order(line, rules):
    """Every length band's generated chain (ASCII and other lines) gives the verdict of
    its steps run one by one, each behind its guard."""
    from nearcopy.clean.base import LineContext
    cleaner = Cleaner(CleanConfig(rules=rules))
    ctx = LineContext(0, 1)
    for band in cleaner._triage.bands:
        for chain, steps in ((band.first, band.steps), (band.ascii_first, band.ascii_steps)):
            if chain is band.ascii_first and not line.isascii():
                continue
            assert chain(line, line.lower(), line.rstrip(), ctx) == \
                _steps_in_a_loop(steps, line, ctx)
