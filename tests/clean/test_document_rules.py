"""`DocumentRules` must name the same first failing rule as asking every rule's
`check_document` in order, and a rule's `keeps` test may say yes only when
`check_document` keeps the document."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from nearcopy.clean import doc_scan
from nearcopy.clean.documents import QUALITY_FILTERS, DocumentRules, LineList
from nearcopy.clean.repetition import GopherDuplicateLinesFilter, GopherNgramRepetitionFilter

_TOKENS = ["the", "market", "said", "#1", "#", "...", "…", "- ", "* ", "• ", "x", "12",
           "supercalifragilistic", "a", " ", "Foo!", "é"]
_LINES = st.lists(st.lists(st.sampled_from(_TOKENS), min_size=1, max_size=12).map("".join),
                  max_size=10)
_RULES = (*QUALITY_FILTERS, GopherDuplicateLinesFilter, GopherNgramRepetitionFilter)


def _rules(min_words: int) -> list:
    """Every document rule, with thresholds that short documents can fail."""
    out = []
    for cls in _RULES:
        params = {"min_words": min_words} if cls.__name__ == "GopherWordCountFilter" else {}
        out.append(cls(**params))
    return out


def _first_failure_by_definition(rules, lines, language):
    listed = LineList(lines)
    for rule in rules:
        langs = rule.params.get("languages")
        if langs and language not in langs:
            continue
        verdict = rule.check_document(listed, language)
        if not verdict.keep:
            return {"rule": verdict.reason, "value": verdict.value,
                    "threshold": verdict.threshold}
    return None


@settings(max_examples=300, deadline=None)
@given(_LINES, st.integers(min_value=0, max_value=30), st.sampled_from(["en", "de", None]),
       st.booleans())
def test_document_rules_name_the_first_failing_rule(lines, min_words, language, known):
    rules = _rules(min_words)
    doc_scan._last = ([], ())
    counts = doc_scan.counts(lines) if known else None
    found = DocumentRules([(rule, rule.params.get("languages")) for rule in rules]) \
        .first_failure(lines, counts, language)
    assert found == _first_failure_by_definition(rules, lines, language)


@settings(max_examples=300, deadline=None)
@given(_LINES, st.integers(min_value=0, max_value=30))
def test_keeps_says_yes_only_when_the_rule_keeps(lines, min_words):
    counts = doc_scan.python_counts(lines)
    for rule in _rules(min_words):
        keeps = getattr(rule, "keeps", None)
        if keeps is not None and keeps(counts, len(lines)):
            assert rule.check_document(list(lines), "en").keep, rule.name
