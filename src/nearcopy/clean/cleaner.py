"""`Cleaner`: runs the enabled rules over one document and says why each part went.

Order: normalise -> line rules (chrome) -> stray languages -> repeated
paragraphs -> document rules. Line numbers in `removed_lines` are 0-based lines
of the normalised input (normalisation keeps line breaks one for one, so they
are also the input's line numbers). A Cleaner holds only rule objects and the
config, so it pickles cheaply to worker processes; the language model is
loaded once per process on first use.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import Counter
from itertools import compress
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nearcopy.clean.base import LineContext, Verdict
from nearcopy.clean.boilerplate import TemplateLines
from nearcopy.clean.chrome import AD_MARKS, AdPlaceholderFilter
from nearcopy.clean.config import CleanConfig
from nearcopy.clean.doc_scan import (SAME_KEYS, SUM_LIMIT, counts_from_sums, kept_counts,
                                     kept_keys)
from nearcopy.clean.documents import DocumentRules
from nearcopy.clean.line_gate import LineGate, LineTriage
from nearcopy.clean.language import (LanguageFilter, StrayLanguageFilter, detect_language,
                                     latin_languages, script_counts)
from nearcopy.clean.kernels import (EMPTY_SHIFT, T_ASKED, T_FLAGS, T_SAME_KEYS, T_SUMS_A,
                                    T_SUMS_B, T_TEMPLATES, TRIGGER_SHIFT)
from nearcopy.clean.scan import (EMPTY, END, FLAGS, HEADLINE, LANGUAGES, LITERAL,
                                 NON_ASCII, START, TEMPLATE, WORD, base_tables, encode,
                                 kept_text, scan_view, short_word_probes, short_words_in,
                                 with_stray, with_template)
from nearcopy.clean.settled_language import (asks_model, settled_by_model, settled_by_sums,
                                             settled_main_language)
from nearcopy.clean.stopwords import guess_language
from nearcopy.clean.normalize import ascii_trigger_bits, normalize_encoded
from nearcopy.clean.registry import DOCUMENT_FILTERS, LINE_FILTERS
from nearcopy.clean.normalize import NORMALIZERS
from nearcopy.clean.repetition import RepeatedParagraphFilter
from nearcopy.document import Document


#: line verdicts kept per Cleaner: lines up to LINE_CACHE_CHARS long, cleared when the
#: kept lines hold LINE_CACHE_TOTAL characters (memory stays under ~10-40 MB whatever the input)
LINE_CACHE_CHARS = 1000
LINE_CACHE_TOTAL = 8_000_000
_UNSEEN = object()
#: the scan's flags that send a line to the gate's rules (see `_gated_line_rules`)
GATE_ASKS = NON_ASCII | LITERAL | END | WORD | START


@dataclass(slots=True)
class CleanResult:
    """What cleaning did to one document."""

    text: str
    removed_lines: list[dict[str, Any]] = field(default_factory=list)
    dropped: dict[str, Any] | None = None
    language: str | None = None
    chars_removed: dict[str, int] = field(default_factory=dict)
    normalized: dict[str, int] = field(default_factory=dict)
    #: a kept document's distinct corpus-boilerplate keys (`Cleaner.template`), else None
    template_keys: list[int] | None = None

    def __init__(self, text: str = "", removed_lines: list[dict[str, Any]] | None = None,
                 dropped: dict[str, Any] | None = None, language: str | None = None,
                 chars_removed: dict[str, int] | None = None,
                 normalized: dict[str, int] | None = None,
                 template_keys: list[int] | None = None):
        # (written out: the generated one's default factories took ~1 us a document in
        # a profile of prose)
        self.text = text
        self.removed_lines = [] if removed_lines is None else removed_lines
        self.dropped = dropped
        self.language = language
        self.chars_removed = {} if chars_removed is None else chars_removed
        self.normalized = {} if normalized is None else normalized
        self.template_keys = template_keys


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
        self._gate = LineGate.of(self.line_filters, self.ad is not None)
        #: a document none of whose lines the gate asks about may be finished from the
        #: scan's sums (`_settled_document`): it needs the gate and `settled_main_language`
        self._settles = self._gate is not None and self._latin
        self._triage = LineTriage(self.line_filters, prefilters=self._gate is None)
        # Verdicts by line text: copies and site templates repeat lines across documents
        # (a third of news_copies' lines), and a verdict depends on the text alone unless a
        # rule reads the line's position.
        self._verdicts: dict[str, Verdict | None] | None = (
            None if any(rule.USES_CONTEXT for rule in self.line_filters) else {})
        self._cached_chars = 0
        #: the context given to rules that do not read it (a verdict cache means none
        #: does): a LineContext costs 1.2 us to build, on 12k lines of news_copies
        self._anywhere = LineContext(0, 1)
        #: how the scan keys template-like lines for corpus boilerplate (None: it does not;
        #: `TemplateLines.keys_of` then keys the cleaned text)
        self.template = TemplateLines.of(self.config)
        if self.template is not None and (self.template.content_min_words < 1 or (
                self.template.min_words < 1 and self.template.min_chars < 1)):
            self.template = None  # (an empty text has a key then, and the scan keys no line)
        self._tables = None  # the scan's tables, built on first use in each process
        self._probes: tuple | None = None  # (with them: `scan.short_word_probes`)
        #: the trigger bits (norm_kernels) of the normalisers, when each of them is one
        #: `normalize_encoded` skips on a clear bit: an ASCII text is then scanned before it
        #: is normalised (see `kernels.TRIGGER_SHIFT`); -1 when one always runs
        self._ascii_triggers = ascii_trigger_bits(self.normalizers)
        #: seconds spent, by part (a plain dict: a Counter's `+=` cost ~0.2 us more a call)
        self.timings: dict[str, float] = {"rules": 0.0, "language_id": 0.0}

    def _build(self, cls):
        return cls(**self.config.params(cls.name))

    def __getstate__(self):
        state = dict(self.__dict__)  # the verdict cache stays in its process
        state["_tables"] = None
        if state.get("_verdicts"):
            state["_verdicts"], state["_cached_chars"] = {}, 0
        return state

    def clean(self, doc: Document) -> CleanResult:
        """Clean one document (the input document is not modified)."""
        t0 = time.perf_counter()
        normalized: dict[str, int] = {}
        res = CleanResult("", None, None, None, None, normalized)
        gate = self._gate
        tables = self._tables
        if tables is None:
            tables = self._scan_tables()
        probes = self._probes
        text = doc.text
        if self._ascii_triggers >= 0 and text.isascii():
            # scanned first: the scan says whether a normaliser may change the text
            data = text.encode("ascii")
            out, num_lines, totals = scan_view(data, tables, short_words_in(data, probes))
            if totals[T_FLAGS] >> TRIGGER_SHIFT & self._ascii_triggers:
                text, normalized_data = normalize_encoded(text, self.normalizers, normalized)
                if text is not doc.text:
                    data = normalized_data if normalized_data is not None else encode(text)
                    out, num_lines, totals = scan_view(data, tables,
                                                       short_words_in(data, probes))
        else:
            text, data = normalize_encoded(text, self.normalizers, normalized)
            if data is None:
                data = encode(text)
            out, num_lines, totals = scan_view(data, tables, short_words_in(data, probes))
        asks = totals[T_FLAGS] & GATE_ASKS
        if self._settles and (not asks or asks == START) and len(data) < SUM_LIMIT and \
                self._settled_document(text, out, num_lines, totals, res, asks):
            self.timings["rules"] += time.perf_counter() - t0
            return res
        rows = out[:, :num_lines].tolist()  # (before any other scan: `out` is its scratch)
        stats = rows[:FLAGS + 1]
        ascii_text = len(data) == len(text)
        lines = text.split("\n")
        if gate is None:
            numbers, lines, changed = self._line_rules(lines, res)
        else:
            numbers, lines, changed = self._gated_line_rules(lines, stats[FLAGS], res,
                                                             totals[T_FLAGS])
        t1 = time.perf_counter()
        numbers, lines, language = self._languages(stats, numbers, lines, changed, res,
                                                   ascii_text, totals)
        t2 = time.perf_counter()
        counts = kept_counts(rows, numbers, changed, ascii_text, len(data), totals)
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
        if self.template is not None and res.dropped is None:
            res.template_keys = self._template_keys(rows, numbers, lines, changed, ascii_text,
                                                    totals)
        t3 = time.perf_counter()
        self.timings["rules"] += (t1 - t0) + (t3 - t2)
        self.timings["language_id"] += t2 - t1
        return res

    def _settled_document(self, text: str, out: np.ndarray, num_lines: int,
                          totals: list[int], res: CleanResult, asks: int = 0) -> bool:
        """Finish `res` from the scan's sums (True) where the line-by-line way would
        remove nothing before the document rules: the gate asks about none of the lines
        (every line ASCII, none dropped or changed: the caller checked) but for start
        prefixes (`asks` START) that begin no start-pattern match, the function
        words settle the language with no line to ask the model (`settled_by_sums`),
        or with the model's answers for the lines the stray rule would ask about
        (`settled_by_model`: it removes none of them then), and no two lines
        look alike (no repeated paragraph). The non-empty lines are then kept as they
        are, and no other per-line list is made: 63 % of news_copies' documents and 96 %
        of generated prose end here (test_fast_paths.py compares both ways)."""
        language = settled_by_sums(totals)
        if (language is None and not asks_model(totals)) or \
                (self.repeats is not None and totals[T_SAME_KEYS]):
            return False
        # (the lines as a list only where they are read one by one)
        lines = text.split("\n") if asks or language is None else None
        if asks and not self._starts_kept(lines, out[FLAGS, :num_lines].tolist()):
            return False
        if language is None:  # the model's answers for the unguessed lines settle it
            t0 = time.perf_counter()
            language = settled_by_model(out[:FLAGS + 1, :num_lines].tolist(), lines,
                                        self.stray, totals)
            spent = time.perf_counter() - t0
            self.timings["language_id"] += spent
            self.timings["rules"] -= spent  # (the caller counts the whole call as rules)
            if language is None:
                return False
        empty = totals[T_ASKED] >> EMPTY_SHIFT
        if empty:  # (empty lines are left out: the scan copied the others)
            kept = kept_text(totals)
            res.text = kept if kept is not None else "\n".join(
                filter(None, text.split("\n") if lines is None else lines))
        else:
            res.text = text
        res.language = language
        rules = self._doc_rules
        num_kept = num_lines - empty
        if not rules.keeps_all_sums(totals[T_SUMS_A], totals[T_SUMS_B], totals[T_SAME_KEYS],
                                    num_kept, language):
            res.dropped = rules.first_failure(res.text.split("\n") if num_kept else [],
                                              counts_from_sums(totals), language)
        if self.template is not None and res.dropped is None:
            if totals[T_TEMPLATES]:
                found = set(out[TEMPLATE, :num_lines].tolist())
                found.discard(0)
                res.template_keys = list(found)
            else:  # (no line has a key: no row to read)
                res.template_keys = []
        return True

    def _starts_kept(self, lines: list[str], flags: list[int]) -> bool:
        """Whether every line flagged START (by its first characters) is kept as
        `_gated_line_rules` would keep it: its verdict cached as a keep, or no
        start-pattern match (`_may_pass`: no rule can drop it then, and its keep is
        cached as `_settle` caches it)."""
        cache = self._verdicts
        may_pass = self._may_pass
        for i, flag in enumerate(flags):
            if flag & START:
                line = lines[i]
                verdict = _UNSEEN if cache is None else cache.get(line, _UNSEEN)
                if verdict is _UNSEEN:
                    if may_pass(line):
                        return False
                    if cache is not None and len(line) <= LINE_CACHE_CHARS:
                        self._remember(line, None)
                elif verdict is not None:
                    return False
        return True

    def _scan_tables(self) -> np.ndarray:
        """The tables of this cleaner's scan: its gate's, keying template lines if asked."""
        gate = self._gate
        tables = base_tables() if gate is None else gate.tables()
        if self.template is not None:
            template = self.template
            tables = with_template(tables, template.content_min_words, template.min_words,
                                   template.min_chars)
        if self.stray is not None:
            tables = with_stray(tables, self.stray.min_words, self.stray.min_letters)
        self._tables = tables
        #: what tells that a document holds none of the short literal words (the scan
        #: then skips the pass looking for them: `scan.short_words_in`)
        self._probes = short_word_probes(tables)
        return tables

    def _template_keys(self, rows: list[list[int]], numbers: list[int], lines: list[str],
                       changed: set[int], ascii_text: bool, totals: list[int]) -> list[int]:
        """`self.template.keys` of the kept text: the scan's keys of its lines, and
        `TemplateLines.key` of the lines the scan does not vouch for (non-ASCII, or a
        placeholder cut out). Every line kept, the whole row (an empty line's key is 0)."""
        keyed = rows[TEMPLATE]
        if ascii_text and not changed:
            found = (set(keyed) if len(numbers) + (totals[T_ASKED] >> EMPTY_SHIFT) == len(keyed)
                     else set(map(keyed.__getitem__, numbers)))
        else:
            flags, key, found = rows[FLAGS], self.template.key, set()
            for i, line in zip(numbers, lines):
                if flags[i] & NON_ASCII or i in changed:
                    found.add(key(line) or 0)
                else:
                    found.add(keyed[i])
        found.discard(0)
        return list(found)

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

    def _gated_line_rules(self, lines: list[str], flags: list[int], res: CleanResult,
                          all_flags: int = -1):
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
        asked = GATE_ASKS
        changed: set[int] = set()
        texts: dict[int, str] = {}
        num_lines = len(lines)
        cache = self._verdicts
        marked = judge if self.ad is not None else 0  # (vouched lines hold no placeholder)
        dropped = []
        # (`all_flags`: every line's flags or-ed, from the scan's sums; most prose asks none)
        todo = [i for i, flag in enumerate(flags) if flag & asked] if all_flags & asked else ()
        for i in todo:
            raw = lines[i]
            # (a cached line holds no placeholder to cut out: `_judge` caches none that does)
            verdict = _UNSEEN if cache is None else cache.get(raw, _UNSEEN)
            if verdict is not _UNSEEN:
                if verdict is not None:
                    self._record(res, i, raw, verdict.reason)
                    dropped.append(i)
                continue
            flag = flags[i]
            vouched = 0 if flag & judge else flag
            if flag & marked and (AD_MARKS[0] in raw or AD_MARKS[1] in raw) \
                    and self.ad.strip(raw) != raw:
                text = self._judge(raw, i, num_lines, res, changed, vouched)
            else:
                text = self._settle(raw, i, num_lines, res, vouched, looked_up=True)
            if text is None:
                dropped.append(i)
            elif i in changed:
                texts[i] = text
        if not dropped:  # (7 documents in 10 of news_copies, most of prose's)
            # only the empty lines ("": flag EMPTY) are left out, by C-level passes
            numbers, kept = list(compress(range(num_lines), lines)), list(filter(None, lines))
        else:
            keep = [not flag & EMPTY for flag in flags]
            for i in dropped:
                keep[i] = False
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
                if self.ad.strip(line) != line:  # (nested: "[ad[ad_1]_1]" leaves "[ad_1]")
                    return self._settle(line, i, num_lines, res, vouched, remember=False)
        return self._settle(line, i, num_lines, res, vouched)

    def _settle(self, line: str, i: int, num_lines: int, res: CleanResult,
                vouched: int = 0, looked_up: bool = False, remember: bool = True
                ) -> str | None:
        """`_judge` of a line without placeholders: its cached or new verdict, recorded.

        `looked_up`: the caller found no verdict cached for it. `remember`: cache the
        verdict (never for a line that still holds a placeholder: `_gated_line_rules`
        takes a cached verdict for a line as it stands, without stripping it first)."""
        cache = self._verdicts
        cacheable = remember and cache is not None and len(line) <= LINE_CACHE_CHARS
        verdict = cache.get(line, _UNSEEN) if cacheable and not looked_up else _UNSEEN
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
        its length band in order, each behind its guard (`line_gate.chain_of`).

        Without a gate the band's prefilter comes first (most body lines end there).
        Behind the gate the bands have none (`LineTriage(prefilters=False)`): the gate
        asks only lines that may pass it (or non-ASCII ones), and 25 of news_copies'
        11,900 asked lines failed it, so it cost more than it saved (0.19 -> 0.17 s); a
        rule's own guard still skips it."""
        band = self._triage.band(len(line))
        lower = line.lower()
        if band.any is not None and not band.any(line, lower):
            return None
        ctx = self._anywhere if self._verdicts is not None else LineContext(index, num_lines)
        return (band.ascii_first if lower.isascii() else band.first)(line, lower, line.rstrip(),
                                                                      ctx)

    def _languages(self, stats: list[list[int]], numbers: list[int], lines: list[str],
                   changed: set[int], res: CleanResult, ascii_text: bool = False,
                   totals: list[int] | None = None):
        """Detect the main language; drop stray-language lines.

        The letters, function-word guesses and headline case of the ASCII lines come
        from one compiled pass over the document (scan.py); other lines, and lines
        that lost a placeholder, are asked of the Python definitions. `ascii_text`:
        the whole document is ASCII (no line to look for). `totals`: the scan's
        document sums (`scan_document`).
        """
        all_letters, all_words, all_guesses, all_flags = stats
        min_words = self.stray.min_words if self.stray is not None else 0
        if not changed and (ascii_text or not any([all_flags[i] & NON_ASCII for i in numbers])):
            if self._latin:
                main = settled_main_language(stats, numbers, lines, self.stray, totals)
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


def _add(counter: dict[str, int], key: str, value: int) -> None:
    counter[key] = counter.get(key, 0) + value


def _removed_part(raw: str, stripped: str) -> str:
    """The placeholder tokens taken out of a line (for the removed_lines entry)."""
    from nearcopy.clean.chrome import _AD
    return " ".join(_AD.findall(raw)) or raw.replace(stripped, "").strip()


def _add_counts(total: dict[str, int], part: dict[str, int]) -> None:
    """`Counter.update(part)` of a dict `part`."""
    get = total.get
    for name, count in part.items():
        total[name] = get(name, 0) + count


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
        """Count one cleaned document. Plain dict loops, not `Counter.update` (its
        `Mapping` check alone cost 1 us a call): 0.057 -> 0.030 s on news_copies."""
        self.documents += 1
        self.chars_in += len(doc.text)
        language = res.language or "und"
        languages = self.languages
        languages[language] = languages.get(language, 0) + 1
        if res.normalized:
            _add_counts(self.normalized, res.normalized)
        if res.removed_lines:
            lines = self.lines
            get = lines.get
            for entry in res.removed_lines:
                rule = entry["rule"]
                lines[rule] = get(rule, 0) + 1
        chars = self.chars
        if res.chars_removed:
            _add_counts(chars, res.chars_removed)
        if res.dropped is not None:
            self.dropped += 1
            rule = res.dropped["rule"]
            self.docs_dropped[rule] = self.docs_dropped.get(rule, 0) + 1
            chars[rule] = chars.get(rule, 0) + len(res.text)
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
