"""More line-rule shortcuts pinned to their definitions: the breadcrumb rule's early
exit, the teaser rule's remembered markers, the per-rule `GUARD` literals and the flat
per-band steps of `Cleaner._first_failure`."""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings, strategies as st

from nearcopy.clean import CleanConfig, Cleaner, chrome
from nearcopy.clean.base import KEEP, LineContext, Verdict
from nearcopy.clean.registry import LINE_FILTERS

_CTX = LineContext(0, 1)


def _breadcrumb_definition(rule, line: str):
    """BreadcrumbFilter as first written: every segment looked at before the kind of trail."""
    if chrome._CRUMB_CHARS.isdisjoint(line):
        return KEEP
    if len(line) > rule.max_chars or "<" in line and ">" in line.split("<", 1)[1]:
        return KEEP
    body = chrome._CRUMB_LABEL.sub("", line)
    if chrome._CRUMB_SEP.search(body) is None:
        return KEEP
    labelled = body != line
    parts = [p.strip() for p in chrome._CRUMB_SEP.split(body)]
    segments = [p for p in parts if p]
    if len(parts) < 2 or not segments:
        return KEEP
    seps = len(parts) - 1
    last_is_title = (seps >= 2 or chrome._HOME.match(segments[0])) and \
        chrome._TRUNCATED.search(segments[-1]) is not None and len(segments[-1].split()) <= 14
    for seg in segments[:-1] if last_is_title else segments:
        if len(seg.split()) > rule.max_segment_words or seg.endswith(chrome._TERMINAL) \
                or not any(c.isalpha() for c in seg) or len(seg) > 40:
            return KEEP
    if seps >= 2 or labelled or chrome._HOME.match(segments[0]):
        return Verdict(False, rule.name, len(segments))
    return KEEP


_CRUMB_TOKENS = ["Home", "home", "首页", "Главная", "News", "World", "Storm hits coast", "...",
                 "…", ">", ">>", "»", "|", "/", "::", "<", "<ACN>", "You are here:", "位置：",
                 "Опубликовано:", "2017-08-02", "05:27", "Fuente:", "said.", "1", "a b c d e",
                 "x" * 41, " ", ""]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_CRUMB_TOKENS), max_size=10).map(" ".join),
       st.integers(min_value=0, max_value=5))
def test_breadcrumb_equals_its_definition(line, max_segment_words):
    rule = chrome.BreadcrumbFilter(max_segment_words=max_segment_words)
    assert rule.check_line(line, _CTX) == _breadcrumb_definition(rule, line)


_MARKER_TOKENS = ["[详细]", "[Подробнее]", "[leer más]", "(more)", "【全文】", "[more)", "(详细】",
                  "[not a marker]", "(Reuters)", "[", "(", "【", "]", ")", "】", "MORE", "x",
                  "[click here to read]", "ſource link", "[ſource]", " ", "..."]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_MARKER_TOKENS), min_size=1, max_size=8).map("".join),
       st.integers(min_value=1, max_value=3))
def test_remembered_markers_answer_as_the_marker_regex(tail, kept):
    """Whatever is remembered (and however often the memo is cleared), the answer is the
    regexes' for a tail ending in a closing bracket."""
    tail = tail[-40:]
    if not tail.endswith(chrome._CLOSERS):
        return
    old = chrome._MARKERS_KEPT
    chrome._MARKERS_KEPT = kept
    try:
        for _ in range(2):  # (the second time from the memo)
            assert chrome._ends_with_marker(tail) == (chrome._TEASER_END.search(tail) is not None)
    finally:
        chrome._MARKERS_KEPT = old


# --- GUARD: a necessary condition of each rule that declares one -------------------------

