"""Document quality rules: drop whole documents that are not prose.

Thresholds are the published ones. Gopher: Rae et al. 2021, "Scaling Language
Models: Methods, Analysis & Insights from Training Gopher", Appendix A.1.1
(quality filters). FineWeb: Penedo et al. 2024, "The FineWeb Datasets", §3.3
(custom filters). C4: Raffel et al. 2020, §2.2. The rules run on the lines that
survive the line rules, so a page is judged on its article, not its chrome.
Word-based rules apply only to the languages in their `languages` parameter
(default English, as in Gopher): CJK text has no spaces to count words by.
"""

from __future__ import annotations

import re
from itertools import repeat

from nearcopy.clean import doc_scan
from nearcopy.clean.base import KEEP, DocumentFilter, Verdict
from nearcopy.clean.doc_scan import (BULLET_LINES, ELLIPSES, ELLIPSIS_LINES, HASHES, WORD_CHARS,
                                     WORDS)

_ENGLISH = ("en",)
_STOP_WORDS = frozenset(("the", "be", "to", "of", "and", "that", "have", "with"))
_PUNCT_END = (".", "!", "?", '"', "'", "\u201d", "\u2019", ":", ";", ")", "\u3002", "\uff01",
              "\uff1f", "…")


class LineList(list):
    """The kept lines of one document, with their counts (`line_counts`) and words
    taken once for all rules.

    Several rules count words, symbols or lines; one compiled pass for all of them
    instead of a join, split or scan per rule took two thirds off the document-rule
    time. Plain lists work too (tests, callers).
    """

    __slots__ = ("_counts", "_text", "_words")

    def __init__(self, lines=(), counts: tuple[int, ...] | None = None) -> None:
        """`counts`: the lines' `doc_scan.counts` when the caller has them (the cleaner
        sums them from its scan: `doc_scan.kept_counts`)."""
        super().__init__(lines)
        # (None until asked: a missing slot's AttributeError cost 1 us per rule)
        self._text = self._words = None
        self._counts = counts

    def text(self) -> str:
        if self._text is None:
            self._text = " ".join(self)
        return self._text

    def words(self) -> list[str]:
        if self._words is None:
            self._words = self.text().split()
        return self._words

    def word_stats(self) -> tuple[int, int]:
        """(words, characters in words), as `words()` would give them."""
        counts = line_counts(self)
        return counts[WORDS], counts[WORD_CHARS]


def line_counts(lines: list[str]) -> tuple[int, ...]:
    """`doc_scan.counts` of the lines, taken once for a LineList (one call per rule:
    six rules ask for them)."""
    if not isinstance(lines, LineList):
        return doc_scan.counts(lines)
    counts = lines._counts
    if counts is None:
        counts = lines._counts = doc_scan.counts(lines)
    return counts


