"""`Cleaner`: runs the enabled rules over one document and says why each part went.

Order: normalise -> line rules (chrome) -> stray languages -> repeated
paragraphs -> document rules. Line numbers in `removed_lines` are 0-based lines
of the normalised input (normalisation keeps line breaks one for one, so they
are also the input's line numbers). A Cleaner holds only rule objects and the
config, so it pickles cheaply to worker processes; the language model is
loaded once per process on first use.
"""

from __future__ import annotations

import hashlib
import re
import time
from bisect import bisect_left
from collections import Counter
from functools import lru_cache
from itertools import compress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from nearcopy.clean.base import LineContext, Verdict
from nearcopy.clean.chrome import AD_MARKS, AdPlaceholderFilter
from nearcopy.clean.config import CleanConfig
from nearcopy.clean.doc_scan import SAME_KEYS, kept_counts, kept_keys
from nearcopy.clean.documents import DocumentRules
from nearcopy.clean.language import (LanguageFilter, StrayLanguageFilter, detect_language,
                                     latin_languages, script_counts)
from nearcopy.clean.scan import (_TABLES, EMPTY, END, FLAGS, HEADLINE, LANGUAGES, LITERAL,
                                 NON_ASCII, START, UNCAPPED, WORD, encode, scan_rows, tables)
from nearcopy.clean.settled_language import settled_main_language
from nearcopy.clean.stopwords import guess_language
from nearcopy.clean.normalize import normalize
from nearcopy.clean.registry import DOCUMENT_FILTERS, LINE_FILTERS
from nearcopy.clean.normalize import NORMALIZERS
from nearcopy.clean.repetition import RepeatedParagraphFilter
from nearcopy.disk_cache import disk_cached
from nearcopy.document import Document


#: line verdicts kept per Cleaner: lines up to LINE_CACHE_CHARS long, cleared when the
#: kept lines hold LINE_CACHE_TOTAL characters (memory stays under ~10-40 MB whatever the input)
LINE_CACHE_CHARS = 1000
LINE_CACHE_TOTAL = 8_000_000
_UNSEEN = object()


@dataclass(slots=True)
class CleanResult:
    """What cleaning did to one document."""

    text: str
    removed_lines: list[dict[str, Any]] = field(default_factory=list)
    dropped: dict[str, Any] | None = None
    language: str | None = None
    chars_removed: dict[str, int] = field(default_factory=dict)
    normalized: dict[str, int] = field(default_factory=dict)


