"""The line rules' shortcuts must never change a verdict: the prefilters and guards in
front of the rules, the cached verdicts settled without `_judge`, and the rules' own
shortcuts (each against the rule as first written)."""

from __future__ import annotations

from dataclasses import asdict

from hypothesis import given, settings, strategies as st

from nearcopy.clean import CleanConfig, Cleaner
from nearcopy.clean.base import LineContext
from nearcopy.document import Document

_LINE_TOKENS = ["Read", "more:", "Also", "read", "-", "Home", ">", ">>", "News", "»", "/", "|", ":", "：", "@", "[", "]", "{", "}",
                "(at)", "(", ")", "...", "…", "】", "→", "By", "by", "Share", "this", "Read",
                "more", "3", "likes", "JavaScript", "Terms", "of", "use", "cookies", "All",
                "rights", "reserved", "Source", "link", "the", "said", "•", "-", "[详细]",
                "[Подробнее]", "[leer más]", "来源:", "发布时间:", "2015-06-02", "11:33",
                "Write", "to", "jane@example.com", "[email protected]", "é", "\u212a", "ſ",
                "\u0130", "x" * 45, "y" * 90, "Lorem", "ipsum", "Privacy", "Policy"]
_PLACEHOLDER_TOKENS = ["[ad_1]", "[AD_2]", "[ads]", "[/ads]", "{ad}", "{ADS}", "[adsense]",
                       "[advert]", "[sponsored]", "[ſponsored]", "[Sponsored]", "[a", "[/",
                       "[s", "{a", "[", "{", "]", "}", "ad", " ", "\t", "x", "[详细]"]


def _first_rule_that_drops(cleaner: Cleaner, line: str):
    """The definition: every line rule in order that judges lines this long (`line_cap`),
    without prefilters or guards."""
    ctx = LineContext(0, 1)
    for rule in cleaner.line_filters:
        cap = rule.line_cap()
        if cap is not None and len(line) > cap:
            continue
        verdict = rule.check_line(line, ctx)
        if not verdict.keep:
            return verdict
    return None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_LINE_TOKENS), min_size=1, max_size=30).map(" ".join))
def test_first_failure_equals_every_rule_in_order(line):
    cleaner = Cleaner(CleanConfig())
    assert cleaner._first_failure(line, 0, 1) == _first_rule_that_drops(cleaner, line)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_LINE_TOKENS + _PLACEHOLDER_TOKENS), max_size=12)
                .map(" ".join), min_size=1, max_size=8).map("\n".join))
def test_cached_verdicts_settle_lines_as_the_rules_do(text):
    warm = Cleaner(CleanConfig())
    for line in text.split("\n"):  # (each line's verdict cached)
        warm.clean(Document("w", line))
    uncached = Cleaner(CleanConfig())
    uncached._verdicts = None
    assert asdict(warm.clean(Document("d", text))) == asdict(
        uncached.clean(Document("d", text)))


def _stamp_definition(rule, line: str):
    """StampLineFilter as first written: each regex scans the whole line on its own."""
    from nearcopy.clean import chrome
    from nearcopy.clean.base import KEEP, Verdict
    if len(line) > rule.max_chars:
        return KEEP
    if ":" not in line and "：" not in line:
        return chrome._drop_byline(rule, line) if line[:2].lower() == "by" else KEEP
    labelled = chrome._STAMP_LABEL.search(line) is not None
    dated = chrome._NUMERIC_DATE.search(line) is not None
    timed = chrome._TIME.search(line) is not None
    if not (labelled or (dated and timed)):
        return chrome._drop_byline(rule, line)
    rest = chrome._STAMP_JUNK.sub(" ", chrome._DATE.sub(" ", chrome._STAMP_LABEL.sub(" ", line)))
    words = rest.split()
    if len(words) <= rule.max_rest_words and not rest.rstrip().endswith(chrome._TERMINAL):
        return Verdict(False, rule.name, len(words))
    return KEEP


_STAMP_TOKENS = ["Source:", "source :", "SOURCE", "来源：", "发布时间:", "Posted on:", "By", "by",
                 "Jane", "Doe", "|", "·", "02.06.2015", "2015-06-02", "11:33", "1:05", "pm",
                 "2018年05月16日", ":", "：", "said", "the", "plan.", "ſource:", "Date:", "x" * 40]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_STAMP_TOKENS), max_size=14).map(" ".join),
       st.integers(min_value=0, max_value=8))
def test_stamp_line_equals_its_definition(line, max_rest_words):
    from nearcopy.clean.chrome import StampLineFilter
    rule = StampLineFilter(max_rest_words=max_rest_words)
    assert rule.check_line(line, LineContext(0, 1)) == _stamp_definition(rule, line)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from([">", ">>", "<", "<<", "»", "›", "→", "‹", "/", "|", "\\", ":",
                                 "::", " ", "\t", "\u3000", "\xa0", "\x1c", "a", "News"]),
                max_size=10).map("".join))
def test_crumb_separator_test_finds_every_separator(text):
    from nearcopy.clean.chrome import _CRUMB_SEP, _CRUMB_SEP_AT
    assert (_CRUMB_SEP_AT.search(text) is None) == (_CRUMB_SEP.search(text) is None)


def _teaser_definition(rule, line: str):
    from nearcopy.clean import chrome
    from nearcopy.clean.base import KEEP
    tail = line[-40:]
    if not chrome._TEASER_END.search(tail) or len(line.split()) > rule.max_words:
        return KEEP
    if chrome._BULLET.match(line) or chrome._BRACKET_END.search(tail):
        return rule.drop
    return KEEP


_TEASER_TOKENS = ["•", "-", "1.", "Headline", "words", "cut", "...", "…", "[", "]", "(", ")",
                  "【", "】", "详细", "more", "MORE", "Read more", "leer más", "Подробнее",
                  "click here", "click here to see all", "»", ">>", ">", "→", " ", "\t",
                  "\u3000", "\n", "x" * 30, "[详细]", "(more)", "【全文】", "[[more]", "ſource"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_TEASER_TOKENS), max_size=14).map(
    lambda tokens: "".join(tokens)), st.integers(min_value=1, max_value=12))
def test_teaser_list_equals_its_definition(line, max_words):
    from nearcopy.clean.chrome import TeaserListFilter
    rule = TeaserListFilter(max_words=max_words)
    assert rule.check_line(line, LineContext(0, 1)) == _teaser_definition(rule, line)
