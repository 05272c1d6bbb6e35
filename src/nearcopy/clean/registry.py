"""The ordered list of every cleaning rule; the order is the order they run in.

Within the line rules, the first one that fires names the removal, so the
published baselines (C4, RefinedWeb) come before nearcopy's own rules: the
stats then show what the baseline catches and what it misses.
"""

from __future__ import annotations

from nearcopy.clean import chrome, lines
from nearcopy.clean.base import Rule
from nearcopy.clean.boilerplate import CorpusBoilerplateRule
from nearcopy.clean.documents import QUALITY_FILTERS
from nearcopy.clean.language import LanguageFilter, StrayLanguageFilter
from nearcopy.clean.normalize import NORMALIZERS
from nearcopy.clean.repetition import (GopherDuplicateLinesFilter, GopherNgramRepetitionFilter,
                                       RepeatedParagraphFilter)

LINE_FILTERS: tuple[type[Rule], ...] = (
    chrome.AdPlaceholderFilter,
    lines.C4JavascriptFilter, lines.C4LoremIpsumFilter, lines.C4PolicyFilter,
    lines.C4TerminalPunctFilter, lines.C4MinWordsFilter,
    lines.RefinedWebCounterFilter, lines.RefinedWebUppercaseFilter,
    lines.RefinedWebNumericFilter, lines.RefinedWebSingleWordFilter,
    chrome.BreadcrumbFilter, chrome.StampLineFilter, chrome.ShareLineFilter,
    chrome.ReadMoreFilter, chrome.EmailPlaceholderFilter, chrome.ContactLineFilter,
    chrome.TeaserListFilter,
)

DOCUMENT_FILTERS: tuple[type[Rule], ...] = (
    LanguageFilter, *QUALITY_FILTERS, GopherDuplicateLinesFilter, GopherNgramRepetitionFilter)

ALL_RULES: tuple[type[Rule], ...] = (
    *NORMALIZERS, *LINE_FILTERS, StrayLanguageFilter, RepeatedParagraphFilter,
    *DOCUMENT_FILTERS, CorpusBoilerplateRule)

RULES_BY_NAME: dict[str, type[Rule]] = {rule.name: rule for rule in ALL_RULES}


def list_rules() -> list[tuple[str, str, bool]]:
    """(name, one-line description, on by default) for every rule, in run order."""
    return [(rule.name, rule.description, rule.default_on) for rule in ALL_RULES]