class Cleaner:
    """Cleans documents with the rules enabled in a `CleanConfig`.

    Example:
        >>> from nearcopy.document import Document
        >>> res = Cleaner(CleanConfig()).clean(Document("d1", "Home > News > World\\nText."))
        >>> res.removed_lines[0]["rule"]
        'breadcrumb'
    """

    def __init__(self, config: CleanConfig | None = None):
        self.config = config if config is not None else CleanConfig()
        build = self._build
        self.normalizers = [build(cls) for cls in NORMALIZERS if self.config.enabled(cls.name)]
        self.ad = build(AdPlaceholderFilter) if self.config.enabled("ad_placeholder") else None
        self.line_filters = [build(cls) for cls in LINE_FILTERS
                             if cls is not AdPlaceholderFilter and self.config.enabled(cls.name)]
        self.stray = build(StrayLanguageFilter) if self.config.enabled("stray_language") else None
        # ASCII documents take `latin_languages` (it needs script strays to be impossible).
        self._latin = self.stray is not None and self.stray.min_script_ratio > 0
        self.repeats = (build(RepeatedParagraphFilter)
                        if self.config.enabled("repeated_paragraph") else None)
        self.doc_filters = [build(cls) for cls in DOCUMENT_FILTERS
                            if cls is not LanguageFilter and self.config.enabled(cls.name)]
        langs = self.config.languages or tuple(self.config.params("language_filter")["languages"])
        self.language_filter = (LanguageFilter(languages=langs)
                                if langs and self.config.enabled("language_filter") else None)
        self._doc_rules = DocumentRules(
            [(rule, None) for rule in [self.language_filter] if rule]
            + [(rule, rule.params.get("languages")) for rule in self.doc_filters])
        self._triage = LineTriage(self.line_filters)
        self._gate = LineGate.of(self.line_filters, self.ad is not None)
        # Verdicts by line text: copies and site templates repeat lines across documents
        # (a third of news_copies' lines), and a verdict depends on the text alone unless a
        # rule reads the line's position.
        self._verdicts: dict[str, Verdict | None] | None = (
            None if any(rule.USES_CONTEXT for rule in self.line_filters) else {})
        self._cached_chars = 0
        #: the context given to rules that do not read it (a verdict cache means none
        #: does): a LineContext costs 1.2 us to build, on 12k lines of news_copies
        self._anywhere = LineContext(0, 1)
        self.timings: Counter[str] = Counter()

    def _build(self, cls):
        return cls(**self.config.params(cls.name))

    def __getstate__(self):
        state = dict(self.__dict__)  # the verdict cache stays in its process
        if state.get("_verdicts"):
            state["_verdicts"], state["_cached_chars"] = {}, 0
        return state

    def clean(self, doc: Document) -> CleanResult:
        """Clean one document (the input document is not modified)."""
        t0 = time.perf_counter()
        normalized: dict[str, int] = {}
        text = normalize(doc.text, self.normalizers, normalized)
        res = CleanResult(text="", normalized=normalized)
        data = encode(text)
        gate = self._gate
        rows = scan_rows(data, _TABLES if gate is None else gate.tables())
        stats = rows[:FLAGS + 1]
        ascii_text = len(data) == len(text)
        lines = text.split("\n")
        if gate is None:
            numbers, lines, changed = self._line_rules(lines, res)
        else:
            numbers, lines, changed = self._gated_line_rules(lines, stats[FLAGS], res)
        t1 = time.perf_counter()
        numbers, lines, language = self._languages(stats, numbers, lines, changed, res,
                                                   ascii_text)
        t2 = time.perf_counter()
        counts = kept_counts(rows, numbers, changed, ascii_text, len(data))
        if self.repeats is not None and (counts is None or counts[SAME_KEYS]):
            # (no two loose keys alike: no paragraph repeats, `repeated` says [] at once)
            keys = kept_keys(rows, numbers) if counts else None
            drop = self.repeats.repeated(lines, counts, keys)
            if drop:
                numbers, lines = self._remove(numbers, lines, drop, self.repeats.name, res)
                counts = kept_counts(rows, numbers, changed, ascii_text, len(data))
        res.language = language
        res.dropped = self._doc_rules.first_failure(lines, counts, language)
        res.text = "\n".join(lines)
        t3 = time.perf_counter()
        self.timings["rules"] += (t1 - t0) + (t3 - t2)
        self.timings["language_id"] += t2 - t1
        return res

    def _line_rules(self, lines: list[str], res: CleanResult):
        """Strip placeholders, then drop a line on the first line rule that fires.

        Returns the kept lines' numbers, their texts, and the numbers of the kept
        lines whose text lost a placeholder.
        """
        numbers, kept, changed = [], [], set()
        for i, raw in enumerate(lines):
            if raw:
                line = self._judge(raw, i, len(lines), res, changed)
                if line is not None:
                    numbers.append(i)
                    kept.append(line)
        return numbers, kept, changed

    def _gated_line_rules(self, lines: list[str], flags: list[int], res: CleanResult):
        """`_line_rules`, with the lines no rule can drop let through at a glance.

        A line goes to the rules (`_judge`) only when the compiled scan cannot vouch
        for it (a non-ASCII line) or when it may pass the prefilter of the union of
        all line rules (`LineGate`): it holds one of the literal characters or ends with
        one of the ends (flags from the scan), or holds a literal word (WORD) or may
        begin a start-pattern match (START: its first characters, then
        `LineGate.may_pass`; see `_judge`). Any other line would fail its length
        band's prefilter, which is never looser than the union's, so it is kept as it
        is: those lines, most of a story, are picked from the flags in bulk (C-level
        list passes; a Python loop over them with a prefix test each cost ~0.07 s on
        news_copies). A line whose verdict is cached, and that holds no placeholder to
        cut out, is settled here without `_judge`.
        """
        judge = NON_ASCII | LITERAL | END
        asked = judge | WORD | START
        settled = asked | EMPTY
        keep = [not flag & settled for flag in flags]
        changed: set[int] = set()
        texts: dict[int, str] = {}
        num_lines = len(lines)
        cache = self._verdicts
        marked = judge if self.ad is not None else 0  # (vouched lines hold no placeholder)
        for i in [i for i, flag in enumerate(flags) if flag & asked]:
            flag = flags[i]
            raw = lines[i]
            vouched = 0 if flag & judge else flag
            if flag & marked and (AD_MARKS[0] in raw or AD_MARKS[1] in raw) \
                    and self.ad.strip(raw) != raw:
                text = self._judge(raw, i, num_lines, res, changed, vouched)
            else:
                verdict = _UNSEEN if cache is None else cache.get(raw, _UNSEEN)
                if verdict is None:
                    keep[i] = True
                    continue
                if verdict is not _UNSEEN:
                    self._record(res, i, raw, verdict.reason)
                    continue
                text = self._settle(raw, i, num_lines, res, vouched)
            if text is not None:
                keep[i] = True
                if i in changed:
                    texts[i] = text
        numbers = list(compress(range(num_lines), keep))
        kept = list(compress(lines, keep))
        for i, text in texts.items():
            kept[bisect_left(numbers, i)] = text
        return numbers, kept, changed

    def _judge(self, raw: str, i: int, num_lines: int, res: CleanResult, changed: set[int],
               vouched: int = 0) -> str | None:
        """Strip the placeholders of line `i`, then return its text to keep, or None when
        it is dropped (the first rule that drops it is recorded). Verdicts are
        remembered by line text. `vouched`: the scan's flags of a line it vouches for
        (no placeholder) but for a literal word (WORD) or a start prefix (START): it
        goes to the rules only when it holds the word or `LineGate.may_pass`."""
        line = raw
        if not vouched and self.ad is not None and (AD_MARKS[0] in raw or AD_MARKS[1] in raw):
            line = self._strip_placeholders(raw, i, res)
            if not line:
                return None
            if line != raw:
                changed.add(i)
        return self._settle(line, i, num_lines, res, vouched)

    def _settle(self, line: str, i: int, num_lines: int, res: CleanResult,
                vouched: int = 0) -> str | None:
        """`_judge` of a line without placeholders: its cached or new verdict, recorded."""
        cache = self._verdicts
        cacheable = cache is not None and len(line) <= LINE_CACHE_CHARS
        verdict = cache.get(line, _UNSEEN) if cacheable else _UNSEEN
        if verdict is _UNSEEN:
            verdict = (self._first_failure(line, i, num_lines)
                       if not vouched or vouched & WORD or self._may_pass(line) else None)
            if cacheable:
                self._remember(line, verdict)
        if verdict is None:
            return line
        self._record(res, i, line, verdict.reason)
        return None

    def _may_pass(self, line: str) -> bool:
        """`LineGate.may_pass`, without its word test when the scan flags the words."""
        gate = self._gate
        return gate.may_start(line) if gate.scanned else gate.may_pass(line)

    def _strip_placeholders(self, raw: str, i: int, res: CleanResult) -> str:
        """The line without its "[ad_1]"-style tokens ("" when nothing else is left)."""
        line = self.ad.strip(raw)
        if line == raw:
            return line
        if not line:
            self._record(res, i, raw, self.ad.name)
            return line
        _add(res.chars_removed, self.ad.name, len(raw) - len(line))
        res.removed_lines.append({"line": i, "text": _removed_part(raw, line),
                                  "rule": self.ad.name})
        return line

    def _remember(self, line: str, verdict: Verdict | None) -> None:
        """Cache a verdict; all of them go when the cached lines outgrow LINE_CACHE_TOTAL."""
        self._cached_chars += len(line)
        if self._cached_chars > LINE_CACHE_TOTAL:
            self._verdicts.clear()
            self._cached_chars = len(line)
        self._verdicts[line] = verdict

    def _first_failure(self, line: str, index: int, num_lines: int) -> Verdict | None:
        """The verdict of the first line rule that drops `line`, or None: the rules of
        its length band in order, each behind its guard (`_Band.steps`)."""
        band = self._triage.band(len(line))
        lower = line.lower()
        if band.any is not None and not band.any(line, lower):
            return None  # no rule can fire: most body lines end here
        stripped = line.rstrip()
        ctx = self._anywhere if self._verdicts is not None else LineContext(index, num_lines)
        for check, literals, ends in band.ascii_steps if lower.isascii() else band.steps:
            if literals is not None and not (ends and stripped.endswith(ends)):
                for literal in literals:
                    if literal in lower:
                        break
                else:
                    continue
            verdict = check(line, ctx)
            if not verdict.keep:
                return verdict
        return None

    def _languages(self, stats: list[list[int]], numbers: list[int], lines: list[str],
                   changed: set[int], res: CleanResult, ascii_text: bool = False):
        """Detect the main language; drop stray-language lines.

        The letters, function-word guesses and headline case of the ASCII lines come
        from one compiled pass over the document (scan.py); other lines, and lines
        that lost a placeholder, are asked of the Python definitions. `ascii_text`:
        the whole document is ASCII (no line to look for).
        """
        all_letters, all_words, all_guesses, all_flags = stats
        min_words = self.stray.min_words if self.stray is not None else 0
        if not changed and (ascii_text or not any([all_flags[i] & NON_ASCII for i in numbers])):
            if self._latin:
                main = settled_main_language(stats, numbers, lines, self.stray)
                if main is not None:
                    return numbers, lines, main
            letters = [all_letters[i] for i in numbers]  # (every line from the scan)
            guesses = [LANGUAGES[all_guesses[i]] for i in numbers]
            may_flag = [all_words[i] >= min_words and not all_flags[i] & HEADLINE
                        for i in numbers]
            if self._latin:
                main, drop = latin_languages(lines, letters, guesses, may_flag, self.stray)
                numbers, lines = self._remove(numbers, lines, drop, self.stray.name, res)
                return numbers, lines, main
            scripts = [{"latin": n} if n else {} for n in letters]
            return self._stray_languages(numbers, lines, scripts, letters, guesses, may_flag,
                                         res)
        scripts, letters, guesses, may_flag = [], [], [], []
        for i, line in zip(numbers, lines):
            if all_flags[i] & NON_ASCII or i in changed:
                counts = script_counts(line)
                scripts.append(counts)
                letters.append(sum(counts.values()))
                guesses.append(guess_language(line))
                may_flag.append(None)
            else:
                n = all_letters[i]
                scripts.append({"latin": n} if n else {})
                letters.append(n)
                guesses.append(LANGUAGES[all_guesses[i]])
                may_flag.append(all_words[i] >= min_words and not all_flags[i] & HEADLINE)
        return self._stray_languages(numbers, lines, scripts, letters, guesses, may_flag, res)

    def _stray_languages(self, numbers, lines, scripts, letters, guesses, may_flag, res):
        main, main_script, preds = detect_language(lines, scripts, letters, self.stray,
                                                   guesses, may_flag)
        if self.stray is not None and main is not None:
            drop = self.stray.stray_lines(lines, preds, scripts, letters, main, main_script,
                                          may_flag)
            numbers, lines = self._remove(numbers, lines, drop, self.stray.name, res)
        return numbers, lines, main

    def _remove(self, numbers: list[int], lines: list[str], drop: list[int], rule: str,
                res: CleanResult) -> tuple[list[int], list[str]]:
        """Remove the lines at positions `drop` of `lines`, recording them under `rule`."""
        if not drop:
            return numbers, lines
        drop = set(drop)
        for j in sorted(drop):
            self._record(res, numbers[j], lines[j], rule)
        keep = [j for j in range(len(lines)) if j not in drop]
        return [numbers[j] for j in keep], [lines[j] for j in keep]

    @staticmethod
    def _record(res: CleanResult, line_no: int, text: str, rule: str) -> None:
        res.removed_lines.append({"line": line_no, "text": text, "rule": rule})
        _add(res.chars_removed, rule, len(text))


