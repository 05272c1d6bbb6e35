"""Repetition inside one document.

`repeated_paragraph` repairs the syndication glitch (a block of paragraphs
printed twice) by keeping only the first occurrence. The Gopher repetition
statistics (Rae et al. 2021, Table A1) then run on the repaired text, so a
document is dropped only for the repetition that is left (spam one-liners,
n-gram loops), not for a glitch that was already undone.
"""

from __future__ import annotations

from collections import Counter

from nearcopy import regex_programs
from nearcopy.clean import doc_scan
from nearcopy.clean.base import KEEP, DocumentFilter, Rule, Verdict
from nearcopy.clean.doc_scan import SAME_KEYS
from nearcopy.clean.documents import line_counts

_KEY_JUNK = regex_programs.compile(r"[\W_]+")
#: a whitespace word holding a letter (approx.)
_ALPHA_WORD = regex_programs.compile(r"[^\W\d_]+(?:\S*)")


def _has_alpha_words(line: str, count: int) -> bool:
    """`len(_ALPHA_WORD.findall(line)) >= count`, stopping at the count-th word (3x faster)."""
    if count <= 0:
        return True
    if line.isascii():
        # Each whitespace word with a letter is one match: here the words left once the
        # bytes other than letters and whitespace are gone (4x faster than the regex).
        return len(line.encode("ascii").translate(_SPACES_AS_SPACE, _NEITHER).split()) >= count
    for n, _ in enumerate(_ALPHA_WORD.finditer(line), 1):
        if n >= count:
            return True
    return False


#: ASCII `str.isspace()` characters that `bytes.split()` does not split on become " "; the
#: bytes that are neither a letter nor whitespace are deleted
_SPACES_AS_SPACE = bytes(32 if chr(c).isspace() else c for c in range(256))
_NEITHER = bytes(c for c in range(128) if not chr(c).isalpha() and not chr(c).isspace())


_NOT_ALNUM = bytes(c for c in range(128) if not chr(c).isalnum())
_NOT_ALNUM_NOR_NEWLINE = _NOT_ALNUM.replace(b"\n", b"")
_LOWER = bytes(range(256)).lower()  # a translate table: lower-cases while it deletes
_JUNK_NOT_NEWLINE = regex_programs.compile(r"(?:[^\w\n]|_)+")


def _loose_keys(lines: list[str]) -> list[str] | list[bytes]:
    """Per line, a key equal for lines with equal `paragraph_key`: that key without its
    spaces (lower-cased letters and digits; bytes for ASCII text).

    Made by C-level passes over the whole document, not five calls per line
    (lower-casing never makes or removes a "\n"); in a document that is not all
    ASCII, by line (str keys).
    """
    if not lines:
        return []
    text = "\n".join(lines)
    if text.isascii():
        return text.encode("ascii").translate(_LOWER, _NOT_ALNUM_NOR_NEWLINE).split(b"\n")
    # (the regex takes 0.1 us a character: only the lines that are not ASCII need it)
    return [line.encode("ascii").translate(_LOWER, _NOT_ALNUM).decode("ascii")
            if line.isascii() else _JUNK_NOT_NEWLINE.sub("", line.lower()) for line in lines]


#: per ASCII byte: its lower case if it is a letter or digit, else a space
_KEY_BYTES = bytes(ord(chr(c).lower()) if chr(c).isalnum() else 32 for c in range(128)) \
    + bytes(128)


def paragraph_key(line: str) -> str:
    """Case-, space- and punctuation-blind key, so a re-typed repeat still matches."""
    if line.isascii():  # (its regex made one replacement per word gap: 4x slower)
        return b" ".join(line.encode("ascii").translate(_KEY_BYTES).split()).decode("ascii")
    return _KEY_JUNK.sub(" ", line.lower()).strip()


class RepeatedParagraphFilter(Rule):
    """Removes a line/paragraph that already appeared earlier in the same document."""

    name = "repeated_paragraph"
    description = "paragraph/line repeated later in the same document (kept once, first place)"
    # Short lines repeat legitimately in earnings tables ("Avg shrs 11.9 mln vs 12.0 mln"
    # for the quarter and the year), so only lines with min_words+ words that contain a
    # letter count as paragraphs (measured: 6 keeps every table row of news_copies).
    PARAMS = {"min_words": 6}

    def repeated(self, lines: list[str], counts: tuple[int, ...] | None = None,
                 keys: list | None = None) -> list[int]:
        """Indices of lines (which hold no "\\n") whose key was seen on an earlier line.
        `counts`: the lines' `doc_scan.counts` when the caller has them; `keys`: stand-ins
        for their loose keys, equal for equal loose keys (`doc_scan.kept_keys`), when
        the caller has them."""
        min_words = self.min_words
        # Most documents repeat nothing: show it with a cheap key first, on all lines at once
        # (summed up in the compiled pass, else made here), then on the lines long
        # enough to count (3x faster overall).
        if not lines or not (counts or doc_scan.counts(lines))[SAME_KEYS]:
            return []
        if keys is None:
            keys = _loose_keys(lines)
        if len(set(keys)) == len(keys):
            return []
        # Only lines whose cheap key another long enough line shares can repeat a paragraph.
        long = [i for i, line in enumerate(lines) if line.count(" ") + 1 >= min_words]
        shared = Counter(map(keys.__getitem__, long))
        seen: set[str] = set()
        texts: set[str] = set()  # lines whose key is in `seen`
        out = []
        for i in long:
            line = lines[i]
            if line in texts:  # (a paragraph printed twice: its key and tests are the same)
                out.append(i)
                continue
            if shared[keys[i]] < 2 or not _has_alpha_words(line, min_words):
                continue
            key = paragraph_key(line)
            if key in seen:
                out.append(i)
            else:
                seen.add(key)
            texts.add(line)
        return out


