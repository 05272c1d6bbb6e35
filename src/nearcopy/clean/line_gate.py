"""Which lines the line rules must see: the gate, the length bands and their prefilters.

Most lines of a story can be dropped by no line rule. `LineGate` is the union of the
rules' `MAY_DROP*` declarations, split into what the compiled scan flags per line
(literal characters and ends, literal words, start prefixes: `scan.tables`) and what
is tested in Python (`may_pass`); `LineTriage` groups the rules by the line lengths
they judge (`line_cap`), each band behind its own prefilter (`Prefilter`) and each
rule behind a guard of literals. Every test here only keeps lines away from rules that
would keep them anyway: the tests in tests/clean/test_fast_paths*.py pin that.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from nearcopy import regex_programs
from nearcopy.clean.chrome import AD_MARKS
from nearcopy.clean.scan import UNCAPPED, fits, tables
from nearcopy.disk_cache import disk_cached


class LineGate:
    """What the union of all line rules' prefilters looks for, split for `_gated_line_rules`:
    literal characters and ends (flagged by the compiled scan of ASCII lines), and the
    literal words and start patterns (`may_pass`, per line).

    `caps[k]` is the longest line a rule looking for `chars[k]` judges (`line_cap`):
    a 300-character story line holding ":" or "/" is judged by no rule that looks
    for them (breadcrumbs and stamps are short), so the scan does not flag it."""

    def __init__(self, chars: str, words: tuple[str, ...], ends: tuple[str, ...],
                 start: re.Pattern | None, caps: tuple[int, ...] = (),
                 bracketed_caps: tuple[int, ...] | None = None) -> None:
        self.chars, self.words, self.ends, self.start = chars, words, ends, start
        self.caps = caps
        #: the caps in a line where a "<" comes before a ">" (`LineFilter.KEEPS_BRACKETED`)
        self.bracketed_caps = caps if bracketed_caps is None else bracketed_caps
        self._prefixes: dict[bool, tuple | None] = {}  # by `long` (not built yet: absent)
        self._tables: np.ndarray | None = None  # (built once: the lru key costs 1 us a call)
        #: whether the scan flags the lines holding a word (WORD); else `may_pass` looks
        self.scanned = fits(ends, words)

    def __getstate__(self):
        return {**self.__dict__, "_prefixes": {}, "_tables": None}  # (rebuilt per process)

    @classmethod
    def of(cls, rules, placeholders: bool) -> "LineGate | None":
        """The gate of these rules (with "[" and "{" when placeholders are cut out), or
        None when a rule may drop any line, a `MAY_DROP` is not plain literals, or the
        ends do not fit the scan's table."""
        union = _prefilter(rules)
        if union is None or union.anywhere is not None:
            return None
        chars = "".join(lit for lit in union.literals if len(lit) == 1)
        firsts = [({lit[0] for lit in map(_literal, _branches(rule.MAY_DROP or "")) if lit},
                   rule) for rule in rules]
        caps = tuple(_literal_cap(char, firsts) for char in chars)
        unbracketed = [(found, rule) for found, rule in firsts if not rule.KEEPS_BRACKETED]
        bracketed_caps = tuple(_literal_cap(char, unbracketed) for char in chars)
        if placeholders:  # (cut out of lines of any length)
            chars += "".join(AD_MARKS)
            caps += (UNCAPPED,) * len(AD_MARKS)
            bracketed_caps += (UNCAPPED,) * len(AD_MARKS)
        words = tuple(lit for lit in union.literals if len(lit) > 1)
        if not fits(union.ends):
            return None
        return cls(chars, words, union.ends, union.start, caps, bracketed_caps)

    def tables(self) -> np.ndarray:
        """The scan's tables for this gate (flags LITERAL, END, START and, if `scanned`,
        WORD)."""
        if self._tables is None:
            starts, long_starts = self.starts(), self.starts(long=True)
            # (the prefix sets stand in the key by what they are made from: sorting their
            # 60k prefixes for it took 6 ms of every start-up)
            made_from = None if starts is None or self.start is None else \
                f"start_prefixes|{_source_digest()}|{PREFIX_CHARS}|{LONG_LINE}|" \
                f"{long_starts is None}|{self.start.pattern}"
            self._tables = saved_tables(self.chars, self.ends,
                                        self.words if self.scanned else (), self.caps,
                                        starts, made_from, long_starts, LONG_LINE,
                                        self.bracketed_caps)
        return self._tables

    def starts(self, long: bool = False) -> tuple[frozenset[str], frozenset[str]] | None:
        """The prefixes the scan flags START by (`scan.tables`), in lines of at least
        LONG_LINE characters if `long`: none without a start pattern; None (every line)
        when they cannot be bounded, or when the scan does not flag the words (`may_pass`
        then looks for them in every line)."""
        if not self.scanned:
            return None
        if self.start is None:
            return frozenset(), frozenset()
        short, full = self.prefixes(long)
        return None if short is None else (short, full)

    def prefixes(self, long: bool = False
                 ) -> tuple[frozenset[str] | None, frozenset[str] | None]:
        """`start_prefixes` of the start pattern, for lines of at least LONG_LINE
        characters if `long` ((None, None): no start pattern, or it cannot be bounded)."""
        prefixes = self._prefixes.get(long, False)
        if prefixes is False:
            prefixes = self._prefixes[long] = (
                None if self.start is None
                else saved_start_prefixes(self.start.pattern, LONG_LINE if long else 0))
        return (None, None) if prefixes is None else prefixes

    def may_pass(self, line: str) -> bool:
        """Whether an ASCII line without the literal characters and ends holds a literal
        word or matches a start pattern (`may_start`)."""
        if self.words:
            lower = line.lower()
            for word in self.words:
                if word in lower:
                    return True
        return self.may_start(line)

    def may_start(self, line: str) -> bool:
        """Whether an ASCII line matches a start pattern (asked only when its first three
        characters can begin a match, see `start_prefixes`)."""
        if self.start is None:
            return False
        prefixes = self.prefixes(len(line) >= LONG_LINE)
        if prefixes != (None, None):
            short, full = prefixes
            if line[:3] not in full and line[:2] not in short and line[:1] not in short:
                return False
        return self.start.match(line) is not None