_GUARD_TOKENS = ["[email protected]", "[EMAIL PROTECTED]", "[EMAİL PROTECTED]", "[emaıl protected]",
                 "[ email&#160;protected ]", "[at]", "[AT]", "(at)", "(At)", "[dot]", "[DOT]",
                 "name", "site", "com", "By", "BY", "bY", "by", "Jane", "Doe", "|", ":", "：",
                 "Source:", "来源：", "11:33", "2015-06-02", "said.", "[", "]", "(", ")", "ſ",
                 "K", "x" * 30]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_GUARD_TOKENS), max_size=10).map(" ".join),
       st.sampled_from(["", " ", "  "]))
def test_a_rule_drops_only_lines_its_guard_lets_through(line, pad):
    line = pad + line
    lower, stripped = line.lower(), line.rstrip()
    for cls in LINE_FILTERS:
        if cls.GUARD is None:
            continue
        rule = cls()
        if not rule.check_line(line, _CTX).keep:
            assert any(lit in lower for lit in cls.GUARD) or \
                stripped.endswith(tuple(cls.MAY_DROP_AT_END)), (cls.name, line)


def test_guard_literals_hold_no_letter_that_ignorecase_folds_from_elsewhere():
    """sre's IGNORECASE matches a few characters to an ASCII letter that `str.lower()`
    does not lower to it ("İ", "ı" to "i", "ſ" to "s"): a guard literal holding such a
    letter could miss a line the rule's regex matches."""
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    letters = {c for cls in LINE_FILTERS for lit in cls.GUARD or () for c in lit if c.isalpha()}
    for letter in letters:
        assert all(x.lower() == letter for x in re.findall(f"(?i){letter}", every)), letter


# --- the flat steps of `_first_failure` equal every rule in order --------------------------

_LINE_TOKENS = (_CRUMB_TOKENS + _MARKER_TOKENS + _GUARD_TOKENS
                + ["•", "·", "-", "Read more:", "Share this", "Follow us", "All rights reserved",
                   "Write to", "jane@example.com", "3 likes", "JavaScript", "Privacy Policy",
                   "Lorem ipsum", "y" * 90])


def _first_rule_that_drops(cleaner: Cleaner, line: str):
    for rule in cleaner.line_filters:
        cap = rule.line_cap()
        if cap is not None and len(line) > cap:  # the rule does not judge lines this long
            continue
        verdict = rule.check_line(line, _CTX)
        if not verdict.keep:
            return verdict
    return None


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_LINE_TOKENS), min_size=1, max_size=16).map(" ".join),
       st.sampled_from(["", " "]), st.sampled_from(["", " ", "\t"]))
def test_first_failure_with_guards_equals_every_rule_in_order(line, pad, trail):
    cleaner = Cleaner(CleanConfig())
    line = pad + line + trail
    assert cleaner._first_failure(line, 0, 1) == _first_rule_that_drops(cleaner, line)


def test_rules_reading_the_position_get_it():
    """Without a verdict cache (a rule reads the line's position) each rule gets the line's
    own context, not the shared one."""
    seen = []

    class Spy(chrome.BreadcrumbFilter):
        USES_CONTEXT = True

        def check_line(self, line, ctx):
            seen.append((ctx.index, ctx.num_lines))
            return super().check_line(line, ctx)

    cleaner = Cleaner(CleanConfig())
    cleaner.line_filters = [Spy()]
    cleaner._verdicts = None
    from nearcopy.clean.line_gate import LineTriage
    cleaner._triage = LineTriage(cleaner.line_filters)
    cleaner._first_failure("Home > News", 3, 7)
    assert seen == [(3, 7)]


# --- the stamp regexes' first-letter lookaheads change no match ---------------------------

def test_first_letter_class_admits_every_character_a_word_can_start_with():
    """A lookahead of `_first_letters(words)` must hold wherever one of the words can
    begin (IGNORECASE): checked on every code point."""
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    for words in (chrome._STAMP_LABELS, chrome._MONTH_NAMES):
        admitted = set(re.findall(chrome._first_letters(words), every))
        for word in words:
            assert set(re.findall(f"(?i:{re.escape(word[0])})", every)) <= admitted, word


