"""Line rules: page chrome that surrounds a story on crawled pages.

The published baselines come first, each with its source and threshold:
C4 (Raffel et al. 2020, JMLR, §2.2 "Colossal Clean Crawled Corpus") and the
line-wise corrections of RefinedWeb (Penedo et al. 2023, Appendix G.2). The
`nearcopy` rules after them cover what those miss on crawled news: breadcrumbs
in any script, date/source stamps, share/cookie lines, ad placeholders,
obfuscated e-mails and teaser lists. Every rule is short-line-only where it
could otherwise hit prose: precision of removal beats recall.
"""

from __future__ import annotations

import re

from nearcopy import regex_programs
from nearcopy.clean.base import KEEP, LineContext, LineFilter, Verdict

_TERMINAL = (".", "!", "?", '"', "\u201d", "'", "\u3002", "\uff01", "\uff1f")


def _drop(rule: LineFilter, value: float | str | None = None) -> Verdict:
    return Verdict(False, rule.name, value)


# --- C4 (Raffel et al. 2020, §2.2) -------------------------------------------------------

# The C4 substring rules test `line.lower()`, where MAY_DROP is searched too: exact prefilters.

class C4JavascriptFilter(LineFilter):
    """C4: "we removed any line with the word Javascript" (cookie walls, noscript text)."""

    name = "c4_javascript"
    description = "line mentions javascript (C4, Raffel et al. 2020)"
    source = "C4 (Raffel et al. 2020, §2.2)"
    MAY_DROP = "javascript"

    def check_line(self, line: str, ctx: LineContext) -> Verdict:
        return _drop(self) if "javascript" in line.lower() else KEEP


class C4LoremIpsumFilter(LineFilter):
    """C4 drops pages containing "lorem ipsum"; a line is enough to remove here."""

    name = "c4_lorem_ipsum"
    description = "placeholder text 'lorem ipsum' (C4, Raffel et al. 2020; applied per line)"
    source = "C4 (Raffel et al. 2020, §2.2)"
    MAY_DROP = "lorem ipsum"

    def check_line(self, line: str, ctx: LineContext) -> Verdict:
        return _drop(self) if "lorem ipsum" in line.lower() else KEEP


_C4_POLICY = ("terms of use", "privacy policy", "cookie policy", "uses cookies",
              "use of cookies", "use cookies")


class C4PolicyFilter(LineFilter):
    """C4's policy substrings (tfds c4_utils `_POLICY_SUBSTRINGS`), removed per line."""

    name = "c4_policy"
    description = "terms-of-use / privacy / cookie notice line (C4 policy substrings)"
    source = "C4 (Raffel et al. 2020, §2.2; tfds c4_utils _POLICY_SUBSTRINGS)"
    MAY_DROP = "|".join(map(re.escape, _C4_POLICY))

    def check_line(self, line: str, ctx: LineContext) -> Verdict:
        low = line.lower()
        return _drop(self) if any(s in low for s in _C4_POLICY) else KEEP


class C4TerminalPunctFilter(LineFilter):
    """C4 keeps only lines ending in terminal punctuation; off: it removes headlines."""

    name = "c4_terminal_punct"
    description = "line does not end in terminal punctuation (C4) [off: removes headlines]"
    default_on = False
    source = "C4 (Raffel et al. 2020, §2.2)"

    def check_line(self, line: str, ctx: LineContext) -> Verdict:
        return KEEP if line.rstrip().endswith(_TERMINAL) else _drop(self)


class C4MinWordsFilter(LineFilter):
    """C4 keeps lines of at least 3 words (datatrove C4QualityFilter min_words_per_line=3)."""

    name = "c4_min_words"
    description = "line has fewer than min_words words (C4: 3) [off: removes table rows]"
    default_on = False
    source = "C4 (Raffel et al. 2020, §2.2)"
    PARAMS = {"min_words": 3}

    def check_line(self, line: str, ctx: LineContext) -> Verdict:
        n = len(line.split())
        return _drop(self, n) if n < self.min_words else KEEP


# --- RefinedWeb line-wise corrections (Penedo et al. 2023, Appendix G.2) ------------------

_COUNTER = regex_programs.compile(r"^(?:\d[\d,.]*\s*[kKmM]?\s+(?:likes?|comments?|views?|followers?|"
                      r"retweets?|reads?|votes?|replies|reactions?)|(?:likes?|comments?|views?|"
                      r"followers?|reads?|votes?|replies)\s*[:：]?\s*\d[\d,.]*\s*[kKmM]?)$",
                      re.IGNORECASE)


class RefinedWebCounterFilter(LineFilter):
    """RefinedWeb removes "counter" lines such as "3 likes"."""

    name = "refinedweb_counter"
    description = "social counter line like '3 likes' or 'Views: 1,204' (RefinedWeb)"
    source = "RefinedWeb (Penedo et al. 2023, App. G.2)"
    MAY_DROP_AT_START = f"(?!.{{40}})(?i:{_COUNTER.pattern})"

    def line_cap(self) -> int | None:
        return 40

    def check_line(self, line: str, ctx: LineContext) -> Verdict:
        return _drop(self) if len(line) < 40 and _COUNTER.match(line) else KEEP


class RefinedWebUppercaseFilter(LineFilter):
    """RefinedWeb removes mostly-uppercase lines; off: wire headlines are all caps."""

    name = "refinedweb_uppercase"
    description = "line mostly uppercase letters (RefinedWeb) [off: removes wire headlines]"
    default_on = False
    source = "RefinedWeb (Penedo et al. 2023, App. G.2)"
    PARAMS = {"max_upper_ratio": 0.5}

    def check_line(self, line: str, ctx: LineContext) -> Verdict:
        letters = [c for c in line if c.isalpha()]
        if not letters:
            return KEEP
        ratio = sum(c.isupper() for c in letters) / len(letters)
        return _drop(self, round(ratio, 3)) if ratio > self.max_upper_ratio else KEEP


class RefinedWebNumericFilter(LineFilter):
    """RefinedWeb removes lines of only numbers; off: table header rows in news."""

    name = "refinedweb_numeric"
    description = "line has no letters, only digits/punctuation (RefinedWeb) [off: tables]"
    default_on = False
    source = "RefinedWeb (Penedo et al. 2023, App. G.2)"

    def check_line(self, line: str, ctx: LineContext) -> Verdict:
        return KEEP if any(c.isalpha() for c in line) else _drop(self)


class RefinedWebSingleWordFilter(LineFilter):
    """RefinedWeb removes one-word lines; off: section labels in tables."""

    name = "refinedweb_single_word"
    description = "line is a single word (RefinedWeb) [off: table labels]"
    default_on = False
    source = "RefinedWeb (Penedo et al. 2023, App. G.2)"

    def check_line(self, line: str, ctx: LineContext) -> Verdict:
        return _drop(self) if len(line.split()) == 1 else KEEP
