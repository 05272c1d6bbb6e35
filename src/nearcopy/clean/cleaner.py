"""`Cleaner`: runs the enabled rules over one document and says why each part went.

Order: normalise -> line rules (chrome) -> stray languages -> repeated
paragraphs -> document rules. Line numbers in `removed_lines` are 0-based lines
of the normalised input (normalisation keeps line breaks one for one, so they
are also the input's line numbers). A Cleaner holds only rule objects and the
config, so it pickles cheaply to worker processes; the language model is
loaded once per process on first use.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from nearcopy.clean.base import LineContext, Verdict
from nearcopy.clean.chrome import AdPlaceholderFilter
from nearcopy.clean.config import CleanConfig
from nearcopy.clean.documents import LineList
from nearcopy.clean.language import (LanguageFilter, StrayLanguageFilter, detect_language,
                                     script_counts)
from nearcopy.clean.normalize import normalize
from nearcopy.clean.registry import DOCUMENT_FILTERS, LINE_FILTERS
from nearcopy.clean.normalize import NORMALIZERS
from nearcopy.clean.repetition import RepeatedParagraphFilter
from nearcopy.document import Document


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
        self.repeats = (build(RepeatedParagraphFilter)
                        if self.config.enabled("repeated_paragraph") else None)
        self.doc_filters = [build(cls) for cls in DOCUMENT_FILTERS
                            if cls is not LanguageFilter and self.config.enabled(cls.name)]
        langs = self.config.languages or tuple(self.config.params("language_filter")["languages"])
        self.language_filter = (LanguageFilter(languages=langs)
                                if langs and self.config.enabled("language_filter") else None)
        self._doc_rules = [(rule, None) for rule in [self.language_filter] if rule] + [
            (rule, rule.params.get("languages")) for rule in self.doc_filters]
        self._caps = [rule.line_cap() for rule in self.line_filters]
        self._may_drop = _prefilter(self.line_filters)
        self.timings: Counter[str] = Counter()

    def _build(self, cls):
        return cls(**self.config.params(cls.name))

    def clean(self, doc: Document) -> CleanResult:
        """Clean one document (the input document is not modified)."""
        t0 = time.perf_counter()
        normalized: dict[str, int] = {}
        text = normalize(doc.text, self.normalizers, normalized)
        res = CleanResult(text="", normalized=normalized)
        kept = self._line_rules(text.split("\n"), res)
        t1 = time.perf_counter()
        kept, language = self._languages(kept, res)
        t2 = time.perf_counter()
        if self.repeats is not None:
            drop = set(self.repeats.repeated([line for _, line in kept]))
            kept = self._remove(kept, drop, self.repeats.name, res)
        lines = [line for _, line in kept]
        res.language = language
        res.dropped = self._document_rules(lines, language)
        res.text = "\n".join(lines)
        t3 = time.perf_counter()
        self.timings["rules"] += (t1 - t0) + (t3 - t2)
        self.timings["language_id"] += t2 - t1
        return res

    def _line_rules(self, lines: list[str], res: CleanResult) -> list[tuple[int, str]]:
        """Strip placeholders, then drop a line on the first line rule that fires."""
        kept = []
        for i, raw in enumerate(lines):
            if not raw:
                continue
            line = self.ad.strip(raw) if self.ad is not None else raw
            if line != raw:
                if not line:
                    self._record(res, i, raw, self.ad.name)
                    continue
                _add(res.chars_removed, self.ad.name, len(raw) - len(line))
                res.removed_lines.append({"line": i, "text": _removed_part(raw, line),
                                          "rule": self.ad.name})
            verdict = self._first_failure(line, i, len(lines))
            if verdict is None:
                kept.append((i, line))
            else:
                self._record(res, i, line, verdict.reason)
        return kept

    def _first_failure(self, line: str, index: int, num_lines: int) -> Verdict | None:
        if self._may_drop is not None and not self._may_drop(line):
            return None  # no rule can fire: most body lines end here
        ctx = LineContext(index, num_lines)
        size = len(line)
        for rule, cap in zip(self.line_filters, self._caps):
            if cap is not None and size > cap:
                continue
            verdict = rule.check_line(line, ctx)
            if not verdict.keep:
                return verdict
        return None

    def _languages(self, kept: list[tuple[int, str]], res: CleanResult):
        """Detect the main language; drop stray-language lines."""
        lines = [line for _, line in kept]
        scripts = [script_counts(line) for line in lines]
        main, main_script, preds = detect_language(lines, scripts, self.stray)
        if self.stray is not None and main is not None:
            drop = set(self.stray.stray_lines(lines, preds, scripts, main, main_script))
            kept = self._remove(kept, drop, self.stray.name, res)
        return kept, main

    def _remove(self, kept, drop: set[int], rule: str, res: CleanResult):
        if not drop:
            return kept
        for j in sorted(drop):
            self._record(res, kept[j][0], kept[j][1], rule)
        return [item for j, item in enumerate(kept) if j not in drop]

    @staticmethod
    def _record(res: CleanResult, line_no: int, text: str, rule: str) -> None:
        res.removed_lines.append({"line": line_no, "text": text, "rule": rule})
        _add(res.chars_removed, rule, len(text))

    def _document_rules(self, lines: list[str], language: str | None) -> dict | None:
        """The first document rule that fails, as {rule, value, threshold}; else None."""
        lines = LineList(lines)  # words split once, shared by the rules
        for rule, langs in self._doc_rules:
            if langs and language not in langs:
                continue
            verdict = rule.check_document(lines, language)
            if not verdict.keep:
                return {"rule": verdict.reason, "value": verdict.value,
                        "threshold": verdict.threshold}
        return None


def _prefilter(rules) -> "Prefilter | None":
    """One test for "could any of `rules` drop this line?", from their MAY_DROP* declarations.

    None when a rule declares none (it may drop any line, e.g. c4_min_words).
    """
    if any(r.MAY_DROP is None and r.MAY_DROP_AT_START is None and not r.MAY_DROP_AT_END
           for r in rules):
        return None
    return Prefilter(rules)


class Prefilter:
    """The union of the rules' MAY_DROP* conditions as three C-level tests (picklable)."""

    def __init__(self, rules) -> None:
        never = "(?!)"
        self.start = re.compile("|".join(f"(?:{r.MAY_DROP_AT_START})" for r in rules
                                         if r.MAY_DROP_AT_START is not None) or never)
        # Joined flat, not wrapped in groups: see LineFilter for why (3x faster).
        self.anywhere = re.compile("|".join(r.MAY_DROP for r in rules if r.MAY_DROP is not None)
                                   or never)
        self.ends = tuple(end for r in rules for end in r.MAY_DROP_AT_END)

    def __call__(self, line: str) -> bool:
        return (line.rstrip().endswith(self.ends) or self.anywhere.search(line.lower()) is not None
                or self.start.match(line) is not None)


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