_ORIGINAL_DATE = re.compile(
    r"\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
    rf"|(?i:\b\d{{1,2}}\s+{chrome._MONTH}\s+\d{{4}}\b|\b{chrome._MONTH}\s+\d{{1,2}},?\s+\d{{4}}\b)"
    r"|\b\d{1,2}:\d{2}(?::\d{2})?\b(?:\s*[AaPp]\.?[Mm]\.?)?")
_ORIGINAL_LABEL = re.compile(
    r"(?:^|(?<=[\s|·]))(?:source|sources|fuente|fonte|quelle|источник|来源|來源|出处|出處|"
    r"作者|author|posted(?: on| by)?|published(?: on)?|updated|last updated|опубликовано|"
    r"обновлено|автор|发布时间|發佈時間|发布日期|时间|時間|日期|publicado|actualizado|"
    r"veröffentlicht|aktualisiert|publié le|date|fecha|дата|editor|编辑|責任編輯|责任编辑)"
    r"\s*[:：]", re.IGNORECASE)
_DATE_TOKENS = ["Source:", "ſource :", "SOURCES：", "Posted on:", "posted by :", "Published:",
                "来源：", "發佈時間:", "Опубликовано:", "ДАТА:", "x|date:", "·Date:", "2015-06-02",
                "02.06.2015", "11:33", "1:05", "pm", "P.M.", "2018年05月16日", "16 May 2018",
                "Sept. 4, 2019", "ſep 4 2019", "JAN 12, 2020", "May", "1", "12", ":", "|", "·",
                "said", "a", "x"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(_DATE_TOKENS), max_size=12).map(
    lambda tokens: "".join(tokens)) | st.lists(st.sampled_from(_DATE_TOKENS), max_size=12).map(
    " ".join))
def test_stamp_regexes_with_lookaheads_equal_the_originals(line):
    assert chrome._DATE.sub(" ", line) == _ORIGINAL_DATE.sub(" ", line)
    assert chrome._STAMP_LABEL.subn(" ", line) == _ORIGINAL_LABEL.subn(" ", line)


# --- StartGuard: the first characters of every start match ---------------------------------

_START_TOKENS = ["Share", "share this", "SHARE", "ſhare", "Tweet", "Print", "Email", "e-mail",
                 "Related", "related:", "Read more", "read more:", "Also read", "See also",
                 "Continue reading", "Source", "source link", "Details", "[more]", "(more)",
                 "«", "»", "…", "...", "→", ">>", "•", "·", "-", "|", ":", ",", "/", "\u00a0",
                 "\u3000", "\u2009", " ", "\t", "3", "1,2k", "likes", "views:", "Views",
                 "Подробнее", "поделиться", "分享", "详细", "更多", "[详细]", "人民币", "Б",
                 "copyright", "©", "(c)", "Follow us on", "We use cookies", "By using",
                 "Advertisement", "Sponsored", "You may also like", "K", "\u212a", "x" * 30]


def _start_guards():
    from nearcopy.clean.line_gate import StartGuard
    guards = [(cls, StartGuard.of(cls.MAY_DROP_AT_START)) for cls in LINE_FILTERS
              if cls.MAY_DROP_AT_START is not None]
    assert all(guard is not None for _, guard in guards)
    return guards


_GUARDS: list = []


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(_START_TOKENS), min_size=1, max_size=8),
       st.sampled_from(["", " "]))
def test_start_guards_let_through_every_line_a_start_pattern_matches(tokens, separator):
    """A rule's `StartGuard` (`line_gate.may_begin`) never turns away a line its
    `MAY_DROP_AT_START` matches, whatever characters the line starts with."""
    from nearcopy.clean.line_gate import may_begin
    _GUARDS[:] = _GUARDS or _start_guards()
    line = separator.join(tokens)
    for cls, guard in _GUARDS:
        if re.match(cls.MAY_DROP_AT_START, line):
            assert may_begin(line, guard), (cls.name, line)