def _literal_cap(char: str, firsts) -> int:
    """The longest line judged by a rule with a `MAY_DROP` literal that starts with `char`
    (UNCAPPED: any), from `firsts`: (the first characters of its literals, rule) pairs.
    A literal word starting with a literal character ("::" after ":") is left out of
    the gate's words: the character's cap must cover it too."""
    cap = 0
    for found, rule in firsts:
        if char in found:
            rule_cap = rule.line_cap()
            cap = max(cap, UNCAPPED if rule_cap is None else rule_cap)
    return cap


#: `start_prefixes` gives the first PREFIX_CHARS characters a match can begin with
PREFIX_CHARS = 3
#: lines of at least this many characters take prefix sets of their own
#: (`LineGate.prefixes(long=True)`): the start patterns of short lines only
#: ("(?!.{80})...") are left out of them, and nine in ten body lines are this long
LONG_LINE = 80
_ASCII_CHARS = [chr(c) for c in range(128)]


def saved_start_prefixes(pattern: str, min_chars: int = 0
                         ) -> tuple[frozenset[str], frozenset[str]] | None:
    """`start_prefixes`, kept on disk between runs (building them took ~0.2 s of every
    `run` and `clean`); the key holds this module's source, so a change to the analysis
    builds them again."""
    return disk_cached("start-prefixes",
                       f"{_source_digest()}|{PREFIX_CHARS}|{min_chars}|{pattern}",
                       lambda: start_prefixes(pattern, min_chars))