class DocumentRules:
    """Document rules in their order, run on a document's kept lines: the first that
    fails names the drop.

    A rule with a `keeps(counts, num_lines)` test (true only when `check_document`
    would keep the document: the rules that read the counts alone, and the
    duplicate-line rule's first test) is asked that first, with the counts the caller
    summed from its scan (`doc_scan.kept_counts`), and `check_document` runs only when
    it says no. Most documents pass every rule so, without a LineList or a
    `check_document` and `line_counts` call per rule (~4 us a document). A rule that
    reads the counts alone has a `judge(counts, num_lines)` (its `check_document` of
    lines with those counts), which is asked instead: a failing document needs no
    LineList either (15,181 of pan_paraphrase's 19,039 documents fail such a rule).
    """

    def __init__(self, rules) -> None:
        """`rules`: (rule, languages) pairs; a rule applies only to a document whose
        main language is in its `languages` (empty or None: any)."""
        self.rules = [(rule, langs, getattr(rule, "keeps", None)) for rule, langs in rules]
        self._judges = [_judge_of(rule) for rule, _, _ in self.rules]
        self._keep_all = keeps_chain(self.rules)
        self._keep_all_sums = keeps_chain(self.rules, packed=True)

    def __getstate__(self):
        return {"rules": self.rules}  # (the generated test is made again where it lands)

    def __setstate__(self, state) -> None:
        self.__init__([(rule, langs) for rule, langs, _ in state["rules"]])

    def keeps_all_sums(self, sums_a: int, sums_b: int, same: int, num_lines: int,
                       language: str | None) -> bool:
        """True when every rule keeps a document of `num_lines` lines whose counts are
        these packed sums (`kernels.SUMS_A`, SUMS_B, and T_SAME_KEYS), as their `keeps`
        tests tell; False: ask `first_failure`. (Unpacking the counts into a tuple
        first, and the call for it, cost ~1.5 us of a ~45 us prose document.)"""
        keep_all = self._keep_all_sums
        return keep_all is not None and keep_all(sums_a, sums_b, same, num_lines, language)

    def first_failure(self, lines: list[str], counts: tuple[int, ...] | None,
                      language: str | None) -> dict | None:
        """The first rule that fails, as {rule, value, threshold}; else None. `counts`:
        the lines' `doc_scan.counts` if known."""
        keep_all = self._keep_all
        if keep_all is not None and counts is not None and keep_all(counts, len(lines),
                                                                    language):
            return None
        listed = None
        for (rule, langs, keeps), judge in zip(self.rules, self._judges):
            if langs and language not in langs:
                continue
            if keeps is not None:
                if counts is None:
                    counts = doc_scan.counts(lines)
                if keeps(counts, len(lines)):
                    continue
                if judge is not None:  # (no LineList: its counts are all the rule reads)
                    verdict = judge(counts, len(lines))
                    if not verdict.keep:
                        return {"rule": verdict.reason, "value": verdict.value,
                                "threshold": verdict.threshold}
                    continue
            if listed is None:
                listed = LineList(lines, counts)
            verdict = rule.check_document(listed, language)
            if not verdict.keep:
                return {"rule": verdict.reason, "value": verdict.value,
                        "threshold": verdict.threshold}
        return None


def _judge_of(rule):
    """The rule's `judge`, when the class whose `check_document` it runs defines it too
    (a subclass changing `check_document` alone is asked that)."""
    for cls in type(rule).__mro__:
        if "check_document" in vars(cls):
            return rule.judge if "judge" in vars(cls) else None
    return None


def keeps_chain(rules, packed: bool = False):
    """One function `keep_all(counts, num_lines, language)`, true when every rule's
    `keeps` is (a rule that does not apply to `language` keeps), from the rules'
    `KEEPS` expressions with their parameters written in; None when a rule has no
    `keeps` or `KEEPS`, or a parameter it reads is not a number. `packed`: the same
    test as `keep_all(sums_a, sums_b, same, num_lines, language)` of the packed sums
    (each `counts[NAME]` read as `doc_scan.PACKED_COUNTS` says).

    Generated once (as `line_gate.chain_of` is): six `keeps` calls took ~5 us of the
    ~67 us a plain prose document costs; tests/clean/test_documents_chain.py compares
    it with the calls."""
    names = {name: getattr(doc_scan, name) for name in
             ("WORDS", "WORD_CHARS", "HASHES", "ELLIPSES", "BULLET_LINES", "ELLIPSIS_LINES",
              "SAME_KEYS")}
    tests = []
    for k, (rule, langs, keeps) in enumerate(rules):
        source = getattr(rule, "KEEPS", None)
        if keeps is None or source is None:
            return None
        numbers = {name: repr(value) for name, value in rule.params.items()
                   if type(value) in (int, float)}
        try:
            test = source.format(**numbers)
        except KeyError:
            return None
        if langs:
            names[f"langs{k}"] = frozenset(langs)
            test = f"language not in langs{k} or ({test})"
        tests.append(f"({test})")
    body = " and ".join(tests) or "True"
    if packed:
        body = re.sub(r"counts\[(\w+)\]",
                      lambda match: doc_scan.PACKED_COUNTS[names[match.group(1)]], body)
        if "counts" in body:  # (a test that reads the counts otherwise than by name)
            return None
    arguments = "sums_a, sums_b, same" if packed else "counts"
    source = f"def keep_all({arguments}, num_lines, language):\n    return {body}\n"
    exec(compile(source, "<documents.keeps_chain>", "exec"), names)  # noqa: S102 - our own code
    return names["keep_all"]


