"""Per-line facts of a whole document in one compiled pass (`kernels.line_stats`).

`scan(text)` gives, for every line of `text.split("\\n")`, its ASCII letters,
its words, its function-word guess and its flags (see kernels.py); lines
flagged `NON_ASCII` must be asked of the Python definitions instead.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import numpy as np

from nearcopy.clean import kernels, stopwords
from nearcopy.clean.language import HEADLINE_SHARE
from nearcopy.clean.kernels import (EMPTY, END, FLAGS, GUESS, HEADLINE, LETTERS, LITERAL,
                                    NON_ASCII, START, TEMPLATE, WORD, WORDS)

__all__ = ["scan", "scan_rows", "scan_document", "tables", "fits", "base_tables",
           "with_stray", "LETTERS", "WORDS", "GUESS",
           "FLAGS", "NON_ASCII", "HEADLINE", "END", "LITERAL", "WORD", "START", "EMPTY",
           "TEMPLATE", "LANGUAGES", "UNCAPPED", "with_template", "short_word_probes",
           "short_words_in"]

#: GUESS k (k > 0) names LANGUAGES[k]
LANGUAGES: tuple[str | None, ...] = (None, *stopwords._LANGUAGES)


def _pack(word: bytes) -> int:
    return sum(byte << (8 * j) for j, byte in enumerate(word))


def _pack_word(word: bytes) -> int:
    """A function word's key as `kernels.line_stats` makes it: its bytes big-endian, each
    with bit 7 set (so that a NUL byte counts)."""
    key = 0
    for byte in word:
        key = key << 8 | byte | 128
    return key


def _product(key: int) -> int:
    """`key * kernels.HASH_MULTIPLIER` as the kernels compute it (64-bit two's complement)."""
    product = (key * kernels.HASH_MULTIPLIER) & ((1 << 64) - 1)
    return product - (1 << 64) if product >= 1 << 63 else product


def _slot(key: int) -> int:
    """`kernels.word_slot` in Python integers (arithmetic shift of `_product`)."""
    return (_product(key) >> kernels.HASH_SHIFT) & 1023


def _base_tables() -> np.ndarray:
    """`kernels.line_stats`' tables without literals and ends: the guess's parameters,
    the byte classes, and the ASCII function words with their weights (a non-ASCII
    word never occurs in an ASCII line)."""
    nlangs = len(stopwords._LANGUAGES)
    nfields = 2 * nlangs
    words = sorted(w for w in stopwords._WEIGHTS if w.isascii())
    max_len = max(map(len, words))
    assert max_len <= kernels.KEY_BYTES and len(words) < 512 and nfields <= kernels.MAX_FIELDS
    assert all(w == w.lower() and w.split() == [w] for w in words)
    tables = np.zeros(kernels.SIZE, dtype=np.int64)
    tables[[kernels.NLANGS, kernels.MIN_WORDS, kernels.MIN_HITS, kernels.DOMINANCE,
            kernels.MAX_KEY_LEN, kernels.START_MODE]] = [
        nlangs, stopwords.MIN_WORDS, stopwords.MIN_HITS, stopwords.DOMINANCE, max_len,
        kernels.PREFIXED]  # (no prefixes: no line flagged START)
    tables[kernels.STRAY_PARAMS:kernels.STRAY_PARAMS + 2] = [0, 1]  # (see `with_stray`)
    for b in range(128):
        char = chr(b)
        if char.isspace():  # str.split()'s ASCII whitespace, incl. \x1c-\x1f
            tables[kernels.CLASSES + b] |= kernels._SPACE
        if char.isalpha():
            tables[kernels.CLASSES + b] |= kernels._UPPER if char.isupper() else kernels._LOWER
            tables[kernels.CLASSES + b] |= kernels._LETTER
        if char.isalnum():  # (the loose key's characters)
            tables[kernels.CLASSES + b] |= kernels._ALNUM
        if char in "#.":  # (the symbols the document rules count)
            tables[kernels.CLASSES + b] |= kernels._SYMBOL
        tables[kernels.CLASSES + b] |= ord(char.lower()) << kernels.LOWERED
    tables[kernels.CLASSES + 128:kernels.CLASSES + 256] = kernels._HIGH
    for word in words:
        key = _pack_word(word.encode("ascii"))
        slot = _slot(key)
        while tables[kernels.TABLE + slot]:
            slot = (slot + 1) & 1023
        tables[kernels.TABLE + slot] = key
        counts = [stopwords._WEIGHTS[word] >> (stopwords._FIELD * k) & stopwords._MASK
                  for k in range(nfields)]
        assert set(counts) <= {0, 1}  # (a word is listed once per language)
        for k, count in enumerate(counts):
            if count:
                tables[kernels.SPREAD + kernels.SPREAD_WORDS * slot + k // 4] += 1 << (16 * (k % 4))
    tables.flags.writeable = False
    return tables


@lru_cache(maxsize=1)
def base_tables() -> np.ndarray:
    """`_base_tables()`, built on first use (4 ms: a cleaner with a line gate reads its
    own tables from the disk cache, so most start-ups need none)."""
    return _base_tables()
_MIN_SHARE = float(stopwords.MIN_SHARE)
_HEADLINE_SHARE = float(HEADLINE_SHARE)


#: the cap of a literal character that flags lines of any length
UNCAPPED = 1 << 62


_NO_STARTS: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())


@lru_cache(maxsize=16)
def tables(literals: str = "", ends: tuple[str, ...] = (), words: tuple[str, ...] = (),
           caps: tuple[int, ...] = (),
           starts: tuple[frozenset[str], frozenset[str]] | None = _NO_STARTS,
           long_starts: tuple[frozenset[str], frozenset[str]] | None = None,
           long_chars: int = 0, bracketed_caps: tuple[int, ...] | None = None
           ) -> np.ndarray | None:
    """Tables that also flag LITERAL the ASCII lines holding a character of `literals`
    in their `str.lower()` (`literals[k]` only in lines of at most `caps[k]`
    characters; UNCAPPED where `caps` ends; `bracketed_caps[k]` instead in a line
    where a "<" comes before a ">": by default `caps`), END those whose `rstrip()` ends with one
    of `ends`, WORD those (of the ASCII lines flagged neither) whose `str.lower()`
    holds one of `words` (a non-ASCII word is left out: it is in no ASCII line), and
    START at least the ASCII lines that begin with one of the `starts` prefixes (the
    `start_prefixes` pair (short, full) of ASCII strings; None: every ASCII line), and
    in lines of at least `long_chars` characters, with `long_starts`, those that begin
    with one of its prefixes instead (the prefixes of the matches such lines can have);
    None when the ends or words do not fit the table (too many, too long or too short)."""
    if not fits(ends, words):
        return None
    ascii_ends = [end.encode("ascii") for end in dict.fromkeys(ends) if end.isascii()]
    ascii_words = [word.encode("ascii") for word in dict.fromkeys(words) if word.isascii()]
    trigrams = bool(ascii_words) and all(len(word) >= 4 for word in ascii_words)
    if trigrams:  # the long words first (`kernels.NLONG`)
        ascii_words.sort(key=lambda word: len(word) < kernels.LONG_WORD)
    out = base_tables().copy()
    out[kernels.NLITERALS] = len(ascii_words)
    bigrams = [0] * (128 * 128 // 64)
    for w, word in enumerate(ascii_words):
        for pair in _cased_pairs(word[0], word[1]):
            bigrams[pair >> 6] |= 1 << (pair & 63)
        base = kernels.LITERALS + w * (kernels.MAX_LITERAL_LEN + 1)
        out[base] = len(word)
        out[base + 1:base + 1 + len(word)] = list(word)
    out[kernels.BIGRAMS:kernels.LITERALS] = [b - (1 << 64) if b >= 1 << 63 else b
                                             for b in bigrams]
    if trigrams:
        out[kernels.TRIGRAM_MODE] = 1
        long_words = [word for word in ascii_words if len(word) >= kernels.LONG_WORD]
        out[kernels.NLONG] = len(long_words)
        for w, word in enumerate(ascii_words):
            offset, width, bits = ((_window(word), kernels.LONG_STRIDE, kernels.TRIGRAMS)
                                   if w < len(long_words) else (0, 2, kernels.SHORT_TRIGRAMS))
            slots = [_piece_slot(word, at) for at in range(offset, offset + width)]
            out[kernels.WINDOWS + w] = offset
            pieces = kernels.PIECES + w * kernels.LONG_STRIDE
            out[pieces:pieces + kernels.LONG_STRIDE] = -1  # (no slot)
            out[pieces:pieces + width] = slots
            _set_bits(out, [64 * bits + slot for slot in slots])
    if bracketed_caps is None:
        bracketed_caps = caps
    for k, char in enumerate(literals):
        cap = caps[k] if k < len(caps) else UNCAPPED
        bracketed_cap = bracketed_caps[k] if k < len(bracketed_caps) else UNCAPPED
        for b in range(128):
            if chr(b).lower() == char:
                out[kernels.CLASSES + b] |= kernels._LITERAL
                out[kernels.CAPS + b] = max(out[kernels.CAPS + b], cap)
                out[kernels.BRACKETED_CAPS + b] = max(out[kernels.BRACKETED_CAPS + b],
                                                      bracketed_cap)
    out[kernels.NENDS] = len(ascii_ends)
    for e, end in enumerate(ascii_ends):
        out[kernels.ENDS + 2 * e] = _pack(end)
        out[kernels.ENDS + 2 * e + 1] = len(end)
    if starts is None:
        out[kernels.START_MODE] = kernels.ANY_START
    else:
        _set_bits(out, _start_bits(*starts))
        if long_starts is not None and long_chars > 0:
            out[kernels.LONG_START] = long_chars
            _set_bits(out, [bit + 64 * kernels.LONG_OFFSET for bit in _start_bits(*long_starts)])
    out.flags.writeable = False
    return out


def fits(ends: tuple[str, ...] = (), words: tuple[str, ...] = ()) -> bool:
    """Whether `tables` can hold these ends and words (not too many, long or short)."""
    ascii_ends = [end for end in dict.fromkeys(ends) if end.isascii()]
    ascii_words = [word for word in dict.fromkeys(words) if word.isascii()]
    return (len(ascii_ends) <= kernels.MAX_ENDS
            and all(len(end) <= kernels.MAX_END_LEN for end in ascii_ends)
            and len(ascii_words) <= kernels.MAX_LITERALS
            and all(2 <= len(word) <= kernels.MAX_LITERAL_LEN for word in ascii_words))


def with_template(tables: np.ndarray, content_min_words: int, min_words: int,
                  min_chars: int) -> np.ndarray:
    """A copy of `tables` that also keys the template-like ASCII lines (row TEMPLATE, as
    `TemplateLines(min_chars, min_words, content_min_words).key`; content_min_words >= 1)."""
    if content_min_words < 1:
        raise ValueError(f"content_min_words = {content_min_words}: the scan keys lines "
                         "only for content_min_words >= 1")
    out = tables.copy()
    out[kernels.TEMPLATE_PARAMS:kernels.TEMPLATE_PARAMS + 3] = [content_min_words, min_words,
                                                                 min_chars]
    out.flags.writeable = False
    return out


def with_stray(tables: np.ndarray, min_words: int, min_letters: int) -> np.ndarray:
    """A copy of `tables` whose document sums count the lines (T_ASKED) that a
    stray-language rule of these parameters asks the model about (lines without a guess
    of at least `min_words` words and max(`min_letters`, 1) letters, not in headline
    case: `settled_language`)."""
    out = tables.copy()
    out[kernels.STRAY_PARAMS:kernels.STRAY_PARAMS + 2] = [min_words, max(min_letters, 1)]
    out.flags.writeable = False
    return out


def _cased(b: int) -> list[int]:
    """The ASCII bytes whose `str.lower()` is byte b."""
    return [c for c in range(128) if ord(chr(c).lower()) == b]


def _piece_slot(word: bytes, at: int) -> int:
    """`kernels.trigram_slot` of the word's three bytes at `at` (in any case: the slot
    ors each byte with 32)."""
    return kernels.trigram_slot.py_func(word[at], word[at + 1], word[at + 2])


def _window(word: bytes) -> int:
    """Where a long word's LONG_STRIDE tested pieces begin: the offset whose pieces hold
    the fewest non-letters (" of" or "s o" start far more lines' pieces than "rms"
    does, and each hit compares the words), the first of those."""
    def spaced(at: int) -> int:
        return sum(not word[k:k + 3].isalpha()
                   for k in range(at, at + kernels.LONG_STRIDE))
    return min(range(len(word) - kernels.LONG_STRIDE - 1), key=spaced)


def short_word_probes(tables: np.ndarray) -> tuple[tuple[bytes, frozenset[int]], ...] | None:
    """What `short_words_in` looks for: per first byte of the tables' short literal words
    (in any case), the bytes that may follow it in one of them; () when there is no
    short word to look for, None when a short word begins with a letter or a digit
    (too common a byte: the pass then always runs)."""
    if not tables[kernels.TRIGRAM_MODE]:
        return None
    probes: dict[int, set[int]] = {}
    for w in range(int(tables[kernels.NLONG]), int(tables[kernels.NLITERALS])):
        base = kernels.LITERALS + w * (kernels.MAX_LITERAL_LEN + 1)
        first, second = int(tables[base + 1]), int(tables[base + 2])
        if chr(first).isalnum():
            return None
        for c0 in _cased(first):
            probes.setdefault(c0, set()).update(_cased(second))
    return tuple((bytes((first,)), frozenset(seconds)) for first, seconds in probes.items())


def short_words_in(data: bytes | np.ndarray, probes) -> int:
    """The scan's `short_words` argument for `data`: 0 when no short literal word can be
    in it (no probe's first byte followed by one of its second bytes: the pass that looks
    for them is skipped), else 1. By `bytes.find` of one byte (memchr: 0.4 us on a 3 KB
    text, where `in` of two bytes took 5 us)."""
    if probes is None:
        return 1
    if type(data) is not bytes:  # (the normalisers' uint8 array)
        data = data.tobytes()
    for first, seconds in probes:
        at, looked = data.find(first), 0
        while at >= 0:
            if looked == _PROBES_FOLLOWED:
                return 1  # (a text full of them: the pass costs less than more looks)
            if at + 1 < len(data) and data[at + 1] in seconds:
                return 1
            at, looked = data.find(first, at + 1), looked + 1
    return 0


#: `short_words_in` looks at the byte after this many of a probe's first bytes at most
_PROBES_FOLLOWED = 16


def _cased_pairs(b0: int, b1: int) -> list[int]:
    """The pairs 128 * c0 + c1 of ASCII bytes whose `str.lower()` are bytes b0 and b1."""
    return [c0 * 128 + c1 for c0 in _cased(b0) for c1 in _cased(b1)]


def _start_char(char: str) -> int:
    """`kernels._start_char` of an ASCII character."""
    return 32 if char.isspace() else ord(char.lower())


def _start_bits(short: frozenset[str], full: frozenset[str]) -> list[int]:
    """The table slots (bit positions from SHORT1 on) of the start prefixes."""
    bits = []
    for prefix in (*short, *full):
        assert prefix.isascii() and 1 <= len(prefix) <= 3
        c = [_start_char(char) for char in prefix]
        if len(c) == 1:
            bits.append(64 * kernels.SHORT1 + c[0])
        elif len(c) == 2:
            bits.append(64 * kernels.SHORT2 + c[0] * 128 + c[1])
        else:
            bits.append(64 * kernels.FULL3 + (c[0] | c[1] << 7 | c[2] << 14))
    return bits


def _set_bits(out: np.ndarray, bits: list[int]) -> None:
    """Set these bits of `out`, bit b being bit b % 64 of slot b // 64 (as int64)."""
    words: dict[int, int] = {}
    for bit in bits:
        words[bit // 64] = words.get(bit // 64, 0) | 1 << (bit % 64)
    for slot, word in words.items():
        out[slot] |= word - (1 << 64) if word >= 1 << 63 else word


def scan(text: str, tables: np.ndarray | None = None) -> list[list[int]]:
    """[letters, words, guess, flags]: one list each, one entry per line of `text`
    (`tables`: `base_tables()` if None)."""
    return scan_utf8(encode(text), tables)


def scan_rows(data: bytes, tables: np.ndarray | None = None) -> list[list[int]]:
    """Every row of `line_stats` (`scan_utf8`'s four, then the sums the document rules
    read: `doc_scan.kept_counts`) of the text whose `encode` is `data`."""
    return scan_document(data, tables)[0]


def scan_document(data: bytes | np.ndarray, tables: np.ndarray | None = None,
                  short_words: int = 1) -> tuple[list[list[int]], list[int]]:
    """(`scan_rows`, the document's sums: `kernels.T_LETTERS` and the rest); `data` may
    also be those bytes as a read-only uint8 array; `short_words` 0 only when
    `short_words_in` says so."""
    out, lines, totals = scan_view(data, tables, short_words)
    return out[:, :lines].tolist(), totals


def scan_view(data: bytes | np.ndarray, tables: np.ndarray | None = None,
              short_words: int = 1) -> tuple[np.ndarray, int, list[int]]:
    """`scan_document` with its rows left in the scan's array: (array, lines, sums), the
    rows being the array's first `lines` columns. A caller converts only the rows it
    reads (all of them cost ~2.5 us on a prose document, one row ~0.7 us). The array is
    this thread's scratch, as are the bytes without empty lines (`kept_text`): they
    hold this scan's results until the next scan."""
    if tables is None:
        tables = base_tables()
    buf = data if type(data) is np.ndarray else np.frombuffer(data, _BYTE)
    scratch = _SCRATCH.__dict__
    out = scratch.get("out")
    if out is None:
        out = _SCRATCH.out = np.empty((kernels.ROWS, _SCRATCH_COLUMNS), np.int64)
        _SCRATCH.sums = np.empty(kernels.TOTALS, np.int64)
        _SCRATCH.kept = np.empty(_SCRATCH_BYTES, np.uint8)
        _SCRATCH.kept_bytes = memoryview(_SCRATCH.kept)
    kept = scratch["kept"]
    if kept.shape[0] < buf.shape[0] <= _SCRATCH_MAX_BYTES:
        kept = _SCRATCH.kept = np.empty(buf.shape[0], np.uint8)
        _SCRATCH.kept_bytes = memoryview(kept)
    sums = scratch["sums"]
    lines = (_line_stats or _bind())(buf, tables, _MIN_SHARE, _HEADLINE_SHARE, short_words,
                                     out, sums, kept)
    if lines < 0:  # (more lines than the scratch has columns)
        out = np.empty((kernels.ROWS, -lines), np.int64)
        if -lines <= _SCRATCH_MAX_COLUMNS:
            _SCRATCH.out = out
        lines = _line_stats(buf, tables, _MIN_SHARE, _HEADLINE_SHARE, short_words, out, sums,
                            kept)
    return out, lines, sums.tolist()


def kept_text(totals: list[int]) -> str | None:
    """The text of the last scan's (`scan_view`, same thread) non-empty lines joined by a
    newline, when its bytes were ASCII (None: a document longer than the scratch, whose
    lines the scan did not copy). `totals`: that scan's sums."""
    size = totals[kernels.T_KEPT_BYTES]
    return str(_SCRATCH.kept_bytes[:size], "ascii") if size >= 0 else None


#: the scan's result array, one per thread, reused: its columns at first, and the most
#: it grows to (a longer document's array is its own)
_SCRATCH = threading.local()
_SCRATCH_COLUMNS = 1024
_SCRATCH_MAX_COLUMNS = 1 << 16
#: the same for the bytes of the non-empty lines (a longer document's are not copied)
_SCRATCH_BYTES = 1 << 16
_SCRATCH_MAX_BYTES = 1 << 22


def encode(text: str) -> bytes:
    """The bytes `scan_utf8` reads (a lone surrogate, which UTF-8 cannot encode, becomes
    three non-ASCII bytes: its line is flagged NON_ASCII like any other)."""
    return text.encode("utf-8", "surrogatepass")


def scan_utf8(data: bytes, tables: np.ndarray | None = None) -> list[list[int]]:
    """`scan` of the text whose `encode` is `data`."""
    return scan_rows(data, tables)[:FLAGS + 1]


#: (a dtype object passed by position: `dtype=np.uint8` cost `np.frombuffer` 0.4 us more)
_BYTE = np.dtype(np.uint8)


_line_stats = None


def _bind():
    """The compiled `line_stats` of the AOT module, called without the kernel's per-call
    argument check (4 us, a fifth of the call): `scan_document` passes exactly the
    exported types (a read-only uint8 buffer, int64 tables, two floats, an integer, the
    int64 scratch). Else the kernel itself."""
    global _line_stats
    from nearcopy.native import aot, registry
    module = aot.load() if registry.mode() == "aot" else None
    _line_stats = getattr(module, kernels.line_stats.export_name, None) or kernels.line_stats
    return _line_stats