@lru_cache(maxsize=1)
def _source_digest() -> str:
    """This module's source (the prefix analysis) as a cache key."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def saved_tables(chars: str, ends: tuple[str, ...], words: tuple[str, ...],
                 caps: tuple[int, ...], starts, starts_made_from: str | None = None,
                 long_starts=None, long_chars: int = 0,
                 bracketed_caps: tuple[int, ...] | None = None) -> np.ndarray | None:
    """`scan.tables`, kept on disk between runs (building them took 0.04 s of every
    process that cleans); the key holds the scan's sources and the function words the
    tables are built from, so a change to any of them rebuilds them. `starts_made_from`:
    what the start prefixes (both pairs) are computed from, to stand for them in the key
    (None: the sets themselves)."""
    from nearcopy.clean import kernels as scan_kernels, scan, stopwords

    source = hashlib.sha256(b"".join(Path(module.__file__).read_bytes()
                                     for module in (scan, scan_kernels, stopwords))).hexdigest()
    start_key = (starts_made_from if starts_made_from is not None
                 else [None if pair is None else [sorted(part) for part in pair]
                       for pair in (starts, long_starts)])
    key = (f"{source}|{np.__version__}|{chars!r}|{ends!r}|{words!r}|{caps!r}|{start_key!r}|"
           f"{long_chars}|{bracketed_caps!r}")
    built = disk_cached("scan-tables", key, lambda: tables(chars, ends, words, caps, starts,
                                                          long_starts, long_chars,
                                                          bracketed_caps))
    if built is not None:
        built.flags.writeable = False  # (as `tables` leaves it; unpickling does not)
    return built


@lru_cache(maxsize=16)
def start_prefixes(pattern: str, min_chars: int = 0, alphabet: str | None = None
                   ) -> tuple[frozenset[str], frozenset[str]] | None:
    """What an ASCII line (a line of `alphabet`'s characters, if given) of at least
    `min_chars` characters that `re.match(pattern, line)` matches begins with: (short,
    full), where a match of fewer than PREFIX_CHARS characters is in `short` and the first
    PREFIX_CHARS characters of a longer one are in `full`. A superset: assertions
    (lookarounds, anchors) are taken as always true, but for a length cap "(?!.{n})" that
    opens the match, false in a line of at least n characters (a line holds no newline,
    so "." matches each of its characters), and a "$" after fewer than `min_chars`
    characters from the line's start, which cannot end such a line. None
    when the pattern can match the empty string or holds something not analysed here
    (backreferences, a conditional), or on a Python whose regex parser differs.

    Read from the pattern's parse tree (the `re` module's own parser and compiler, so
    each single character test, with its case folding, is the one `re` runs): each
    node gives the (short, full) sets of its matches, concatenated left to right;
    repeats to a fixed point. A start-pattern test costs 1.4 to 3.5 us per line; a
    set test on the first characters lets nine lines in ten skip it on news_copies.
    """
    try:
        from re import _compiler, _constants, _parser
        parsed = _parser.parse(pattern)
        short, full = _Prefixes(_compiler, _constants, _parser, parsed.state, min_chars,
                                alphabet).seq(parsed, parsed.state.flags, True)
    except Exception:  # noqa: BLE001 - no gate: every line is matched
        return None
    if "" in short:
        return None
    return frozenset(short), frozenset(full)


def _is_length_cap(item, constants) -> int | None:
    """n for a "(?!.{n})" node (a negative lookahead of exactly n of any character)."""
    op, av = item
    if op is not constants.ASSERT_NOT or av[0] != 1 or len(av[1]) != 1:
        return None
    inner_op, inner = av[1][0]
    if inner_op is not constants.MAX_REPEAT and inner_op is not constants.MIN_REPEAT:
        return None
    lo, hi, sub = inner
    if lo != hi or len(sub) != 1 or sub[0][0] is not constants.ANY:
        return None
    return lo


class _Unanalysed(Exception):
    pass


class _Prefixes:
    """The (short, full) prefix sets of regex parse-tree nodes (see `start_prefixes`)."""

    LIMIT = 200_000  # prefixes of one node: a larger set is not worth a gate

    def __init__(self, compiler, constants, parser, state, min_chars: int = 0,
                 alphabet: str | None = None) -> None:
        c = constants
        self.compiler, self.parser, self.state, self.c = compiler, parser, state, c
        self.min_chars = min_chars  # (the line's length is at least this)
        #: "$" and "\\Z": the end of a line (it holds no newline)
        self.ends = (c.AT_END, c.AT_END_STRING, c.AT_END_LINE)
        self.alphabet = _ASCII_CHARS if alphabet is None else list(alphabet)
        self.one_char = (c.LITERAL, c.NOT_LITERAL, c.IN, c.ANY)
        self.zero_width = (c.AT, c.ASSERT, c.ASSERT_NOT)
        self.repeats = (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT)
        self.chars: dict = {}

    def concat(self, a, b):
        k = PREFIX_CHARS
        short, full = set(), set(a[1])
        for s in a[0]:
            for t in b[0]:
                u = s + t
                (full.add(u[:k]) if len(u) >= k else short.add(u))
            for t in b[1]:
                full.add(s + t[:k - len(s)])
        if len(full) > self.LIMIT:
            raise _Unanalysed
        return short, full

    def seq(self, items, flags, at_start: bool = False):
        """`at_start`: the items begin at the line's start (nothing matched before)."""
        acc = ({""}, set())
        for item in items:
            if not acc[0]:
                break  # every prefix is PREFIX_CHARS long: later items change nothing
            if at_start and acc[0] == {""} and not acc[1]:
                cap = _is_length_cap(item, self.c)
                if cap is not None and cap <= self.min_chars:
                    return set(), set()  # no line this long matches
            if at_start and self.min_chars and item[0] is self.c.AT and item[1] in self.ends:
                # the match ends the line here: a line this long is no shorter match
                acc = ({text for text in acc[0] if len(text) >= self.min_chars}, acc[1])
                continue
            acc = self.concat(acc, self.node(item, flags, at_start and acc == ({""}, set())))
        return acc

    def node(self, item, flags, at_start: bool = False):
        op, av = item
        c = self.c
        if op in self.zero_width:
            return {""}, set()
        if op in self.one_char:
            key = (op, repr(av), flags)
            if key not in self.chars:
                test = self.compiler.compile(self.parser.SubPattern(self.state, [item]), flags)
                self.chars[key] = {x for x in self.alphabet if test.fullmatch(x)}
            return set(self.chars[key]), set()
        if op is c.BRANCH:
            parts = [self.seq(alt, flags, at_start) for alt in av[1]]
            return set().union(*(p[0] for p in parts)), set().union(*(p[1] for p in parts))
        if op is c.SUBPATTERN:
            _, add, drop, sub = av
            return self.seq(sub, (flags | add) & ~drop, at_start)
        if op is c.ATOMIC_GROUP:
            return self.seq(av, flags, at_start)
        if op in self.repeats:
            lo, hi, sub = av
            one = self.seq(sub, flags)
            acc, n = ({""}, set()), 0
            while n < lo:  # exactly `lo` rounds (or fewer, at a fixed point)
                more = self.concat(acc, one)
                if more == acc:
                    break
                acc, n = more, n + 1
            while n < hi:  # then any number more, up to `hi` or a fixed point
                step = self.concat(acc, one)
                more = (acc[0] | step[0], acc[1] | step[1])
                if more == acc:
                    break
                acc, n = more, n + 1
            return acc
        raise _Unanalysed


