"""Cleaning stage: strip page chrome, stray languages and repetition, with a reason for each.

Example:
    >>> from nearcopy.clean import CleanConfig, Cleaner
    >>> from nearcopy.document import Document
    >>> Cleaner(CleanConfig()).clean(Document("a", "Share this:\\nThe text.")).text
    'The text.'
"""

from nearcopy.clean.base import DocumentFilter, LineFilter, Rule, Verdict
from nearcopy.clean.boilerplate import BoilerplateCounter, BoilerplateTable
from nearcopy.clean.cleaner import Cleaner, CleanResult, CleanStats
from nearcopy.clean.config import CleanConfig, RuleSetting
from nearcopy.clean.registry import list_rules

__all__ = [
    "BoilerplateCounter",
    "BoilerplateTable",
    "CleanConfig",
    "CleanResult",
    "CleanStats",
    "Cleaner",
    "DocumentFilter",
    "LineFilter",
    "Rule",
    "RuleSetting",
    "Verdict",
    "list_rules",
]
