"""Text normalisation: the rules that repair text rather than remove it.

Copies of one story differ in invisible ways (NFKC forms, mojibake, entity
debris left by a broken HTML pipeline, zero-width characters, odd spaces).
Repairing these first makes the later rules and the dedup stage see the same
characters. Line breaks are preserved one for one, so line numbers in
`removed_lines` refer to the input's lines.
"""

from __future__ import annotations

import html
import re
import unicodedata

from nearcopy.clean.base import Rule


class Normalizer(Rule):
    """A rule that rewrites the whole text; `apply` must not add or remove newlines."""

    def apply(self, text: str) -> str:
        raise NotImplementedError


class MojibakeRule(Normalizer):
    """ftfy repairs UTF-8 decoded as cp1252/latin-1 ("Ã©" -> "é")."""

    name = "fix_mojibake"
    description = "repair mojibake (UTF-8 read as cp1252/latin-1) with ftfy"

    def apply(self, text: str) -> str:
        if text.isascii():  # pure ASCII cannot hold mojibake; skips ftfy's cost
            return text
        import ftfy
        # Only the encoding repair: ftfy's other fixers (quotes, HTML) are separate rules here.
        return ftfy.fix_text(text, unescape_html=False, fix_latin_ligatures=False,
                             fix_character_width=False, uncurl_quotes=False,
                             fix_line_breaks=False, normalization=None)


_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# Debris: an entity that lost its "&" or "&#" ("group#39;s", "group39;s", "nbsp;").
_DEBRIS_NUMERIC = re.compile(r"(?<=[A-Za-z])&?#?(39|34|38|160|8217|8216|8220|8221|8211|8212);"
                             r"|(?<![\w&])#(39|34|38|160|8217|8216|8220|8221|8211|8212);")
_DEBRIS_NAMED = re.compile(r"(?<![&\w])(nbsp|quot|amp|apos|rsquo|lsquo|ldquo|rdquo|mdash|ndash);")
_DEBRIS_CHARS = {"39": "'", "34": '"', "38": "&", "160": " ", "8217": "\u2019",
                 "8216": "\u2018", "8220": "\u201c", "8221": "\u201d", "8211": "\u2013",
                 "8212": "\u2014"}


class HtmlEntityRule(Normalizer):
    """Decode HTML entities and repair their debris."""

    name = "html_entities"
    description = "decode HTML entities (&amp;, &#39;, &nbsp;) and repair their debris (group#39;s)"

    def apply(self, text: str) -> str:
        if "&" in text:
            text = _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
        if ";" in text:
            text = _DEBRIS_NUMERIC.sub(lambda m: _DEBRIS_CHARS[m.group(1) or m.group(2)], text)
            text = _DEBRIS_NAMED.sub(lambda m: html.unescape("&" + m.group(0)), text)
        return text


class NfkcRule(Normalizer):
    """NFKC folds compatibility forms (full-width letters, ligatures, non-breaking spaces)."""

    name = "unicode_nfkc"
    description = "Unicode NFKC normalisation (full-width forms, ligatures, NBSP)"

    def apply(self, text: str) -> str:
        return text if text.isascii() else unicodedata.normalize("NFKC", text)


_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f\u202a-\u202e]")


class ZeroWidthRule(Normalizer):
    """Invisible characters split words for the shingler without showing on screen."""

    name = "zero_width"
    description = "remove zero-width and bidi control characters and soft hyphens"

    def apply(self, text: str) -> str:
        return text if text.isascii() else _ZERO_WIDTH.sub("", text)


_SPACES = re.compile(r"[^\S\n]+")


class WhitespaceRule(Normalizer):
    """One space between words, no spaces at line ends; CR/LS/PS become newlines."""

    name = "whitespace"
    description = "collapse runs of spaces/tabs, strip line ends, unify line breaks"

    def apply(self, text: str) -> str:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = text.replace("\u2028", "\n").replace("\u2029", "\n").replace("\x0b", "\n")
        text = text.replace("\x0c", "\n").replace("\x1c", "\n").replace("\x1d", "\n")
        text = text.replace("\x1e", "\n").replace("\x85", "\n")
        return "\n".join(_SPACES.sub(" ", line).strip() for line in text.split("\n"))


#: order matters: repair bytes first, then entities, then fold forms, then spaces
NORMALIZERS: tuple[type[Normalizer], ...] = (MojibakeRule, HtmlEntityRule, NfkcRule,
                                             ZeroWidthRule, WhitespaceRule)


def normalize(text: str, rules: list[Normalizer],
              counts: dict[str, int] | None = None) -> str:
    """Apply the enabled normalisers in order; count, per rule, the documents it changed."""
    for rule in rules:
        new = rule.apply(text)
        if counts is not None and new != text:
            counts[rule.name] = counts.get(rule.name, 0) + 1
        text = new
    return text