def _prefilter(rules) -> "Prefilter | None":
    """One test for "could any of `rules` drop this line?", from their MAY_DROP* declarations.

    None when a rule declares none (it may drop any line, e.g. c4_min_words).
    """
    if any(r.MAY_DROP is None and r.MAY_DROP_AT_START is None and not r.MAY_DROP_AT_END
           for r in rules):
        return None
    return Prefilter(rules)


class Prefilter:
    """The union of the rules' MAY_DROP* conditions as C-level tests (picklable).

    `MAY_DROP` branches that are plain literals (all of them today) become
    substring tests: one regex joining "<", ":", "/", "javascript", ... is
    tried at every position of the line by sre (measured 5 us on a
    300-character line), and even a character class is tested character by
    character (1.1 us on a news line); an `in` per literal (memchr for one
    character) takes 0.5 us for the characters, and an ASCII line skips the
    non-ASCII literals.
    """

    def __init__(self, rules) -> None:
        never = "(?!)"
        starts = [_capped_start(r) for r in rules if r.MAY_DROP_AT_START is not None]
        self.start = regex_programs.compile("|".join(starts)) if starts else None
        branches = [b for r in rules if r.MAY_DROP is not None for b in _branches(r.MAY_DROP)]
        literals = [_literal(b) for b in branches]
        if all(lit is not None for lit in literals):
            chars = sorted({lit for lit in literals if len(lit) == 1})
            words = [lit for lit in literals if len(lit) > 1 and lit[0] not in chars]
            self.literals = (*chars, *dict.fromkeys(words))
            self.anywhere = None
        else:  # Joined flat, not wrapped in groups: see LineFilter for why (3x faster).
            self.literals = ()
            self.anywhere = regex_programs.compile("|".join(branches) or never)
        self.ascii_literals = tuple(lit for lit in self.literals if lit.isascii())
        self.ends = tuple(end for r in rules for end in r.MAY_DROP_AT_END)

    def found_in(self, lower: str) -> bool:
        """Whether a `MAY_DROP` literal occurs in the lower-cased line (literal prefilters)."""
        for literal in self.ascii_literals if lower.isascii() else self.literals:
            if literal in lower:
                return True
        return False

    def __call__(self, line: str, lower: str | None = None) -> bool:
        if self.ends and line.rstrip().endswith(self.ends):
            return True
        lower = line.lower() if lower is None else lower
        if self.anywhere is not None:
            if self.anywhere.search(lower) is not None:
                return True
        elif self.found_in(lower):
            return True
        return self.start is not None and self.start.match(line) is not None