class GopherDuplicateLinesFilter(DocumentFilter):
    """Gopher: duplicate-line fraction <= 0.30 and duplicate-line character fraction <= 0.20.

    Lines are paragraphs in nearcopy's text model (one paragraph per line), so
    this also stands for Gopher's paragraph statistics (same thresholds).
    """

    name = "gopher_duplicate_lines"
    description = "over 30% of lines, or 20% of line characters, are duplicates (Gopher)"
    source = "Gopher (Rae et al. 2021, Table A1)"
    PARAMS = {"max_line_fraction": 0.30, "max_char_fraction": 0.20}
    KEEPS = "not num_lines or not counts[SAME_KEYS]"

    def keeps(self, counts: tuple[int, ...], num_lines: int) -> bool:
        """No two lines have the same loose key, so none repeats (equal lines have equal
        keys): both fractions are 0."""
        return not num_lines or not counts[SAME_KEYS]

    def check_document(self, lines: list[str], language: str | None) -> Verdict:
        if not lines or self.keeps(line_counts(lines), len(lines)) \
                or len(set(lines)) == len(lines):
            return KEEP  # no line repeats: both fractions are 0
        seen: set[str] = set()
        dup_lines = dup_chars = 0
        for line in lines:
            if not any(c.isalpha() for c in line):
                continue  # "- - - -" separators are layout, not repetition
            if line in seen:
                dup_lines += 1
                dup_chars += len(line)
            seen.add(line)
        frac = dup_lines / len(lines)
        if frac > self.max_line_fraction:
            return Verdict(False, self.name, round(frac, 4), {"max": self.max_line_fraction})
        chars = dup_chars / max(1, sum(map(len, lines)))
        if chars > self.max_char_fraction:
            return Verdict(False, self.name, round(chars, 4), {"max_chars": self.max_char_fraction})
        return Verdict(True)


def top_ngram_char_fraction(words: list[str], n: int) -> float:
    """Characters covered by the most frequent word n-gram (if it occurs twice or more)."""
    if len(words) < n:
        return 0.0
    counts = Counter(zip(*(words[i:] for i in range(n))))
    gram, count = counts.most_common(1)[0]
    if count < 2:
        return 0.0
    return sum(map(len, gram)) * count / max(1, sum(map(len, words)))


def duplicate_ngram_char_fraction(words: list[str], n: int) -> float:
    """Characters inside repeated word n-grams, each character counted once (Gopher)."""
    if len(words) < n:
        return 0.0
    seen: set[tuple[str, ...]] = set()
    covered = [False] * len(words)
    for i in range(len(words) - n + 1):
        gram = tuple(words[i:i + n])
        if gram in seen:
            covered[i:i + n] = [True] * n
        else:
            seen.add(gram)
    dup = sum(len(w) for w, c in zip(words, covered) if c)
    return dup / max(1, sum(map(len, words)))


class GopherNgramRepetitionFilter(DocumentFilter):
    """Gopher: top 2/3/4-gram char fraction <= .20/.18/.16; duplicated 5..10-grams <= .15...10.

    Off by default: templated wire stories (earnings tables, crop reports) repeat
    "vs loss ... mln vs" n-grams by nature; on news_copies it dropped 25 clean
    bases. Switch it on for web text where such tables are rare.
    """

    name = "gopher_ngram_repetition"
    description = "top/duplicated word n-grams cover too many characters (Gopher) [off: tables]"
    default_on = False
    source = "Gopher (Rae et al. 2021, Table A1)"
    PARAMS = {"top_ngram_max": (0.20, 0.18, 0.16),                       # n = 2, 3, 4
              "duplicate_ngram_max": (0.15, 0.14, 0.13, 0.12, 0.11, 0.10),  # n = 5..10
              "languages": ("en",)}

    def check_document(self, lines: list[str], language: str | None) -> Verdict:
        words = " ".join(lines).lower().split()
        for n, limit in zip((2, 3, 4), self.top_ngram_max):
            frac = top_ngram_char_fraction(words, n)
            if frac > limit:
                return Verdict(False, self.name, round(frac, 4), {f"top_{n}gram": limit})
        for n, limit in zip(range(5, 11), self.duplicate_ngram_max):
            frac = duplicate_ngram_char_fraction(words, n)
            if frac > limit:
                return Verdict(False, self.name, round(frac, 4), {f"duplicate_{n}gram": limit})
        return Verdict(True)
