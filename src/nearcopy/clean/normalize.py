"""Text normalisation: the rules that repair text rather than remove it.

Copies of one story differ in invisible ways (NFKC forms, mojibake, entity
debris left by a broken HTML pipeline, zero-width characters, odd spaces).
Repairing these first makes the later rules and the dedup stage see the same
characters. Line breaks are preserved one for one, so line numbers in
`removed_lines` refer to the input's lines.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import unicodedata
from functools import lru_cache

import numpy as np

from nearcopy import regex_programs
from nearcopy.clean import doc_kernels, doc_scan, norm_folds, norm_kernels
from nearcopy.clean.base import Rule
from nearcopy.disk_cache import disk_cached


class Normalizer(Rule):
    """A rule that rewrites the whole text; `apply` must not add or remove newlines."""

    def apply(self, text: str) -> str:
        raise NotImplementedError


class MojibakeRule(Normalizer):
    """ftfy repairs UTF-8 decoded as cp1252/latin-1 ("Ã©" -> "é")."""

    name = "fix_mojibake"
    description = "repair mojibake (UTF-8 read as cp1252/latin-1) with ftfy"

    def apply(self, text: str) -> str:
        if text.isascii() or not _ftfy_may_change(text):  # skips ftfy's cost (~1 ms/doc)
            return text
        import ftfy
        # Only the encoding repair: ftfy's other fixers (quotes, HTML) are separate rules here.
        return ftfy.fix_text(text, unescape_html=False, fix_latin_ligatures=False,
                             fix_character_width=False, uncurl_quotes=False,
                             fix_line_breaks=False, normalization=None)


# ftfy 6.3.1's badness.BADNESS_RE (checked by hash; another version always runs ftfy): each
# of its branches needs one character of this set, within 6 characters of either end of the
# match (branches are at most 7 long). Hand-derived from the branches, one set per branch.
_BADNESS_SHA1 = "93be560616a9c09c9112265da96aaf8094b44167"
_BADNESS_KEYS = ("c1", "bad", "law", "currency", "start_punctuation", "end_punctuation",
                 "numeric", "upper_accented", "box")
_BADNESS_EXTRA = "ŒœÂÃÎÐ×ØÙà√≈‚Ђµ°"
_MAX_BRANCH = 7


@lru_cache(maxsize=1)
def _ftfy_tables():
    """(chars that other enabled ftfy fixers act on, mojibake-marker chars or None, is_bad)."""
    controls, marks, badness, flags = _ftfy_strings()
    acted_on = regex_programs.compile("[" + re.escape(controls) + "\x80-\x9f\ud800-\udfff]")
    is_bad = regex_programs.compile(badness, flags).search  # (BADNESS_RE.search)
    return acted_on, None if marks is None else regex_programs.compile(f"[{marks}]"), is_bad


@lru_cache(maxsize=1)
def _ftfy_strings() -> tuple[str, str | None, str, int]:
    """What `_ftfy_tables` needs of ftfy, kept on disk for the installed ftfy's source:
    importing ftfy costs 0.085 CPU s a process, and no news_copies document needs it
    (issue #3: 0.07 s of 1.8 s)."""
    spec = importlib.util.find_spec("ftfy")  # (finds the package without importing it)
    if spec is None or not spec.submodule_search_locations:
        return _read_ftfy_strings()
    folder = next(iter(spec.submodule_search_locations))
    source = hashlib.sha1()
    for name in _FTFY_SOURCES:
        with open(os.path.join(folder, name), "rb") as handle:
            source.update(handle.read())
    return disk_cached("ftfy-tables", f"{source.hexdigest()}|{_BADNESS_KEYS}|{_BADNESS_EXTRA}",
                       _read_ftfy_strings)


#: the ftfy modules that define what `_read_ftfy_strings` reads
_FTFY_SOURCES = ("badness.py", "chardata.py")


def _read_ftfy_strings() -> tuple[str, str | None, str, int]:
    """(the control characters, the marker characters or None for another ftfy version,
    BADNESS_RE's pattern and flags), from ftfy itself."""
    from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES
    from ftfy.chardata import CONTROL_CHARS
    controls = "".join(map(chr, CONTROL_CHARS))  # includes ESC, which every ANSI escape needs
    marks = None
    if hashlib.sha1(BADNESS_RE.pattern.encode()).hexdigest() == _BADNESS_SHA1:
        marks = "".join(MOJIBAKE_CATEGORIES[key] for key in _BADNESS_KEYS) + _BADNESS_EXTRA
    return controls, marks, BADNESS_RE.pattern, BADNESS_RE.flags


@lru_cache(maxsize=1)
def _ftfy_either():
    """One class of both: the characters ftfy acts on and the markers (the two class
    bodies joined: the first ends with a range, the second starts with one), and the
    set of the characters ftfy acts on (to tell which one a match found)."""
    acted_on, marks, _ = _ftfy_tables()
    acted = set(_ftfy_strings()[0]) | {chr(c) for c in range(0x80, 0xA0)} \
        | {chr(c) for c in range(0xD800, 0xE000)}
    return regex_programs.compile(acted_on.pattern[:-1] + marks.pattern[1:]), frozenset(acted)


#: windows `is_bad` found nothing in (a bullet's "News • World" recurs across pages: half
#: of news_copies' windows were seen before), as they are and with their ASCII characters
#: mapped by _BADNESS_ASCII; cleared when it holds _MAX_GOOD_WINDOWS
_GOOD_WINDOWS: set[str] = set()

#: the groups of ASCII characters that BADNESS_RE (of _BADNESS_SHA1) cannot tell apart:
#: every single-character test in it (literals, classes, ".", and the word and line tests
#: of its anchors) passes all of a group or none, so `is_bad` gives a window and the
#: window with each ASCII character replaced by its group's first the same answer
#: (tests/clean/test_fast_paths_documents.py derives them from the regex's parse tree).
#: news_copies' 3,600 windows are then 450 questions to the regex (7 us each).
_BADNESS_ASCII_GROUPS = (
    "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b"
    "\"#$%&'()*+-/:;<=>@[\\]^`{|}~\x7f",
    "\t\x0b\x0c\r\x1c\x1d\x1e\x1f", "\n", " ", "!,.?", "0123456789_",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_BADNESS_ASCII = {ord(char): group[0] for group in _BADNESS_ASCII_GROUPS for char in group}
_MAX_GOOD_WINDOWS = 100_000


def _ftfy_may_change(text: str) -> bool:
    """False only when ftfy with MojibakeRule's options provably returns `text` unchanged.

    ftfy fixes each line alone: it re-decodes a line only if `is_bad(line)`, and
    the other enabled fixers only touch control, C1 and surrogate characters.
    Instead of ~70 us of ftfy per non-ASCII line, look for those characters,
    then run BADNESS_RE around each mojibake-marker character only.
    """
    acted_on, marks, is_bad = _ftfy_tables()
    if marks is None or len(text) >= 1_000_000:
        return True  # (ftfy also cuts lines over 1M characters into segments)
    either, acted = _ftfy_either()  # (one pass for both: a character ftfy acts on is True)
    reach = _MAX_BRANCH - 1
    seen = _GOOD_WINDOWS
    for match in either.finditer(text):
        if match.group() in acted:
            return True
        pos = match.start()
        window = text[max(0, pos - reach):pos + reach + 1]
        if window not in seen:
            # (as the regex sees it: "News • World" and "Asia • Trade" are one window)
            key = window.translate(_BADNESS_ASCII)
            if key not in seen:
                if is_bad(key):
                    return True
                if len(seen) >= _MAX_GOOD_WINDOWS:
                    seen.clear()
                seen.add(key)
            seen.add(window)
        if (pos == 0 or text[pos - 1] == "\n") and is_bad(text[pos:pos + reach + 1]):
            return True  # a branch anchored with ^ at the line start
    return False


_ENTITY = regex_programs.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Debris: an entity that lost its "&" or "&#" ("group#39;s", "group39;s", "nbsp;").
_DEBRIS_CHARS = {"39": "'", "34": '"', "38": "&", "160": " ", "8217": "\u2019",
                 "8216": "\u2018", "8220": "\u201c", "8221": "\u201d", "8211": "\u2013",
                 "8212": "\u2014"}
_DEBRIS_NAMES = ("nbsp", "quot", "amp", "apos", "rsquo", "lsquo", "ldquo", "rdquo", "mdash", "ndash")
_CODES = "|".join(_DEBRIS_CHARS)
_DEBRIS_NUMERIC = regex_programs.compile(rf"(?<=[A-Za-z])&?#?({_CODES});|(?<![\w&])#({_CODES});")
_DEBRIS_NAMED = regex_programs.compile(rf"(?<![&\w])({'|'.join(_DEBRIS_NAMES)});")
# A debris match ends in one of these: `in` finds them in 1 us; the lookbehind regexes
# take 250 us per document
_NUMERIC_TAILS = tuple(code + ";" for code in _DEBRIS_CHARS)
_NAMED_TAILS = tuple(name + ";" for name in _DEBRIS_NAMES)


class HtmlEntityRule(Normalizer):
    """Decode HTML entities and repair their debris."""

    name = "html_entities"
    description = "decode HTML entities (&amp;, &#39;, &nbsp;) and repair their debris (group#39;s)"

    def apply(self, text: str) -> str:
        if "&" in text:
            from html import unescape  # (here: 2.6 ms of every start-up, for few texts)
            text = _ENTITY.sub(lambda m: unescape(m.group(0)), text)
        if ";" in text and _holds_debris_tail(text):
            # Neither debris pattern spans a "\n" (a line start passes their lookbehinds as
            # a "\n" does), so only the lines with a ";" need them.
            text = "\n".join([_repair_debris(line) if ";" in line else line
                              for line in text.split("\n")])
        return text


def _repair_debris(line: str) -> str:
    line = _sub_before_semicolons(_DEBRIS_NUMERIC, _numeric_debris, line, _NUMERIC_LONGEST)
    return _sub_before_semicolons(_DEBRIS_NAMED, _named_debris, line, _NAMED_LONGEST)


#: the longest debris matches: "&#" and a code and ";", a name and ";"
_NUMERIC_LONGEST = 2 + max(map(len, _NUMERIC_TAILS))
_NAMED_LONGEST = max(map(len, _NAMED_TAILS))


def _numeric_debris(match: re.Match) -> str:
    return _DEBRIS_CHARS[match.group(1) or match.group(2)]


def _named_debris(match: re.Match) -> str:
    from html import unescape
    return unescape("&" + match.group(0))


def _sub_before_semicolons(pattern: re.Pattern, repl, line: str, longest: int) -> str:
    """`pattern.sub(repl, line)` for a pattern whose every match ends with its only ";"
    and is at most `longest` characters long (and has no lookahead).

    The debris patterns begin with a lookbehind, so sre tries them at every
    character (30 us on a news paragraph); here each is searched only in the
    `longest` characters up to a ";". Matches come out as sub finds them, the
    leftmost from the end of the last one: a match that starts earlier ends at an
    earlier ";", whose window was searched first.
    """
    parts, done = [], 0
    at = line.find(";")
    while at >= 0:
        match = pattern.search(line, max(done, at + 1 - longest), at + 1)
        if match is not None:
            parts += (line[done:match.start()], repl(match))
            done = match.end()
        at = line.find(";", at + 1)
    if not parts:
        return line
    parts.append(line[done:])
    return "".join(parts)


def _holds_any(text: str, parts: tuple[str, ...]) -> bool:
    for part in parts:
        if part in text:
            return True
    return False


#: what a debris tail holds before its ";" (a code or a name), and the longest of them
_TAIL_STEMS = tuple(tail[:-1] for tail in _NUMERIC_TAILS + _NAMED_TAILS)
_STEM_LONGEST = max(map(len, _TAIL_STEMS))
#: beyond this many ";", the tails are looked for one by one instead
_SEMICOLONS_CHECKED = 32


def _holds_debris_tail(text: str) -> bool:
    """`_holds_any(text, _NUMERIC_TAILS + _NAMED_TAILS)`, from the text's ";" (memchr):
    what comes before each. The twenty substring searches took 5.9 us on a 290-character
    text holding a ";" (3,571 of pan_paraphrase's texts), this 2.2 us."""
    at = text.find(";")
    for _ in range(_SEMICOLONS_CHECKED):
        if at < 0:
            return False
        if text.endswith(_TAIL_STEMS, max(0, at - _STEM_LONGEST), at):
            return True
        at = text.find(";", at + 1)
    return at >= 0 and (_holds_any(text, _NUMERIC_TAILS) or _holds_any(text, _NAMED_TAILS))


class NfkcRule(Normalizer):
    """NFKC folds compatibility forms (full-width letters, ligatures, non-breaking spaces)."""

    name = "unicode_nfkc"
    description = "Unicode NFKC normalisation (full-width forms, ligatures, NBSP)"

    def apply(self, text: str) -> str:
        if text.isascii() or unicodedata.is_normalized("NFKC", text):
            return text
        # NFKC never acts across a "\n" (a starter that composes with nothing, and no
        # character folds to it), so only the lines it changes need its slow full pass.
        return "\n".join([line if unicodedata.is_normalized("NFKC", line)
                          else unicodedata.normalize("NFKC", line) for line in text.split("\n")])


_ZERO_WIDTH_CHARS = ("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f"
                     "\u202a\u202b\u202c\u202d\u202e")
_ZERO_WIDTH = regex_programs.compile(f"[{_ZERO_WIDTH_CHARS}]")


class ZeroWidthRule(Normalizer):
    """Invisible characters split words for the shingler without showing on screen."""

    name = "zero_width"
    description = "remove zero-width and bidi control characters and soft hyphens"

    def apply(self, text: str) -> str:
        # One `in` per character (memchr-like; instant for a character wider than the
        # text's) finds none in most pages 3x faster than the regex's class test per character.
        if text.isascii() or not any(map(text.__contains__, _ZERO_WIDTH_CHARS)):
            return text
        return _ZERO_WIDTH.sub("", text)


class WhitespaceRule(Normalizer):
    """One space between words, no spaces at line ends; CR/LS/PS become newlines."""

    name = "whitespace"
    description = "collapse runs of spaces/tabs, strip line ends, unify line breaks"

    def apply(self, text: str) -> str:
        # Compiled passes (doc_kernels) instead of a str scan or regex per kind of
        # whitespace: 3x faster on news_copies' ASCII pages, 2x on the others.
        buf = np.frombuffer(text.encode("utf-8", "surrogatepass"), doc_scan.BYTE)
        may_need, whitespace = _whitespace or _bind_whitespace()
        if not may_need(buf):
            return text
        changed, out = whitespace(buf)
        return out.tobytes().decode("utf-8", "surrogatepass") if changed else text


_whitespace = None


def _bind_whitespace():
    global _whitespace
    _whitespace = (doc_scan.compiled(doc_kernels.may_need_whitespace),
                   doc_scan.compiled(doc_kernels.whitespace))
    return _whitespace


#: order matters: repair bytes first, then entities, then fold forms, then spaces
NORMALIZERS: tuple[type[Normalizer], ...] = (MojibakeRule, HtmlEntityRule, NfkcRule,
                                             ZeroWidthRule, WhitespaceRule)


def normalize(text: str, rules: list[Normalizer],
              counts: dict[str, int] | None = None) -> str:
    """Apply the enabled normalisers in order; count, per rule, the documents it changed
    (see `normalize_encoded`)."""
    return normalize_encoded(text, rules, counts)[0]


def normalize_encoded(text: str, rules: list[Normalizer], counts: dict[str, int] | None = None
                      ) -> tuple[str, np.ndarray | None]:
    """`normalize`, and the UTF-8 bytes of the text it returns as `triggers` read them
    (`scan.encode`'s, as a uint8 array; None when it read none of that text): the
    cleaner's scan reads the same bytes (encoding them again cost 0.5 ms a MB).

    A rule of NORMALIZERS runs only when `triggers` says it may change the text
    (asked again after a rule changed it): 81% of news_copies' documents need none,
    and the rules' own pre-checks read the text once each. The NFKC, zero-width and
    whitespace rules, when they are the last ones, run as one compiled pass over the
    bytes `triggers` read (`_fold_and_space`).
    """
    found, data, fuse = -1, None, True  # (found < 0: not asked yet)
    read, read_bytes = None, None  # the text `_triggers` read last, its bytes
    for at, rule in enumerate(rules):
        trigger = _TRIGGERS.get(type(rule))  # (a subclass, or another rule, always runs)
        if trigger is not None:
            if found < 0:
                found, data, read_bytes = _read_triggers(text)
                read = text
            if not found & trigger:
                continue
            if fuse and trigger & _FUSED and data is not None:
                folded = _fold_and_space(text, data, rules, at, counts)
                if folded is not None:
                    return folded, (read_bytes if folded is read else None)
                fuse = False  # (NFKC needs its own pass: it is asked no more)
        new = rule.apply(text)
        if new != text:
            if counts is not None:
                counts[rule.name] = counts.get(rule.name, 0) + 1
            text = new
            found = -1
    return text, (read_bytes if text is read else None)


#: the bit of `triggers` for each rule: with it clear, the rule returns its text unchanged
_TRIGGERS: dict[type, int] = {
    MojibakeRule: norm_kernels.MOJIBAKE, HtmlEntityRule: norm_kernels.ENTITIES,
    NfkcRule: norm_kernels.NFKC, ZeroWidthRule: norm_kernels.ZERO_WIDTH,
    WhitespaceRule: norm_kernels.WHITESPACE}


def ascii_trigger_bits(rules: list[Normalizer]) -> int:
    """The trigger bits of `rules` when `normalize_encoded` leaves an ASCII text as it is
    unless `ascii_triggers` of its bytes holds one of them (each rule is one of
    NORMALIZERS'), else -1 (a rule without a trigger always runs)."""
    bits = 0
    for rule in rules:
        trigger = _TRIGGERS.get(type(rule))
        if trigger is None:
            return -1
        bits |= trigger
    return bits


def triggers(text: str) -> int:
    """The bits (norm_kernels) of the normalisers that may change `text`."""
    return _triggers(text)[0]


def _triggers(text: str) -> tuple[int, np.ndarray | None]:
    """`triggers(text)`, and the UTF-8 bytes it read when the text is not ASCII."""
    return _read_triggers(text)[:2]


def _read_triggers(text: str) -> tuple[int, np.ndarray | None, np.ndarray]:
    """`_triggers(text)`, and the UTF-8 bytes it read (ASCII text too)."""
    kernels = _trigger_kernels or _bind_triggers()
    if text.isascii():  # (only the entity and whitespace rules act on ASCII text)
        data = np.frombuffer(text.encode("ascii"), doc_scan.BYTE)
        return kernels[0](data), None, data
    data = np.frombuffer(text.encode("utf-8", "surrogatepass"), doc_scan.BYTE)
    found = kernels[1](data, *kernels[2])
    # (ftfy cuts lines over 1M characters into segments: _ftfy_may_change says True)
    return (found | norm_kernels.MOJIBAKE if len(text) >= 1_000_000 else found), data, data


#: the rules `norm_kernels.fold_and_space` runs, in their order, and their bits
_FUSED_RULES = (NfkcRule, ZeroWidthRule, WhitespaceRule)
_FUSED = norm_kernels.NFKC | norm_kernels.ZERO_WIDTH | norm_kernels.WHITESPACE
#: the bits of each list of rules `fold_and_space` can run (some of _FUSED_RULES, in order)
_FUSED_LISTS = {tuple(cls for cls in _FUSED_RULES if _TRIGGERS[cls] & bits):
                bits for bits in range(1, _FUSED + 1) if bits & _FUSED == bits}


def _fold_and_space(text: str, data: np.ndarray, rules: list[Normalizer], at: int,
                    counts: dict[str, int] | None) -> str | None:
    """What rules[at:] make of non-ASCII `text` (its UTF-8 bytes: `data`), in one
    compiled pass when they are some of _FUSED_RULES in order, and NFKC (if one of them)
    only replaces simple folds (norm_folds); else None.

    On news_copies' 1,384 non-ASCII pages these rules change it takes 0.052 CPU s
    instead of 0.101 (first pass): the rules read the text four times (NFKC's quick
    check, NFKC per line, `triggers` again, the whitespace pass) and made two new ones.
    """
    enabled = _FUSED_LISTS.get(tuple(map(type, rules[at:])))
    if enabled is None:
        return None
    kernel, table, folds = _fold_kernel or _bind_fold_kernel()
    out = np.empty(len(data) + 16, doc_scan.BYTE)
    found = kernel(data, out, enabled, table, *folds)
    if found == norm_kernels.TOO_SMALL:  # (folds that lengthen the text: rare)
        out = np.empty(len(data) * _MOST_GROWTH + 16, doc_scan.BYTE)
        found = kernel(data, out, enabled, table, *folds)
    if found < 0:
        return None
    changed = found & _FUSED
    if not changed:
        return text
    if counts is not None:
        for rule in rules[at:]:
            if changed & _TRIGGERS[type(rule)]:
                counts[rule.name] = counts.get(rule.name, 0) + 1
    return str(out[:found >> 5], "utf-8", "surrogatepass")


#: the most bytes a simple fold's NFKC form has per byte of the character (U+FDFA: 11)
_MOST_GROWTH = 11


_fold_kernel = None


def _bind_fold_kernel():
    global _fold_kernel
    _fold_kernel = (doc_scan.compiled(norm_kernels.fold_and_space),
                    (_trigger_kernels or _bind_triggers())[2][0], norm_folds.fold_tables())
    return _fold_kernel


_trigger_kernels = None


def _bind_triggers():
    global _trigger_kernels
    _trigger_kernels = (doc_scan.compiled(norm_kernels.ascii_triggers),
                        doc_scan.compiled(norm_kernels.triggers), _trigger_tables())
    return _trigger_kernels


#: says what `_build_trigger_tables` computes (change it when that changes)
_TABLES_VERSION = 2


def _trigger_tables() -> tuple[np.ndarray, ...]:
    """The tables `norm_kernels.triggers` reads after the text: each code point's bits,
    its number of BADNESS_RE classes, the classes of each number, and each branch's
    needs (see there; index ASTRAL stands for every code point above the BMP). Kept on
    disk: building them asks unicodedata about every code point (0.5 s)."""
    key = (f"{_TABLES_VERSION}|{unicodedata.unidata_version}|{_ftfy_strings()}|"
           f"{_ZERO_WIDTH_CHARS}")
    bits, kind, kinds, lasts, starts, needs = disk_cached("normalize-triggers", key,
                                                          _build_trigger_tables)
    return (np.frombuffer(bits, doc_scan.BYTE), np.frombuffer(kind, doc_scan.BYTE),
            np.frombuffer(kinds, np.uint64), np.frombuffer(lasts, np.uint64),
            np.frombuffer(starts, np.int64), np.frombuffer(needs, np.int64).reshape(-1, 3))


def _build_trigger_tables() -> tuple[bytes, ...]:
    """The tables of `_trigger_tables`, from the rules' own definitions (an astral
    character sets its bits and classes on the shared ASTRAL entry)."""
    k = norm_kernels
    controls, _, badness, flags = _ftfy_strings()
    every = "".join(map(chr, range(0x110000)))
    bits = np.zeros(k.ASTRAL + 1, np.uint8)

    def add(chars, bit):
        for char in chars:
            bits[min(ord(char), k.ASTRAL)] |= bit

    add(controls, k.ACTED)
    bits[0x80:0xA0] |= k.ACTED
    bits[0xD800:0xE000] |= k.ACTED
    add(_nfkc_folds(every), k.FOLDS)
    bits[k.ASTRAL] |= k.FOLDS
    add(_ZERO_WIDTH_CHARS, k.INVISIBLE)
    add([char for char in every[0x80:] if char.isspace()], k.SPACE)
    branches = _badness_needs(badness, flags)
    if branches is None:  # (a regex of another form: ftfy's pre-check reads every such text)
        bits[0x80:] |= k.ACTED
        branches = []
    classes: dict[frozenset, int] = {}
    lasts, starts, needs = [], [0], []
    for branch in branches:
        (last, _), *others = branch[::-1]
        lasts.append(1 << classes.setdefault(last, len(classes)))
        for members, (low, high) in others:
            needs.append((classes.setdefault(members, len(classes)), low, high))
        starts.append(len(needs))
    held = np.zeros(k.ASTRAL + 1, np.uint64)
    for bit, members in enumerate(classes):
        for cp in members:
            held[min(cp, k.ASTRAL)] |= np.uint64(1 << bit)
    kinds, kind = np.unique(held, return_inverse=True)  # (kinds[0] == 0: held by most)
    if len(classes) > 64 or len(kinds) > 256 or kinds[0] != 0:
        raise AssertionError("BADNESS_RE's classes do not fit the tables")  # (not ftfy's)
    return (bits.tobytes(), kind.astype(np.uint8).tobytes(), kinds.tobytes(),
            np.array(lasts, np.uint64).tobytes(), np.array(starts, np.int64).tobytes(),
            np.array(needs, np.int64).reshape(-1, 3).tobytes())


def _badness_needs(pattern: str, flags: int) -> list[list[tuple[frozenset, tuple]]] | None:
    """What a match of each branch of BADNESS_RE needs: a character of each of its
    classes that hold only non-ASCII characters (a non-ASCII literal is such a class),
    with, for each, how far (a range, in code points) it is from the branch's last such
    class. None when a branch is not a plain sequence, needs none or spans more than
    norm_kernels.RING characters."""
    from re import _constants as sre, _parser  # (3.11+)
    if flags & re.IGNORECASE:
        return None
    tree = _parser.parse(pattern, flags)
    if len(tree.data) != 1 or tree.data[0][0] is not sre.BRANCH:
        return None
    branches = []
    for branch in tree.data[0][1][1]:
        before = [(0, 0)]  # the least and most characters before each item
        found = []
        for op, arg in branch.data:
            width = _item_width(op, arg, sre)
            if width is None or width[1] >= norm_kernels.RING:
                return None
            members = _plain_class(op, arg, sre)
            if members is not None and min(members) >= 0x80:
                found.append((members, before[-1]))
            before.append((before[-1][0] + width[0], before[-1][1] + width[1]))
        if not found:
            return None
        (_, (last_low, last_high)) = found[-1]
        branches.append([(members, (last_low - low, last_high - high))
                         for members, (low, high) in found])
        if last_high >= norm_kernels.RING:
            return None
    return branches


def _item_width(op, arg, sre) -> tuple[int, int] | None:
    """The least and most characters one item of a branch matches (None: a group)."""
    if op in (sre.LITERAL, sre.NOT_LITERAL, sre.IN, sre.ANY):
        return 1, 1
    if op is sre.AT:
        return 0, 0
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        low, high = arg[2].getwidth()
        return arg[0] * low, arg[1] * high
    return None


def _plain_class(op, arg, sre) -> frozenset | None:
    """The code points a literal or a class of literals and ranges matches, else None."""
    if op is sre.LITERAL:
        return frozenset([arg])
    if op is not sre.IN:
        return None
    members: set[int] = set()
    for kind, value in arg:
        if kind is sre.LITERAL:
            members.add(value)
        elif kind is sre.RANGE:
            members.update(range(value[0], value[1] + 1))
        else:
            return None  # (a negated class, a category: ASCII too)
    return frozenset(members)


def _nfkc_folds(every: str) -> list[str]:
    """The BMP characters that NFKC's quick check does not pass on their own
    (norm_folds.not_quick). A text without any is NFKC (`unicodedata.is_normalized`
    says so)."""
    return [char for char in norm_folds.not_quick(every) if char < "\U00010000"]