def _capped_start(rule) -> str:
    """A rule's `MAY_DROP_AT_START` for the union, false in a line longer than the rule's
    `line_cap` (which it keeps): "By " opens a third of the long story lines of
    generated prose that the start prefixes flag, and the byline rule judges lines of
    160 characters at most."""
    cap = rule.line_cap()
    start = f"(?:{rule.MAY_DROP_AT_START})"
    return start if cap is None else f"(?:(?!.{{{cap + 1}}}){start})"


def _rule_guard(rule) -> "Prefilter | _Guard | None":
    """A cheap per-rule test: the rule's `GUARD` literals, else its conditions when they
    are literal `MAY_DROP` text, line ends and the first characters of its
    `MAY_DROP_AT_START` matches (`StartGuard`: a teaser check costs 8 us, its endswith
    test 0.3 us; a share-line check 4 us, its start test 0.4 us); the start regex itself
    would cost as much as the rule it guards. (`Cleaner._first_failure` runs it inline:
    it reads `ends`, the literals and `starts`.)"""
    if rule.GUARD is not None:
        return _Guard(tuple(rule.GUARD), tuple(rule.MAY_DROP_AT_END))
    if rule.MAY_DROP is None and not rule.MAY_DROP_AT_END and rule.MAY_DROP_AT_START is None:
        return None
    literals: tuple[str, ...] = ()
    if rule.MAY_DROP is not None:
        found = [_literal(branch) for branch in _branches(rule.MAY_DROP)]
        if any(lit is None for lit in found):
            return None  # (not plain literals)
        literals = tuple(dict.fromkeys(found))
    starts = None
    if rule.MAY_DROP_AT_START is not None:
        starts = StartGuard.of(rule.MAY_DROP_AT_START)
        if starts is None:
            return None
    return _Guard(literals, tuple(rule.MAY_DROP_AT_END), starts)


@dataclass(frozen=True, slots=True)
class _Guard:
    """A rule's `GUARD`: it may drop a line that ends with one of `ends`, or whose
    `str.lower()` holds one of `literals`, or (`starts`, if any) that may begin a match
    of its start pattern."""

    literals: tuple[str, ...]
    ends: tuple[str, ...]
    starts: "StartGuard | None" = None

    @property
    def ascii_literals(self) -> tuple[str, ...]:
        return tuple(lit for lit in self.literals if lit.isascii())


#: besides ASCII and a pattern's own characters, those a `StartGuard` knows: what
#: chrome lines start with (bullets, dashes, quotes, arrows; `doc_scan.BULLETS`). A line
#: starting with another character is sent to the rule (every Unicode space or letter
#: known made the analysis ~100x slower: 75k prefixes of spaces and bullets)
_LINE_START_CHARS = frozenset("•·‣⁃▪►▸◦●○■□–—→»«›‹…“”‘’„【】「」『』（）［］：")