def _text(lines: list[str]) -> str:
    return lines.text() if isinstance(lines, LineList) else " ".join(lines)


def _words(lines: list[str]) -> list[str]:
    return lines.words() if isinstance(lines, LineList) else " ".join(lines).split()


def _share(lines: list[str], test, affixes: tuple[str, ...]) -> float:
    """Share of lines for which `test(line, affixes)` holds (str.startswith/endswith), at C speed."""
    return sum(map(test, lines, repeat(affixes))) / len(lines)


def _ratio(rule: DocumentFilter, value: float, *, low: float | None = None,
           high: float | None = None) -> Verdict:
    """Drop when `value` is below `low` or above `high` (whichever is set)."""
    if low is not None and value < low:
        return Verdict(False, rule.name, round(value, 4), {"min": low})
    if high is not None and value > high:
        return Verdict(False, rule.name, round(value, 4), {"max": high})
    return KEEP


class GopherWordCountFilter(DocumentFilter):
    """Gopher: 50 <= words <= 100,000."""

    name = "gopher_word_count"
    description = "word count outside [min_words, max_words] (Gopher: 50..100,000)"
    source = "Gopher (Rae et al. 2021, App. A.1.1)"
    PARAMS = {"min_words": 50, "max_words": 100_000, "languages": _ENGLISH}
    KEEPS = "{min_words} <= counts[WORDS] <= {max_words}"

    def keeps(self, counts: tuple[int, ...], num_lines: int) -> bool:
        return self.min_words <= counts[WORDS] <= self.max_words

    def check_document(self, lines: list[str], language: str | None) -> Verdict:
        return self.judge(line_counts(lines), len(lines))

    def judge(self, counts: tuple[int, ...], num_lines: int) -> Verdict:
        if self.keeps(counts, num_lines):
            return KEEP
        return _ratio(self, counts[WORDS], low=self.min_words, high=self.max_words)


class GopherMeanWordLengthFilter(DocumentFilter):
    """Gopher: mean word length within 3..10 characters."""

    name = "gopher_mean_word_length"
    description = "mean word length outside [3, 10] characters (Gopher)"
    source = "Gopher (Rae et al. 2021, App. A.1.1)"
    PARAMS = {"min_length": 3.0, "max_length": 10.0, "languages": _ENGLISH}
    KEEPS = ("not counts[WORDS] or "
             "{min_length} <= counts[WORD_CHARS] / counts[WORDS] <= {max_length}")

    def keeps(self, counts: tuple[int, ...], num_lines: int) -> bool:
        count = counts[WORDS]
        return not count or self.min_length <= counts[WORD_CHARS] / count <= self.max_length

    def check_document(self, lines: list[str], language: str | None) -> Verdict:
        return self.judge(line_counts(lines), len(lines))

    def judge(self, counts: tuple[int, ...], num_lines: int) -> Verdict:
        if self.keeps(counts, num_lines):
            return KEEP
        mean = counts[WORD_CHARS] / counts[WORDS]
        return _ratio(self, mean, low=self.min_length, high=self.max_length)