class LineGate:
    """What the union of all line rules' prefilters looks for, split for `_gated_line_rules`:
    literal characters and ends (flagged by the compiled scan of ASCII lines), and the
    literal words and start patterns (`may_pass`, per line).

    `caps[k]` is the longest line a rule looking for `chars[k]` judges (`line_cap`):
    a 300-character story line holding ":" or "/" is judged by no rule that looks
    for them (breadcrumbs and stamps are short), so the scan does not flag it."""

    def __init__(self, chars: str, words: tuple[str, ...], ends: tuple[str, ...],
                 start: re.Pattern | None, caps: tuple[int, ...] = ()) -> None:
        self.chars, self.words, self.ends, self.start = chars, words, ends, start
        self.caps = caps
        self._prefixes: tuple | None | bool = False  # False: not built yet
        self._tables: np.ndarray | None = None  # (built once: the lru key costs 1 us a call)
        #: whether the scan flags the lines holding a word (WORD); else `may_pass` looks
        self.scanned = tables(chars, ends, words) is not None

    def __getstate__(self):
        return {**self.__dict__, "_prefixes": False, "_tables": None}  # (rebuilt per process)

    @classmethod
    def of(cls, rules, placeholders: bool) -> "LineGate | None":
        """The gate of these rules (with "[" and "{" when placeholders are cut out), or
        None when a rule may drop any line, a `MAY_DROP` is not plain literals, or the
        ends do not fit the scan's table."""
        union = _prefilter(rules)
        if union is None or union.anywhere is not None:
            return None
        chars = "".join(lit for lit in union.literals if len(lit) == 1)
        caps = tuple(_literal_cap(char, rules) for char in chars)
        if placeholders:  # (cut out of lines of any length)
            chars += "".join(AD_MARKS)
            caps += (UNCAPPED,) * len(AD_MARKS)
        words = tuple(lit for lit in union.literals if len(lit) > 1)
        if tables(chars, union.ends) is None:
            return None
        return cls(chars, words, union.ends, union.start, caps)

    def tables(self) -> np.ndarray:
        """The scan's tables for this gate (flags LITERAL, END, START and, if `scanned`,
        WORD)."""
        if self._tables is None:
            self._tables = saved_tables(self.chars, self.ends,
                                        self.words if self.scanned else (), self.caps,
                                        self.starts())
        return self._tables

    def starts(self) -> tuple[frozenset[str], frozenset[str]] | None:
        """The prefixes the scan flags START by (`scan.tables`): none without a start
        pattern; None (every line) when they cannot be bounded, or when the scan does not
        flag the words (`may_pass` then looks for them in every line)."""
        if not self.scanned:
            return None
        if self.start is None:
            return frozenset(), frozenset()
        short, full = self.prefixes()
        return None if short is None else (short, full)

    def prefixes(self) -> tuple[frozenset[str] | None, frozenset[str] | None]:
        """`start_prefixes` of the start pattern ((None, None): no start pattern, or it
        cannot be bounded)."""
        prefixes = self._prefixes
        if prefixes is False:
            prefixes = self._prefixes = (None if self.start is None
                                         else saved_start_prefixes(self.start.pattern))
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
        prefixes = self.prefixes()
        if prefixes != (None, None):
            short, full = prefixes
            if line[:3] not in full and line[:2] not in short and line[:1] not in short:
                return False
        return self.start.match(line) is not None