class StartGuard(tuple):
    """What a line must begin with to match a start pattern (`may_begin`): the prefix
    sets of `start_prefixes` over an alphabet of ASCII and the pattern's own characters
    (with their other cases), and the first one and two characters of the long ones.
    A line's first characters outside the alphabet are unknown: they may begin a match."""

    __slots__ = ()

    @classmethod
    def of(cls, pattern: str) -> "StartGuard | None":
        """The guard of `pattern`, kept on disk between runs (with its prefix sets read
        back and the guard built from them, three guards took 20 ms of every start-up)."""
        return disk_cached("start-guard", f"{_source_digest()}|{PREFIX_CHARS}|{pattern}",
                           lambda: cls.build(pattern))

    @classmethod
    def build(cls, pattern: str) -> "StartGuard | None":
        chars = {char for char in pattern if not char.isascii()} | _LINE_START_CHARS
        alphabet = "".join(sorted({*map(chr, range(128)), *chars,
                                   *(other for char in chars
                                     for other in (char.lower(), char.upper(), char.casefold())
                                     if len(other) == 1)}))
        prefixes = start_prefixes(pattern, PREFIX_CHARS, alphabet)
        if prefixes is None:
            return None
        short, full = prefixes
        firsts = frozenset({p[0] for p in full} | {p[0] for p in short if len(p) == 2})
        pairs = frozenset(p[:2] for p in full)
        return cls((frozenset(alphabet), short, full, firsts, pairs))


def may_begin(line: str, starts: StartGuard) -> bool:
    """Whether `line` may begin a match of the pattern of `starts` (False: it cannot).
    The prefixes are those of lines of PREFIX_CHARS characters or more (a shorter
    match that must end the line, "^(?:share|•|\\s)+$", is left out of them)."""
    alphabet, short, full, firsts, pairs = starts
    head = line[:3]
    if head in full or len(head) < PREFIX_CHARS or short and (head[:2] in short
                                                              or head[:1] in short):
        return True
    if head.isascii():  # (every ASCII character is known)
        return False
    for k, char in enumerate(head):
        if char not in alphabet:  # (unknown from here on: any prefix agreeing so far)
            return k == 0 or (head[:1] in firsts if k == 1 else head[:2] in pairs)
    return False


def _branches(pattern: str) -> list[str]:
    """Top-level "|" branches of a regex (a backslash-escaped "|" stays inside its branch)."""
    out, current, escaped = [], [], False
    for char in pattern:
        if char == "|" and not escaped:
            out.append("".join(current))
            current = []
        else:
            current.append(char)
        escaped = char == "\\" and not escaped
    out.append("".join(current))
    return out


_META = set(".^$*+?{}[]()|\\")


def _literal(branch: str) -> str | None:
    """The text a regex branch matches when it is a plain literal (escapes allowed), else None."""
    out, i = [], 0
    while i < len(branch):
        char = branch[i]
        if char == "\\":
            if i + 1 >= len(branch) or branch[i + 1].isalnum():
                return None  # \d, \b, ...: a class or an anchor, not a literal
            out.append(branch[i + 1])
            i += 2
            continue
        if char in _META:
            return None
        out.append(char)
        i += 1
    return "".join(out) or None