class GopherSymbolRatioFilter(DocumentFilter):
    """Gopher: hash and ellipsis symbols per word at most 0.1."""

    name = "gopher_symbol_ratio"
    description = "'#' and '...' symbols per word above 0.1 (Gopher)"
    source = "Gopher (Rae et al. 2021, App. A.1.1)"
    PARAMS = {"max_ratio": 0.1, "languages": _ENGLISH}
    KEEPS = ("not counts[HASHES] + counts[ELLIPSES] or not counts[WORDS] or "
             "(counts[HASHES] + counts[ELLIPSES]) / counts[WORDS] <= {max_ratio}")

    def keeps(self, counts: tuple[int, ...], num_lines: int) -> bool:
        symbols = counts[HASHES] + counts[ELLIPSES]  # "#", and "..." or "…"
        return not symbols or not counts[WORDS] or symbols / counts[WORDS] <= self.max_ratio

    def check_document(self, lines: list[str], language: str | None) -> Verdict:
        return self.judge(line_counts(lines), len(lines))

    def judge(self, counts: tuple[int, ...], num_lines: int) -> Verdict:
        if self.keeps(counts, num_lines):
            return KEEP
        symbols = counts[HASHES] + counts[ELLIPSES]
        return _ratio(self, symbols / counts[WORDS], high=self.max_ratio)


class GopherBulletLinesFilter(DocumentFilter):
    """Gopher: at most 90% of lines may start with a bullet."""

    name = "gopher_bullet_lines"
    description = "more than 90% of lines start with a bullet (Gopher)"
    source = "Gopher (Rae et al. 2021, App. A.1.1)"
    PARAMS = {"max_ratio": 0.9}
    KEEPS = "not counts[BULLET_LINES] or counts[BULLET_LINES] / num_lines <= {max_ratio}"

    def keeps(self, counts: tuple[int, ...], num_lines: int) -> bool:
        bullets = counts[BULLET_LINES]
        return not bullets or bullets / num_lines <= self.max_ratio

    def check_document(self, lines: list[str], language: str | None) -> Verdict:
        return self.judge(line_counts(lines), len(lines))

    def judge(self, counts: tuple[int, ...], num_lines: int) -> Verdict:
        if self.keeps(counts, num_lines):
            return KEEP
        return _ratio(self, counts[BULLET_LINES] / num_lines, high=self.max_ratio)


class GopherEllipsisLinesFilter(DocumentFilter):
    """Gopher: at most 30% of lines may end with an ellipsis."""

    name = "gopher_ellipsis_lines"
    description = "more than 30% of lines end with an ellipsis (Gopher)"
    source = "Gopher (Rae et al. 2021, App. A.1.1)"
    PARAMS = {"max_ratio": 0.3}
    KEEPS = "not counts[ELLIPSIS_LINES] or counts[ELLIPSIS_LINES] / num_lines <= {max_ratio}"

    def keeps(self, counts: tuple[int, ...], num_lines: int) -> bool:
        ends = counts[ELLIPSIS_LINES]
        return not ends or ends / num_lines <= self.max_ratio

    def check_document(self, lines: list[str], language: str | None) -> Verdict:
        return self.judge(line_counts(lines), len(lines))

    def judge(self, counts: tuple[int, ...], num_lines: int) -> Verdict:
        if self.keeps(counts, num_lines):
            return KEEP
        return _ratio(self, counts[ELLIPSIS_LINES] / num_lines, high=self.max_ratio)


class GopherAlphaWordsFilter(DocumentFilter):
    """Gopher: 80% of words must contain a letter; off: wire earnings tables fail it."""

    name = "gopher_alpha_words"
    description = "under 80% of words contain a letter (Gopher) [off: drops earnings tables]"
    default_on = False
    source = "Gopher (Rae et al. 2021, App. A.1.1)"
    PARAMS = {"min_ratio": 0.8, "languages": _ENGLISH}

    def check_document(self, lines: list[str], language: str | None) -> Verdict:
        words = _words(lines)
        if not words:
            return Verdict(True)
        alpha = sum(any(c.isalpha() for c in w) for w in words)
        return _ratio(self, alpha / len(words), low=self.min_ratio)