def _literal_cap(char: str, rules) -> int:
    """The longest line judged by a rule with a `MAY_DROP` literal that starts with `char`
    (UNCAPPED: any). A literal word starting with a literal character ("::" after ":")
    is left out of the gate's words: the character's cap must cover it too."""
    cap = 0
    for rule in rules:
        literals = [_literal(b) for b in _branches(rule.MAY_DROP or "")]
        if any(lit and lit[0] == char for lit in literals):
            rule_cap = rule.line_cap()
            cap = max(cap, UNCAPPED if rule_cap is None else rule_cap)
    return cap


#: `start_prefixes` gives the first PREFIX_CHARS characters a match can begin with
PREFIX_CHARS = 3
_ASCII_CHARS = [chr(c) for c in range(128)]


def saved_start_prefixes(pattern: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """`start_prefixes`, kept on disk between runs (building them took ~0.2 s of every
    `run` and `clean`); the key holds this module's source, so a change to the analysis
    builds them again."""
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    return disk_cached("start-prefixes", f"{source}|{PREFIX_CHARS}|{pattern}",
                       lambda: start_prefixes(pattern))


def saved_tables(chars: str, ends: tuple[str, ...], words: tuple[str, ...],
                 caps: tuple[int, ...], starts) -> np.ndarray | None:
    """`scan.tables`, kept on disk between runs (building them took 0.04 s of every
    process that cleans); the key holds the scan's sources, so a change rebuilds them."""
    from nearcopy.clean import kernels as scan_kernels, scan

    source = hashlib.sha256(Path(scan.__file__).read_bytes()
                            + Path(scan_kernels.__file__).read_bytes()).hexdigest()
    start_key = None if starts is None else [sorted(part) for part in starts]
    key = f"{source}|{np.__version__}|{chars!r}|{ends!r}|{words!r}|{caps!r}|{start_key!r}"
    built = disk_cached("scan-tables", key, lambda: tables(chars, ends, words, caps, starts))
    if built is not None:
        built.flags.writeable = False  # (as `tables` leaves it; unpickling does not)
    return built


@lru_cache(maxsize=8)
def start_prefixes(pattern: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """What an ASCII line that `re.match(pattern, line)` matches begins with: (short,
    full), where a match of fewer than PREFIX_CHARS characters is in `short` and the
    first PREFIX_CHARS characters of a longer one are in `full`. A superset: assertions
    (lookarounds, anchors) are taken as always true. None when the pattern can match
    the empty string or holds something not analysed here (backreferences, a
    conditional), or on a Python whose regex parser differs.

    Read from the pattern's parse tree (the `re` module's own parser and compiler, so
    each single character test, with its case folding, is the one `re` runs): each
    node gives the (short, full) sets of its matches, concatenated left to right;
    repeats to a fixed point. A start-pattern test costs 1.4 to 3.5 us per line; a
    set test on the first characters lets nine lines in ten skip it on news_copies.
    """
    try:
        from re import _compiler, _constants, _parser
        parsed = _parser.parse(pattern)
        short, full = _Prefixes(_compiler, _constants, _parser, parsed.state).seq(
            parsed, parsed.state.flags)
    except Exception:  # noqa: BLE001 - no gate: every line is matched
        return None
    if "" in short:
        return None
    return frozenset(short), frozenset(full)


class _Unanalysed(Exception):
    pass


class _Prefixes:
    """The (short, full) prefix sets of regex parse-tree nodes (see `start_prefixes`)."""

    LIMIT = 200_000  # prefixes of one node: a larger set is not worth a gate

    def __init__(self, compiler, constants, parser, state) -> None:
        c = constants
        self.compiler, self.parser, self.state, self.c = compiler, parser, state, c
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

    def seq(self, items, flags):
        acc = ({""}, set())
        for item in items:
            if not acc[0]:
                break  # every prefix is PREFIX_CHARS long: later items change nothing
            acc = self.concat(acc, self.node(item, flags))
        return acc

    def node(self, item, flags):
        op, av = item
        c = self.c
        if op in self.zero_width:
            return {""}, set()
        if op in self.one_char:
            key = (op, repr(av), flags)
            if key not in self.chars:
                test = self.compiler.compile(self.parser.SubPattern(self.state, [item]), flags)
                self.chars[key] = {x for x in _ASCII_CHARS if test.fullmatch(x)}
            return set(self.chars[key]), set()
        if op is c.BRANCH:
            parts = [self.seq(alt, flags) for alt in av[1]]
            return set().union(*(p[0] for p in parts)), set().union(*(p[1] for p in parts))
        if op is c.SUBPATTERN:
            _, add, drop, sub = av
            return self.seq(sub, (flags | add) & ~drop)
        if op is c.ATOMIC_GROUP:
            return self.seq(av, flags)
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
        starts = [f"(?:{r.MAY_DROP_AT_START})" for r in rules if r.MAY_DROP_AT_START is not None]
        self.start = re.compile("|".join(starts)) if starts else None
        branches = [b for r in rules if r.MAY_DROP is not None for b in _branches(r.MAY_DROP)]
        literals = [_literal(b) for b in branches]
        if all(lit is not None for lit in literals):
            chars = sorted({lit for lit in literals if len(lit) == 1})
            words = [lit for lit in literals if len(lit) > 1 and lit[0] not in chars]
            self.literals = (*chars, *dict.fromkeys(words))
            self.anywhere = None
        else:  # Joined flat, not wrapped in groups: see LineFilter for why (3x faster).
            self.literals = ()
            self.anywhere = re.compile("|".join(branches) or never)
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


def _rule_guard(rule) -> "Prefilter | _Guard | None":
    """A cheap per-rule test: the rule's `GUARD` literals, else its conditions when they
    are literal `MAY_DROP` text and line ends (a teaser check costs 8 us, its endswith
    test 0.3 us); a start regex would cost as much as the rule it guards.
    (`Cleaner._first_failure` runs it inline: it reads `ends` and the literals.)"""
    if rule.GUARD is not None:
        return _Guard(tuple(rule.GUARD), tuple(rule.MAY_DROP_AT_END))
    if rule.MAY_DROP_AT_START is not None or (rule.MAY_DROP is None and not rule.MAY_DROP_AT_END):
        return None
    guard = Prefilter([rule])
    return guard if guard.anywhere is None and guard.start is None else None


@dataclass(frozen=True, slots=True)
class _Guard:
    """A rule's `GUARD`: it may drop a line that ends with one of `ends`, or whose
    `str.lower()` holds one of `literals`."""

    literals: tuple[str, ...]
    ends: tuple[str, ...]

    @property
    def ascii_literals(self) -> tuple[str, ...]:
        return tuple(lit for lit in self.literals if lit.isascii())


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
    the non-ASCII ones) are `rules` as `(check_line, literals, ends)`: the rule runs
    when `literals` is None (no guard), or the stripped line ends with one of `ends`,
    or one of `literals` is in the lower-cased line. Flat tuples read in one loop cost
    less than the guards' attributes: 5 us a line less on news_copies' 12k lines.
    """

    any: Prefilter | None
    rules: list[tuple[Any, "Prefilter | None"]]
    steps: tuple[tuple[Any, tuple[str, ...] | None, tuple[str, ...]], ...] = ()
    ascii_steps: tuple[tuple[Any, tuple[str, ...] | None, tuple[str, ...]], ...] = ()

    def __post_init__(self) -> None:
        self.steps = tuple((rule.check_line, None if guard is None else guard.literals,
                            () if guard is None else guard.ends) for rule, guard in self.rules)
        self.ascii_steps = tuple(
            (rule.check_line, None if guard is None else guard.ascii_literals,
             () if guard is None else guard.ends) for rule, guard in self.rules)


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

    def __init__(self, rules) -> None:
        caps = [rule.line_cap() for rule in rules]
        self.bounds = sorted({cap for cap in caps if cap is not None})
        guards = [_rule_guard(rule) for rule in rules]
        self.bands = []
        for k in range(len(self.bounds) + 1):
            top = self.bounds[k] if k < len(self.bounds) else None
            active = [i for i, cap in enumerate(caps)
                      if cap is None or (top is not None and cap >= top)]
            self.bands.append(_Band(_prefilter([rules[i] for i in active]),
                                    [(rules[i], guards[i]) for i in active]))

    def band(self, length: int) -> _Band:
        """The band of lines of this many characters (lengths up to bounds[k] are band k)."""
        return self.bands[bisect_left(self.bounds, length)]


def _add(counter: dict[str, int], key: str, value: int) -> None:
    counter[key] = counter.get(key, 0) + value


def _removed_part(raw: str, stripped: str) -> str:
    """The placeholder tokens taken out of a line (for the removed_lines entry)."""
    from nearcopy.clean.chrome import _AD
    return " ".join(_AD.findall(raw)) or raw.replace(stripped, "").strip()


class CleanStats:
    """Per-rule counts for stats.json: lines removed, documents dropped, characters removed."""

    def __init__(self) -> None:
        self.documents = 0
        self.dropped = 0
        self.chars_in = 0
        self.chars_out = 0
        self.lines: Counter[str] = Counter()
        self.docs_dropped: Counter[str] = Counter()
        self.chars: Counter[str] = Counter()
        self.normalized: Counter[str] = Counter()
        self.languages: Counter[str] = Counter()

    def add(self, doc: Document, res: CleanResult) -> None:
        self.documents += 1
        self.chars_in += len(doc.text)
        self.languages[res.language or "und"] += 1
        self.normalized.update(res.normalized)
        for entry in res.removed_lines:
            self.lines[entry["rule"]] += 1
        self.chars.update(res.chars_removed)
        if res.dropped is not None:
            self.dropped += 1
            self.docs_dropped[res.dropped["rule"]] += 1
            self.chars[res.dropped["rule"]] += len(res.text)
        else:
            self.chars_out += len(res.text)

    def to_dict(self) -> dict[str, Any]:
        names = sorted(set(self.lines) | set(self.docs_dropped) | set(self.chars))
        return {"documents": self.documents, "kept": self.documents - self.dropped,
                "dropped": self.dropped, "chars_in": self.chars_in, "chars_out": self.chars_out,
                "rules": {n: {"lines_removed": self.lines[n], "documents_dropped":
                              self.docs_dropped[n], "chars_removed": self.chars[n]}
                          for n in names},
                "normalized_documents": dict(sorted(self.normalized.items())),
                "languages": dict(self.languages.most_common())}