@dataclass(slots=True)
class _Band:
    """The rules that can judge lines of one length range, with their prefilters.

    `steps` (for any line) and `ascii_steps` (for an ASCII line: its literals without
    the non-ASCII ones) are `rules` as `(check_line, literals, ends, starts)`: the rule
    runs when `literals` is None (no guard), or the stripped line ends with one of
    `ends`, or one of `literals` is in the lower-cased line, or `starts` (a StartGuard)
    says the line may begin a start match. `first` and `ascii_first` run them
    (`chain_of`).
    """

    any: Prefilter | None
    rules: list[tuple[Any, "Prefilter | None"]]
    steps: tuple[tuple[Any, tuple[str, ...] | None, tuple[str, ...]], ...] = ()
    ascii_steps: tuple[tuple[Any, tuple[str, ...] | None, tuple[str, ...]], ...] = ()
    #: `first_failure(line, lower, stripped, ctx)` of `steps` and of `ascii_steps`
    #: (`chain_of`): the first verdict that drops the line, or None
    first: Any = None
    ascii_first: Any = None

    def __post_init__(self) -> None:
        self.steps = tuple((rule.check_line, None if guard is None else guard.literals,
                            () if guard is None else guard.ends, getattr(guard, "starts", None))
                           for rule, guard in self.rules)
        self.ascii_steps = tuple(
            (rule.check_line, None if guard is None else guard.ascii_literals,
             () if guard is None else guard.ends, getattr(guard, "starts", None))
            for rule, guard in self.rules)
        self.first = chain_of(self.steps)
        self.ascii_first = chain_of(self.ascii_steps)

    def __reduce__(self):  # (the generated functions do not pickle: made again)
        return _Band, (self.any, self.rules)


def chain_of(steps) -> Any:
    """The steps as one function of straight tests, in their order: for step k, when
    its `literals` are None, or the stripped line ends with one of its `ends`, or one of
    its literals is in the lower-cased line, or its `starts` may begin the line, its
    check runs, and a verdict that drops the line is returned (else None at the end).

    Generated once per band (as `dataclasses` makes `__init__`): looping over the step
    tuples and over each guard's literals took half of the ~17 us a teaser line spends
    in the rules (news_copies' non-ASCII pages: 6,368 distinct ones).
    """
    names: dict[str, Any] = {"may_begin": may_begin}
    body = []
    for k, (check, literals, ends, starts) in enumerate(steps):
        names[f"check{k}"] = check
        if literals is None:
            test = "True"
        else:
            tests = []
            if ends:
                names[f"ends{k}"] = ends
                tests.append(f"stripped.endswith(ends{k})")
            tests += [f"{literal!r} in lower" for literal in literals]
            if starts is not None:
                names[f"starts{k}"] = starts
                tests.append(f"may_begin(line, starts{k})")
            test = " or ".join(tests) or "False"
        body.append(f"    if {test}:\n"
                    f"        verdict = check{k}(line, ctx)\n"
                    f"        if not verdict.keep:\n"
                    f"            return verdict\n")
    source = "def first_failure(line, lower, stripped, ctx):\n" + "".join(body) + \
        "    return None\n"
    exec(compile(source, "<line_gate.chain_of>", "exec"), names)  # noqa: S102 - our own code
    return names["first_failure"]


class LineTriage:
    """Per line length, which rules apply and which C-level tests guard them.

    Most chrome rules only judge short lines (`line_cap`); a long body line
    that holds a "<" (wire tickers: "ATT <T>") or a ":" cannot be a
    breadcrumb or a stamp line, so the prefilter of long lines leaves those
    characters out. A line that passes its band's prefilter runs the band's
    rules in the configured order, each behind its own prefilter when that is
    made of literals and line ends only (a set test, a few `in`, an endswith:
    cheaper than the rule; start regexes would cost as much as the rules they guard).
    """

    def __init__(self, rules, prefilters: bool = True) -> None:
        """`prefilters`: build each band's prefilter (`_Band.any`); a cleaner with a
        `LineGate` asks none (its regexes cost ~12 ms of every command's start-up)."""
        caps = [rule.line_cap() for rule in rules]
        self.bounds = sorted({cap for cap in caps if cap is not None})
        guards = [_rule_guard(rule) for rule in rules]
        self.bands = []
        for k in range(len(self.bounds) + 1):
            top = self.bounds[k] if k < len(self.bounds) else None
            active = [i for i, cap in enumerate(caps)
                      if cap is None or (top is not None and cap >= top)]
            self.bands.append(_Band(_prefilter([rules[i] for i in active]) if prefilters else None,
                                    [(rules[i], guards[i]) for i in active]))

    def band(self, length: int) -> _Band:
        """The band of lines of this many characters (lengths up to bounds[k] are band k)."""
        return self.bands[bisect_left(self.bounds, length)]