class GopherStopWordsFilter(DocumentFilter):
    """Gopher: at least 2 of the, be, to, of, and, that, have, with.

    Off by default: wire earnings/price tables ("Shr 12 cts vs 10 cts") have
    none, and dropping them removed 0.4% of news_copies base characters alone.
    """

    name = "gopher_stop_words"
    description = "fewer than 2 of the, be, to, of, and, that, have, with (Gopher) [off: tables]"
    default_on = False
    source = "Gopher (Rae et al. 2021, App. A.1.1)"
    PARAMS = {"min_stop_words": 2, "languages": _ENGLISH}

    def check_document(self, lines: list[str], language: str | None) -> Verdict:
        found = sum(1 for w in _words(lines) if w.lower() in _STOP_WORDS)
        return _ratio(self, found, low=self.min_stop_words)


class FineWebLinePunctFilter(DocumentFilter):
    """FineWeb: at least 12% of lines end in punctuation.

    Off by default: it dropped 70 of 5,445 clean Reuters bases (earnings tables).
    """

    name = "fineweb_line_punct"
    description = "under 12% of lines end with punctuation (FineWeb) [off: drops earnings tables]"
    default_on = False
    source = "FineWeb (Penedo et al. 2024, §3.3)"
    PARAMS = {"min_ratio": 0.12}

    def check_document(self, lines: list[str], language: str | None) -> Verdict:
        if not lines:
            return KEEP
        return _ratio(self, _share(lines, str.endswith, _PUNCT_END), low=self.min_ratio)


class FineWebShortLinesFilter(DocumentFilter):
    """FineWeb: at most 67% of lines shorter than 30 characters; off: wire tables."""

    name = "fineweb_short_lines"
    description = "over 67% of lines shorter than 30 chars (FineWeb) [off: drops tables]"
    default_on = False
    source = "FineWeb (Penedo et al. 2024, §3.3)"
    PARAMS = {"max_ratio": 0.67, "short_chars": 30}

    def check_document(self, lines: list[str], language: str | None) -> Verdict:
        if not lines:
            return Verdict(True)
        ratio = sum(len(line) <= self.short_chars for line in lines) / len(lines)
        return _ratio(self, ratio, high=self.max_ratio)


class C4CurlyBracketFilter(DocumentFilter):
    """C4 drops pages containing "{" (code); off: too blunt for news."""

    name = "c4_curly_bracket"
    description = "document contains '{' (C4: code) [off]"
    default_on = False
    source = "C4 (Raffel et al. 2020, §2.2)"

    def check_document(self, lines: list[str], language: str | None) -> Verdict:
        return Verdict(False, self.name, "{") if any("{" in ln for ln in lines) else Verdict(True)


class C4MinSentencesFilter(DocumentFilter):
    """C4 drops pages with fewer than 5 sentences; off: short briefs are news too."""

    name = "c4_min_sentences"
    description = "fewer than 5 sentences (C4) [off: drops short briefs]"
    default_on = False
    source = "C4 (Raffel et al. 2020, §2.2)"
    PARAMS = {"min_sentences": 5}

    def check_document(self, lines: list[str], language: str | None) -> Verdict:
        text = _text(lines)
        n = sum(text.count(p) for p in (". ", "! ", "? ")) + text.rstrip().endswith((".", "!", "?"))
        return _ratio(self, n, low=self.min_sentences)


QUALITY_FILTERS: tuple[type[DocumentFilter], ...] = (
    GopherWordCountFilter, GopherMeanWordLengthFilter, GopherSymbolRatioFilter,
    GopherBulletLinesFilter, GopherEllipsisLinesFilter, GopherAlphaWordsFilter,
    GopherStopWordsFilter, FineWebLinePunctFilter, FineWebShortLinesFilter,
    C4CurlyBracketFilter, C4MinSentencesFilter)
