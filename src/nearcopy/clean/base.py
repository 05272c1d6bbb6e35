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

    def validate(self) -> None:
        """Raise ConfigError for out-of-range parameters (override where needed)."""
        for key, value in self.params.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
                raise ConfigError(f"rules.{self.name}.{key} = {value} must be >= 0")

    def __getattr__(self, item: str) -> Any:
        params = self.__dict__.get("params")
        if params is not None and item in params:
            return params[item]
        raise AttributeError(item)


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
    """

    def line_cap(self) -> int | None:
        return None

    def check_line(self, line: str, ctx: LineContext) -> Verdict:
        raise NotImplementedError


class DocumentFilter(Rule):
    """Drops whole documents; `check_document` sees the kept lines and the language.

    A rule with a `languages` parameter applies only when the main language is listed.
    """

    def check_document(self, lines: list[str], language: str | None) -> Verdict:
        raise NotImplementedError
