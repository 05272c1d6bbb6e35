"""Filter contracts of the cleaning stage: every removal carries a rule name.

A `LineFilter` judges one line (with a little context); a `DocumentFilter`
judges the whole cleaned document. Both return a `Verdict`, whose `reason` is
the rule's stable snake_case name, so `stats.json` and `removed_lines` can say
exactly why something went. Rules declare their tunable parameters in
`PARAMS`; `CleanConfig` validates a TOML file against them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from nearcopy.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Verdict:
    """Outcome of one check: keep, or drop because of `reason` (measured `value`)."""

    keep: bool
    reason: str | None = None
    value: float | str | None = None
    threshold: Any = None


KEEP = Verdict(True)


@dataclass(frozen=True, slots=True)
class LineContext:
    """What a line filter may look at besides the line itself."""

    index: int
    num_lines: int
    words: tuple[str, ...] = field(default=())


class Rule:
    """A named, documented, tunable cleaning rule.

    Subclasses set `name`, `description`, `default_on`, `source` (the published
    origin of the rule and its threshold, or "nearcopy") and `PARAMS` (defaults).
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    default_on: ClassVar[bool] = True
    source: ClassVar[str] = "nearcopy"
    PARAMS: ClassVar[dict[str, Any]] = {}

    def __init__(self, **params: Any):
        unknown = set(params) - set(self.PARAMS)
        if unknown:
            raise ConfigError(f"rule {self.name!r} has no parameter {sorted(unknown)[0]!r}; "
                              f"known: {', '.join(sorted(self.PARAMS)) or '(none)'}")
        merged = dict(self.PARAMS)
        for key, value in params.items():
            merged[key] = _coerce(self.name, key, value, self.PARAMS[key])
        self.params = merged
        self.validate()
        # Parameters as plain attributes: `__getattr__` per call cost 1 us x 170k calls/2k docs,
        # and a class that defines `__getattr__` at all makes every attribute read of its
        # instances ~3.5x slower on CPython 3.11 (65 vs 18 ns: no specialised lookups).
        for key, value in merged.items():
            if not hasattr(type(self), key):  # as before: class attributes win
                self.__dict__.setdefault(key, value)

    def validate(self) -> None:
        """Raise ConfigError for out-of-range parameters (override where needed)."""
        for key, value in self.params.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                raise ConfigError(f"rules.{self.name}.{key} = {value} must be >= 0")


def _coerce(rule: str, key: str, value: Any, default: Any) -> Any:
    """Accept a TOML value when it has the default's type (ints are fine for floats)."""
    if isinstance(default, bool):
        ok = isinstance(value, bool)
    elif isinstance(default, float):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        value = float(value) if ok else value
    elif isinstance(default, int):
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(default, (list, tuple)):
        ok = isinstance(value, (list, tuple))
        value = tuple(value) if ok else value
    else:
        ok = isinstance(value, type(default))
    if not ok:
        raise ConfigError(f"rules.{rule}.{key} = {value!r} should be a "
                          f"{type(default).__name__} like the default {default!r}")
    return value


class LineFilter(Rule):
    """Removes single lines; `check_line` returns a Verdict for one stripped line.

    `line_cap()` lets the cleaner skip a rule on lines too long for it to fire
    (most chrome rules only judge short lines); measured: halves the rule time.

    The `MAY_DROP*` attributes state what a line must look like for the rule
    to be able to drop it: `MAY_DROP_AT_START` (regex) matches at the line's
    start, or `MAY_DROP` (regex) is found in `line.lower()`, or the line, with
    trailing spaces stripped, ends with one of `MAY_DROP_AT_END`. The cleaner
    joins them over all rules into one prefilter, so an ordinary body line
    costs three C-level tests instead of one Python call per rule (measured:
    ~5x on the line rules). They must be necessary conditions, never tighter
    than `check_line`; declaring none of them means "any line" and switches
    the prefilter off. Write `MAY_DROP` as branches that each start with a
    literal character ("a|b|\\["): joined flat, sre then scans for those
    characters only (measured: 3x faster than wrapped groups or a class).
    """

    MAY_DROP_AT_START: ClassVar[str | None] = None
    MAY_DROP: ClassVar[str | None] = None
    MAY_DROP_AT_END: ClassVar[tuple[str, ...]] = ()
    #: literals, one of which is in `line.lower()` (or the line ends with a `MAY_DROP_AT_END`)
    #: whenever the rule drops the line: a test of this rule alone, tighter than its
    #: MAY_DROP* (which the cleaner joins into one prefilter and a compiled scan), that the
    #: cleaner runs before the rule. None: the MAY_DROP* literals and ends, when they are
    #: plain (a start regex would cost as much as the rule). Leave out "i" and "s": sre's
    #: IGNORECASE matches "İ", "ı" and "ſ" to them, and `str.lower()` does not.
    GUARD: ClassVar[tuple[str, ...] | None] = None
    #: True when `check_line` keeps every line in which a "<" comes before a ">" (wire
    #: tickers: "ATT <T> TO REDEEM"): the compiled scan then flags such a line for the
    #: other rules' `MAY_DROP` characters only
    KEEPS_BRACKETED: ClassVar[bool] = False
    #: True when `check_line` reads `ctx` (the line's position): the cleaner then stops
    #: caching verdicts by line text
    USES_CONTEXT: ClassVar[bool] = False

    def __init__(self, **params: Any):
        super().__init__(**params)
        #: the verdict of a drop without a value, built once: a Verdict costs 1.8 us to
        #: build (issue #3: 6,400 teaser lines of news_copies are dropped so)
        self.drop = Verdict(False, self.name)

    def line_cap(self) -> int | None:
        return None

    def check_line(self, line: str, ctx: LineContext) -> Verdict:
        raise NotImplementedError


class DocumentFilter(Rule):
    """Drops whole documents; `check_document` sees the kept lines and the language.

    A rule with a `languages` parameter applies only when the main language is listed.
    """

    #: a rule with a `keeps(counts, num_lines)` test may also give it as a Python
    #: expression of `counts` (indexed by `doc_scan`'s names), `num_lines` and its
    #: numeric parameters in braces: `documents.keeps_chain` joins them into one test
    KEEPS: ClassVar[str | None] = None

    def check_document(self, lines: list[str], language: str | None) -> Verdict:
        raise NotImplementedError
