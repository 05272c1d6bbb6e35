"""The document rules' generated test (`documents.keeps_chain`) must say "keep" exactly
when every rule's own `keeps` does, in any configuration it is made for."""

from __future__ import annotations

import pickle

from hypothesis import given, settings, strategies as st

from nearcopy.clean import CleanConfig
from nearcopy.clean.cleaner import Cleaner
from nearcopy.clean.doc_scan import _unpacked
from nearcopy.clean.documents import keeps_chain
from nearcopy.clean.kernels import FIELD_BITS
from nearcopy.document import Document

_CONFIGS = [{}, {"gopher_word_count": {"min_words": 5, "max_words": 40}},
            {"gopher_mean_word_length": {"min_length": 4, "max_length": 4.5}},
            {"gopher_symbol_ratio": {"max_ratio": 0.0}, "gopher_bullet_lines": {"max_ratio": 0.5}},
            {"gopher_ellipsis_lines": {"enabled": False}, "gopher_word_count": {"languages": []}},
            {"gopher_duplicate_lines": {"max_line_fraction": 0.9}}]


def _each_keeps(rules, counts, num_lines, language) -> bool:
    return all(keeps(counts, num_lines) for _, langs, keeps in rules
               if not langs or language in langs)


@settings(max_examples=500, deadline=None)
@given(st.tuples(*[st.integers(0, 60)] * 7), st.integers(0, 30),
       st.sampled_from(["en", "de", None]), st.sampled_from(range(len(_CONFIGS))))
def test_the_chain_keeps_when_every_rule_keeps(counts, num_lines, language, config):
    rules = Cleaner(CleanConfig(rules=_CONFIGS[config]))._doc_rules
    chain = rules._keep_all
    assert chain is not None
    assert bool(chain(counts, num_lines or 1, language)) == \
        _each_keeps(rules.rules, counts, num_lines or 1, language)


@settings(max_examples=500, deadline=None)
@given(st.tuples(*[st.integers(0, (1 << FIELD_BITS) - 1)] * 6), st.integers(0, 1),
       st.integers(0, 30), st.sampled_from(["en", "de", None]),
       st.sampled_from(range(len(_CONFIGS))))
def test_the_chain_of_packed_sums_says_what_the_chain_of_counts_does(
        fields, same, num_lines, language, config):
    """`keeps_all_sums` reads the counts out of the scan's packed sums (`_unpacked`)."""
    words, chars, hashes, ellipses, bullets, ends = fields
    sums_a = words | chars << FIELD_BITS | hashes << 2 * FIELD_BITS
    sums_b = ellipses | bullets << FIELD_BITS | ends << 2 * FIELD_BITS
    rules = Cleaner(CleanConfig(rules=_CONFIGS[config]))._doc_rules
    assert _unpacked(sums_a, sums_b, same) == (*fields, same)
    assert rules.keeps_all_sums(sums_a, sums_b, same, num_lines or 1, language) == \
        bool(rules._keep_all((*fields, same), num_lines or 1, language))


def test_no_packed_chain_for_a_test_that_reads_the_counts_otherwise():
    class Rule:
        params = {}
        KEEPS = "sum(counts) > 0"

        def keeps(self, counts, num_lines):
            return True
    assert keeps_chain([(Rule(), None, Rule().keeps)]) is not None
    assert keeps_chain([(Rule(), None, Rule().keeps)], packed=True) is None


def test_no_chain_when_a_rule_has_no_keeps_test():
    """The language rule (`--languages`) has no `keeps`: the rules are asked one by one."""
    cleaner = Cleaner(CleanConfig(languages=("en",)))
    assert cleaner._doc_rules._keep_all is None
    res = cleaner.clean(Document("d", "Der Markt hat am Montag die Preise deutlich erhoht und "
                                      "die Bank sagte, dass sie die Zinsen nicht senken werde."))
    assert res.dropped is not None


def test_a_rule_without_keeps_source_or_with_a_parameter_not_a_number_has_no_chain():
    class Rule:
        params = {"max_ratio": None}
        KEEPS = "counts[WORDS] <= {max_ratio}"

        def keeps(self, counts, num_lines):
            return True
    assert keeps_chain([(Rule(), None, Rule().keeps)]) is None
    plain = Rule()
    plain.KEEPS = None
    assert keeps_chain([(plain, None, plain.keeps)]) is None
    assert keeps_chain([])((0,) * 7, 1, None)


def test_the_rules_pickle_and_rebuild_their_chain():
    rules = Cleaner(CleanConfig())._doc_rules
    again = pickle.loads(pickle.dumps(rules))
    assert again._keep_all is not None
    counts = (100, 450, 0, 0, 0, 0, 0)
    assert again.first_failure(["x"] * 3, counts, "en") is None
    assert again.first_failure(["x"] * 3, (3, 12, 0, 0, 0, 0, 0), "en")["rule"] == \
        "gopher_word_count"


_LINE = st.lists(st.sampled_from(["word", "the", "of", "#", "...", "- item", "x", "longerword",
                                  "a.b", "…"]), max_size=12).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINE, min_size=1, max_size=8), st.sampled_from(["en", "de", None]),
       st.sampled_from(range(len(_CONFIGS))))
def test_judging_from_counts_names_the_failure_check_document_names(lines, language, config):
    """A rule's `judge(counts, num_lines)` stands for its `check_document` of the lines:
    the same first failure, value and threshold with and without the judges."""
    from nearcopy.clean import doc_scan
    rules = Cleaner(CleanConfig(rules=_CONFIGS[config]))._doc_rules
    counts = doc_scan.counts(lines)
    with_judges = rules.first_failure(lines, counts, language)
    rules._judges = [None] * len(rules._judges)
    assert with_judges == rules.first_failure(lines, counts, language)


def test_a_subclass_changing_check_document_is_not_judged_from_counts():
    from nearcopy.clean.documents import GopherWordCountFilter, KEEP, _judge_of
    rule = GopherWordCountFilter(min_words=50, max_words=100)
    assert _judge_of(rule) == rule.judge

    class Lenient(GopherWordCountFilter):
        def check_document(self, lines, language):
            return KEEP
    assert _judge_of(Lenient(min_words=50, max_words=100)) is None
