"""Compiled one-pass scans of a whole document for the cleaner (numba kernels).

The cleaner needs, for every line, its letters, its words, the function-word
language guess and whether it is set in headline case; the document rules and
the repeated-paragraph check need counts of the lines kept (words, symbols,
bullet lines, loose keys: `doc_scan.kept_counts` sums them by line number).
Asked line by line in Python that was several calls per line (a third of the
cleaning time); here one kernel call per document reads the UTF-8 bytes once.
Only ASCII lines are judged here (their `str.lower`, `str.split` and
`str.isalpha` are plain byte rules); a line holding any other byte is flagged
`NON_ASCII` and the caller asks the Python definitions about it (`language.py`,
`stopwords.py`, `doc_scan.python_counts`).

Every result must equal its Python definition: tests/clean/test_fast_paths.py and
tests/clean/test_kept_counts.py compare them on random text.
"""

from __future__ import annotations

import numpy as np

from nearcopy.clean.boilerplate_kernels import KEY_START_A, KEY_START_B, key_end, key_step
from nearcopy.clean.norm_kernels import byte_triggers
from nearcopy.native.registry import kernel

#: rows of `line_stats`' result, one column per line of the document; the last three
#: are what the document rules and the repeated-paragraph check sum over the kept lines
#: (`doc_scan.kept_counts`): SUMS_A packs the line's words, characters in words and "#",
#: SUMS_B its "..." (non-overlapping), whether it starts with a bullet ("-" or "*") and
#: whether it ends with "...", FIELD_BITS bits each (exact sums over a document of fewer
#: than 1 << FIELD_BITS bytes); KEY sums up its loose key (`line_key`; an empty line's is
#: -1 - its number, equal to no other); TEMPLATE is the line's corpus-boilerplate key
#: (`boilerplate.TemplateLines.key`, see `template_key`), 0 when it has none or when the
#: tables ask for none (a non-ASCII line's is asked of Python)
LETTERS, WORDS, GUESS, FLAGS, SUMS_A, SUMS_B, KEY, TEMPLATE = range(8)
ROWS = 8
#: `line_stats`' `sums` sum up the document: T_LETTERS all letters; T_ASKED the unguessed
#: lines the stray-language rule would ask the model about (at least the tables'
#: STRAY_PARAMS letters and words, not in headline case), plus the empty lines' count <<
#: 32; T_GUESSES bit k set when a line's guess is k > 0; T_FLAGS every line's flags or-ed,
#: plus the normalisers' triggers of ASCII text (`norm_kernels.byte_triggers` of the bytes)
#: << TRIGGER_SHIFT, so that the cleaner scans an ASCII text first and normalises it only
#: when they say a normaliser may change it (a separate call took ~4 us of the ~60 us of a
#: prose document); T_SUMS_A and T_SUMS_B the sums of those rows; T_SAME_KEYS 1 when two
#: lines' KEY are equal; T_UNGUESSED the letters of the lines without a guess; T_TEMPLATES
#: the lines with a TEMPLATE key (none: a kept document has no corpus-boilerplate key to
#: gather, and no row is read for them); T_KEPT_BYTES the length of the bytes without their
#: empty lines that the scan wrote into its `kept` array (-1: that array is too short and
#: none were written). A non-ASCII line's entries are in them too: they are to be read only
#: when T_FLAGS holds no NON_ASCII (see `doc_scan.kept_counts`).
(T_LETTERS, T_ASKED, T_GUESSES, T_FLAGS, T_SUMS_A, T_SUMS_B, T_SAME_KEYS,
 T_UNGUESSED, T_TEMPLATES, T_KEPT_BYTES) = range(10)
TOTALS = 10
EMPTY_SHIFT = 32
TRIGGER_SHIFT = 16
FIELD_BITS = 21
#: FLAGS bits: the line holds a non-ASCII byte (the other rows and bits are then not to
#: be used); the line is in headline case (`language._headline_case` of its words);
#: with its trailing whitespace stripped, it ends with one of the tables' ends; it
#: holds a byte of class _LITERAL whose cap is at least the line's length; its
#: lower-cased text holds one of the tables' words (WORD is looked for only in an
#: ASCII line flagged neither END nor LITERAL); an ASCII line may begin a start-pattern
#: match (START: its first characters are among the tables' start prefixes, see
#: START_MODE); the line is empty
NON_ASCII, HEADLINE, END, LITERAL, WORD, START, EMPTY = 1, 2, 4, 8, 16, 32, 64

#: byte classes: the whitespace of `str.split()` (ASCII), capital and small ASCII
#: letters, bytes the caller asks about (the LITERAL flag: the same bit), ASCII letters
#: and digits (`str.isalnum()`: the loose key's characters), bytes of non-ASCII
#: characters (>= 128), "#" and "." (the symbols counted), ASCII letters again (_UPPER or
#: _LOWER as one bit: a letter is counted with one shift, 3.5 % of the scan on prose); an
#: ASCII byte's `str.lower()` is the class >> LOWERED
_SPACE, _UPPER, _LOWER, _LITERAL, _ALNUM, _HIGH, _SYMBOL = 1, 2, 4, LITERAL, 16, 32, 64
_LETTER = 128
LOWERED = 8

#: layout of `line_stats`' `tables` (int64): seven integer parameters, then the class of
#: each byte, then the cap of each ASCII byte of class _LITERAL (the longest line it
#: flags), then those caps in a line where a "<" comes before a ">", then NENDS (packed
#: end, its length) pairs, then the bit set of the two-byte starts of the words in any
#: case (bit 128 * b0 + b1 of bytes b0 b1 that lower to a word's first two), then
#: NLITERALS words (its length, then one byte per slot), then the 1024-slot function-word table, then each slot's counts
#: (SPREAD_WORDS integers: count k in 16-bit lane k % 4 of the slot's integer k // 4, 1
#: when the word adds 1 to count k), then the start prefixes: the bit sets of the
#: one- and two-character ones (bit 128 * c0 + c1) and of the three-character ones (bit
#: c0 | c1 << 7 | c2 << 14: one bit per prefix, 256 KB; a hashed set of 8 KB flagged a
#: fifth of all lines by collisions), all read with each character as `_start_char`,
#: then the same three sets for lines of at least LONG_START characters (LONG_OFFSET
#: further on), then LONG_START (0: those lines take the first sets too), then the
#: template-line parameters (`TemplateLines`: content_min_words, 0 for no TEMPLATE keys;
#: min_words; min_chars), then the stray rule's two (STRAY_PARAMS), then TRIGRAM_MODE,
#: NLONG, the literal words' two trigram bit sets, WINDOWS and PIECES (see TRIGRAM_MODE)
NLANGS, MIN_WORDS, MIN_HITS, DOMINANCE, MAX_KEY_LEN, NENDS, NLITERALS, START_MODE = range(8)
#: START_MODE: START from the prefix bit sets (empty sets: never), or on every ASCII line
#: (the start prefixes are unknown)
PREFIXED, ANY_START = 1, 2
CLASSES = 8
CAPS = CLASSES + 256
#: the caps of the rules that keep a line in which a "<" comes before a ">" left out
#: (`LineFilter.KEEPS_BRACKETED`): the caps of such a line's literal bytes
BRACKETED_CAPS = CAPS + 128
ENDS = BRACKETED_CAPS + 128
MAX_ENDS, MAX_END_LEN = 16, 7
BIGRAMS = ENDS + 2 * MAX_ENDS
LITERALS = BIGRAMS + 128 * 128 // 64
MAX_LITERALS, MAX_LITERAL_LEN = 16, 31
TABLE = LITERALS + MAX_LITERALS * (MAX_LITERAL_LEN + 1)
#: a function word's counts, packed in SPREAD_WORDS integers of four 16-bit lanes: a hit
#: adds them with four additions (a loop over the 14 counts took a sixth of the kernel)
SPREAD_WORDS = 4
MAX_FIELDS = 4 * SPREAD_WORDS
LANE_MAX = 0xFFFF  # hits in one line before its lanes are added to the counts (no carry)
SPREAD = TABLE + 1024
SHORT1 = SPREAD + SPREAD_WORDS * 1024
SHORT2 = SHORT1 + 128 // 64
FULL3 = SHORT2 + 128 * 128 // 64
LONG_OFFSET = FULL3 + (1 << 21) // 64 - SHORT1
LONG_START = SHORT1 + 2 * LONG_OFFSET
#: CLASSES as an unsigned integer: numba adds a wrap-around select for a negative index to
#: every array access with a signed index, none with an unsigned one; the byte loops index
#: unsigned (the scan 0.189 -> 0.168 s on 5,000 prose documents, 0.190 -> 0.177 s on
#: news_copies). A byte that may be typed int64 is made unsigned first: int64 + uint64
#: types as float64, which cannot index
_UCLASSES = np.uint64(CLASSES)
TEMPLATE_PARAMS = LONG_START + 1
#: the stray-language rule's min_words and min_letters (at least 1), for T_ASKED
STRAY_PARAMS = TEMPLATE_PARAMS + 3
#: 1 when the literal words are looked for by their three-byte pieces (`trigram_word`:
#: every word of at least four bytes), 0 by their first two bytes at every byte
#: (`bigram_word`); then NLONG, the long words (LONG_WORD bytes or more) that come first
#: among the literals; the long words' trigram bit set (TRIGRAM_BITS bits, slot
#: `trigram_slot`: pieces tested every LONG_STRIDE bytes), the short words' (tested every
#: second byte), each long word's WINDOWS offset (where its tested pieces begin), and
#: each word's PIECES: the slots of its tested pieces (LONG_STRIDE of a long word, two of
#: a short one), so that a hit compares only the word whose piece it may be, at the one
#: start that piece gives (comparing every word at every start cost more than the tests)
TRIGRAM_MODE = STRAY_PARAMS + 2
NLONG = TRIGRAM_MODE + 1
TRIGRAMS = NLONG + 1
TRIGRAM_BITS = 1 << 15
SHORT_TRIGRAMS = TRIGRAMS + TRIGRAM_BITS // 64
WINDOWS = SHORT_TRIGRAMS + TRIGRAM_BITS // 64
#: a long word's pieces at LONG_STRIDE consecutive offsets (its window) are in the set, so
#: one of them is tested wherever the word stands: a line of prose takes a sixth of the
#: tests instead of half (the literal-word pass ~7.5 -> ~3.3 us on a prose document)
LONG_WORD = 8
LONG_STRIDE = LONG_WORD - 2
PIECES = WINDOWS + MAX_LITERALS
SIZE = PIECES + MAX_LITERALS * LONG_STRIDE

#: a word's key holds its last KEY_BYTES bytes (MAX_KEY_LEN is at most KEY_BYTES)
KEY_BYTES = 7
KEY_BYTES_MASK = (1 << (8 * KEY_BYTES)) - 1
#: multiplier of the word hash (Fibonacci hashing; as a signed 64-bit integer)
HASH_MULTIPLIER = 0x9E3779B97F4A7C15 - (1 << 64)
HASH_SHIFT = 54  # the top 10 bits: a table of 1024 slots


@kernel(inline=True)
def word_slot(key):
    """Home slot of a packed word in the 1024-slot table (see `scan._function_words`)."""
    return ((key * HASH_MULTIPLIER) >> HASH_SHIFT) & 1023


@kernel(inline=True)
def _start_char(c):
    """How a start prefix's character is compared, from its byte class: blanks as " ",
    letters lower-cased (a superset: a line's exact prefix is then always found)."""
    return 32 if c & _SPACE else c >> LOWERED


@kernel("i8(u1[:]r, i8[:]r, f8, f8, i8, i8[:,:], i8[:], u1[:])")
def line_stats(buf, tables, min_share, headline_share, short_words, out, sums, kept):
    """Per line of buf (split at b"\\n"): ASCII letters, words, function-word guess
    (0: none, k + 1: the k-th language of the weights), flags, and the counts the
    document rules sum (SUMS_A, SUMS_B, KEY: see the rows above), written into the
    first `lines` columns of `out` (ROWS rows), and the document's sums into `sums`
    (TOTALS: T_LETTERS and the rest); returns lines, or -lines when `out` has fewer
    columns (its columns and `kept` then hold a part, `sums` nothing; 0 when `sums` is
    too short). The caller's arrays: boxing a returned array cost ~3 us a call, and a
    column of sums read from `out` ~0.4 us more than a small array of their own (a prose
    document cleans in ~45 us). The non-empty
    lines are copied into `kept` as they are read, joined by a newline (T_KEPT_BYTES
    of them; none when `kept` is shorter than buf): the text the cleaner keeps when it
    drops no line, made without splitting, filtering and joining it in Python (~5 us
    on a 3 KB text out of the cache).

    `tables` (see the layout above and `scan.py`): the guess's parameters (as in
    stopwords.py, with `min_share` and `headline_share`), the class bits of each
    byte, the ends (packed as little-endian integers of their bytes, at most
    MAX_END_LEN bytes each), and the literal bytes' caps (a line longer than the cap
    of each of its literal bytes is not flagged LITERAL: the rules looking for those
    bytes judge only shorter lines; in a line where a "<" comes before a ">", the
    BRACKETED_CAPS instead), the literal words (ASCII, 2 to MAX_LITERAL_LEN
    bytes; flag WORD: `word in line.lower()` for one of them, asked only of ASCII
    lines not flagged END or LITERAL: `trigram_word` when TRIGRAM_MODE, else
    `bigram_word`; `short_words` 0 when the caller knows that no short word is in buf:
    `scan.short_words_in`), and the function words, packed as big-endian
    integers of their bytes with bit 7 set (`scan._pack_word`; at most MAX_KEY_LEN
    bytes), in a table of 1024 slots (0 = empty, linear probing from `word_slot`). A
    word's counts (SPREAD, packed in 16-bit lanes) are what it adds (0 or 1) to each
    language that lists it (counts 0 to nlangs - 1) and to each language it is a rival
    of (nlangs more), as in `stopwords._WEIGHTS`.

    Per byte: one class load decides space, letter, case, literal and non-ASCII
    (a table of all 256 bytes: no separate test for bytes >= 128), and letters,
    headline counts and the loose key's features are added from the class bits
    without branches ("#" and "." take a rare branch, as the literal bytes do).
    """
    nlangs, min_words, min_hits = tables[NLANGS], tables[MIN_WORDS], tables[MIN_HITS]
    dominance, max_key_len, nends = tables[DOMINANCE], tables[MAX_KEY_LEN], tables[NENDS]
    nliterals = tables[NLITERALS]
    content_words = tables[TEMPLATE_PARAMS]
    stray_words, stray_letters = tables[STRAY_PARAMS], tables[STRAY_PARAMS + 1]
    nfields = 2 * nlangs
    n = buf.shape[0]
    if sums.shape[0] < TOTALS:
        return 0
    # (no count of the lines first: a pass of its own cost ~0.9 us of a prose document)
    columns = out.shape[1] if out.shape[0] >= ROWS else 0
    counts = np.zeros(nfields, dtype=np.int64)
    all_letters = asked = empty = guesses = all_flags = sums_a = sums_b = unguessed = 0
    templates = 0
    copies = kept.shape[0] >= n
    kept_bytes = 0
    i = 0
    line = 0
    while True:  # one line per round, to the end of buf
        if line == columns:  # out is too small: count the lines, write no sums
            return -(line + 1 + newlines(buf, i))
        line_start = i
        last = i  # end of the line without its trailing whitespace
        text_start = i  # where its first word starts
        letters = 0
        words = 0
        alpha = 0
        upper = 0
        seen = 0  # the union of the line's byte classes
        cap = 0  # the largest cap of its _LITERAL bytes
        bracketed_cap = 0  # the same, of BRACKETED_CAPS
        opened = bracketed = False  # a "<" seen; a ">" after it
        hit = False
        chars = hashes = ellipses = 0  # characters in words, "#", "..."
        dots = 0  # the "." just before, less the "..." already counted
        dot_at = -2  # where the last "." was
        count = total = weighted = 0  # the loose key's features (`line_key`)
        lane0 = lane1 = lane2 = lane3 = np.int64(0)  # the line's counts (see SPREAD)
        lane_hits = 0
        while True:  # one word per round
            # the spaces before it
            while i < n:
                b = buf[np.uint64(i)]
                if b == 10 or tables[_UCLASSES + np.uint64(b)] & _SPACE == 0:
                    break
                i += 1
            if i >= n or buf[np.uint64(i)] == 10:
                break
            # the word: buf[start:i]
            words += 1
            if words == 1:
                text_start = i
            c = tables[_UCLASSES + buf[np.uint64(i)]]
            alpha += (c >> 7) & 1  # (_LETTER)
            upper += (c >> 1) & 1
            key = np.int64(0)
            start = i
            while i < n:
                c = tables[_UCLASSES + buf[np.uint64(i)]]
                if c & _SPACE:  # (a newline too)
                    break
                seen |= c
                if c & (_LITERAL | _SYMBOL):  # (rare: no cost for the other bytes' branch)
                    if c & _LITERAL:
                        b = np.int64(buf[i])
                        cap = max(cap, tables[CAPS + b])
                        bracketed_cap = max(bracketed_cap, tables[BRACKETED_CAPS + b])
                        if b == 60:  # "<"
                            opened = True
                        elif b == 62 and opened:  # ">"
                            bracketed = True
                    if c & _SYMBOL:
                        if buf[i] == 35:
                            hashes += 1
                        else:  # "."
                            dots = dots + 1 if dot_at == i - 1 else 1
                            dot_at = i
                            if dots == 3:
                                ellipses += 1
                                dots = 0
                letters += (c >> 7) & 1  # (_LETTER)
                alnum = (c >> 4) & 1  # (_ALNUM)
                key_char = (c >> LOWERED) * alnum
                count += alnum
                total += key_char
                weighted += key_char * count
                # the last KEY_BYTES bytes, each with bit 7 set (`scan._pack_word`): no
                # test of the position per byte (0.126 -> 0.112 s on news_copies)
                key = (key << 8 | (c >> LOWERED) | 128) & KEY_BYTES_MASK
                i += 1
            last = i
            chars += i - start
            if i - start <= max_key_len:
                j = word_slot(key)
                while tables[np.uint64(TABLE + j)] != 0:
                    if tables[np.uint64(TABLE + j)] == key:
                        s = SPREAD + SPREAD_WORDS * j
                        lane0 += tables[s]
                        lane1 += tables[s + 1]
                        lane2 += tables[s + 2]
                        lane3 += tables[s + 3]
                        hit = True
                        lane_hits += 1
                        if lane_hits == LANE_MAX:  # (a line of 64k function words)
                            add_lanes(counts, nfields, lane0, lane1, lane2, lane3)
                            lane0 = lane1 = lane2 = lane3 = np.int64(0)
                            lane_hits = 0
                        break
                    j = (j + 1) & 1023
        line_end = i
        i += 1  # past the newline
        if copies and line_end > line_start:
            if kept_bytes > 0:
                kept[kept_bytes] = 10
                kept_bytes += 1
            # (unsigned indices: the copy then costs nothing measurable, where signed
            # ones took ~4 us of a prose document's ~26 us scan; see _UCLASSES)
            back = np.uint64(line_start - kept_bytes)  # (>= 0: the kernel's Python runs it too)
            for p in range(np.uint64(line_start), np.uint64(line_end)):
                kept[p - back] = buf[p]
            kept_bytes += line_end - line_start
        if bracketed:
            cap = bracketed_cap
        flags = seen & _LITERAL if line_end - line_start <= cap else 0  # (bit of LITERAL)
        if seen & _HIGH:  # (the caller does not read this line's other rows)
            flags |= NON_ASCII
        for e in range(nends):
            length = tables[ENDS + 2 * e + 1]
            if last - line_start >= length:
                tail = np.int64(0)
                for k in range(length):
                    tail |= np.int64(buf[last - length + k]) << (8 * k)
                if tail == tables[ENDS + 2 * e]:
                    flags |= END
                    break
        if line_end == line_start:
            flags |= EMPTY
        elif flags & NON_ASCII == 0:
            flags |= may_start(buf, tables, line_start, line_end)
        if nliterals > 0 and flags & (NON_ASCII | LITERAL | END) == 0:
            if tables[TRIGRAM_MODE]:
                flags |= trigram_word(buf, tables, line_start, line_end, nliterals,
                                      short_words)
            else:
                flags |= bigram_word(buf, tables, line_start, line_end, nliterals)
        guess = 0
        if hit:
            add_lanes(counts, nfields, lane0, lane1, lane2, lane3)
        if words >= min_words:
            need = max(float(min_hits), min_share * words)
            for k in range(nlangs):
                if counts[k] >= need:
                    if counts[k] >= dominance * counts[nlangs + k]:
                        guess = k + 1
                    break
        if hit:
            for k in range(nfields):
                counts[k] = 0
        if alpha > 0 and upper >= headline_share * alpha:
            flags |= HEADLINE
        out[LETTERS, line] = letters
        out[WORDS, line] = words
        out[GUESS, line] = guess
        out[FLAGS, line] = flags
        bullet = ends = 0
        if line_end > line_start:
            lead = buf[line_start]
            bullet = 1 if lead == 45 or lead == 42 else 0
            if (line_end - line_start >= 3 and buf[line_end - 1] == 46
                    and buf[line_end - 2] == 46 and buf[line_end - 3] == 46):
                ends = 1
            out[KEY, line] = line_key(count, total, weighted)
        else:
            out[KEY, line] = -1 - line
        sum_a = words | chars << FIELD_BITS | hashes << (2 * FIELD_BITS)
        sum_b = ellipses | bullet << FIELD_BITS | ends << (2 * FIELD_BITS)
        out[SUMS_A, line] = sum_a
        out[SUMS_B, line] = sum_b
        out[TEMPLATE, line] = 0
        if content_words > 0 and seen & _HIGH == 0:
            keyed = template_key(buf, tables, text_start, last, words, content_words)
            out[TEMPLATE, line] = keyed
            if keyed != 0:
                templates += 1
        all_letters += letters
        if guess > 0:
            guesses |= 1 << guess
        else:
            unguessed += letters
            if letters >= stray_letters and words >= stray_words and flags & HEADLINE == 0:
                asked += 1
        all_flags |= flags
        sums_a += sum_a
        sums_b += sum_b
        if flags & EMPTY:
            empty += 1
        line += 1
        if line_end >= n:
            break
    nlines = line
    sums[T_LETTERS] = all_letters
    sums[T_ASKED] = asked | empty << EMPTY_SHIFT
    sums[T_GUESSES] = guesses
    sums[T_FLAGS] = all_flags | byte_triggers(buf) << TRIGGER_SHIFT
    sums[T_SUMS_A] = sums_a
    sums[T_SUMS_B] = sums_b
    sums[T_SAME_KEYS] = same_keys(out[KEY, :nlines])
    sums[T_UNGUESSED] = unguessed
    sums[T_TEMPLATES] = templates
    sums[T_KEPT_BYTES] = kept_bytes if copies else -1
    return nlines


@kernel(inline=True)
def newlines(buf, start):
    """The newlines in buf[start:]."""
    found = 0
    for i in range(start, buf.shape[0]):
        if buf[i] == 10:
            found += 1
    return found


@kernel(inline=True)
def bigram_word(buf, tables, line_start, line_end, nliterals):
    """WORD when the (ASCII) line buf[line_start:line_end] holds one of the tables' literal
    words in its `str.lower()`, else 0: each byte pair is tested against the bit set of
    the words' first two bytes in any case."""
    # (the bit set is of the bytes as they are: no class load per byte; the kernel took
    # 0.153 s on news_copies with one, 0.141 s without)
    after = np.int64(buf[line_start]) if line_end > line_start else 0
    for p in range(line_start, line_end - 1):
        at = after
        after = np.int64(buf[np.uint64(p + 1)])
        pair = at * 128 + after
        if (tables[np.uint64(BIGRAMS + (pair >> 6))] >> (pair & 63)) & 1 == 0:
            continue
        first = tables[CLASSES + at] >> LOWERED
        low = tables[CLASSES + after] >> LOWERED
        for w in range(nliterals):
            base = LITERALS + w * (MAX_LITERAL_LEN + 1)
            if tables[base + 1] != first or tables[base + 2] != low:
                continue  # (another word of this line's bigrams)
            if word_at(buf, tables, p, line_end, base, 2):
                return WORD
    return 0


@kernel(inline=True)
def word_at(buf, tables, start, line_end, base, known):
    """Whether the literal word at `base` of the tables is buf[start:] lower-cased, within
    the line (its first `known` bytes already compared)."""
    length = tables[base]
    if start + length > line_end:
        return False
    k = known
    while k < length:
        if tables[CLASSES + buf[start + k]] >> LOWERED != tables[base + 1 + k]:
            return False
        k += 1
    return True


@kernel(inline=True)
def trigram_slot(b0, b1, b2):
    """The bit of three ASCII bytes in a trigram set (a multiplicative hash), in any case:
    each byte or-ed with 32 (an ASCII letter's small form; another byte may then share
    a bit with a second one, which the word comparison after a hit tells apart)."""
    return (((int(b0) | 32) << 14 | (int(b1) | 32) << 7 | (int(b2) | 32)) * 0x9E3779B1
            >> 17) & (TRIGRAM_BITS - 1)


@kernel(inline=True)
def trigram_word(buf, tables, line_start, line_end, nliterals, short_words):
    """`bigram_word` for words of at least four bytes. A long word (the first NLONG) is
    looked for by its pieces at LONG_STRIDE consecutive offsets from its WINDOWS offset:
    one of them starts at the tested byte, every LONG_STRIDE bytes, wherever the word
    stands. A short word, when `short_words`, by its pieces at its first two offsets,
    testing every second byte."""
    nlong = tables[NLONG]
    found = 0
    if nlong > 0:
        found = piece_word(buf, tables, line_start, line_end, LONG_STRIDE, TRIGRAMS, 0, nlong)
    if found == 0 and short_words and nliterals > nlong:
        found = piece_word(buf, tables, line_start, line_end, 2, SHORT_TRIGRAMS, nlong,
                           nliterals)
    return found


@kernel(inline=True)
def piece_word(buf, tables, line_start, line_end, stride, bits, first, last):
    """WORD when the line holds one of the literal words `first` to `last` - 1, whose
    pieces at `stride` consecutive offsets are in the bit set at `bits`, testing the
    piece at every `stride`-th byte. A tested piece in the set is compared with the words
    holding a piece of its slot (PIECES), each at the start that piece gives."""
    # (a while loop over unsigned reads: `range` with a step and signed reads cost ~4 %
    # more of the whole scan on prose)
    p = line_start
    while p < line_end - 2:
        at = p
        q = np.uint64(p)
        slot = trigram_slot(buf[q], buf[q + np.uint64(1)], buf[q + np.uint64(2)])
        p += stride
        if (tables[np.uint64(bits + (slot >> 6))] >> (slot & 63)) & 1 == 0:
            continue
        for w in range(first, last):
            pieces = PIECES + w * LONG_STRIDE
            for j in range(stride):
                if tables[pieces + j] == slot:
                    start = at - tables[WINDOWS + w] - j
                    if start >= line_start and word_at(
                            buf, tables, start, line_end, LITERALS + w * (MAX_LITERAL_LEN + 1),
                            0):
                        return WORD
    return 0


#: up to this many lines, `same_keys` compares every pair (no sorted copy to allocate:
#: sorting every document cost the scan 4 % on news_copies, comparing pairs nothing
#: measurable)
PAIRWISE_KEYS = 48


@kernel(inline=True)
def same_keys(keys):
    """1 when two of `keys` are equal, else 0."""
    n = keys.shape[0]
    if n <= PAIRWISE_KEYS:
        for k in range(1, n):
            key = keys[k]
            for j in range(k):
                if keys[j] == key:
                    return 1
        return 0
    ordered = np.sort(keys)
    for k in range(1, n):
        if ordered[k] == ordered[k - 1]:
            return 1
    return 0


@kernel(inline=True)
def add_lanes(counts, nfields, lane0, lane1, lane2, lane3):
    """Add the 16-bit lanes of a line's packed counts (see SPREAD) to `counts`."""
    for k in range(nfields):
        q = k >> 2
        lanes = lane0 if q == 0 else lane1 if q == 1 else lane2 if q == 2 else lane3
        counts[k] += (lanes >> (16 * (k & 3))) & 0xFFFF


@kernel(inline=True)
def template_key(buf, tables, first, last, words, content_words):
    """`TemplateLines.key` of an ASCII line whose words span buf[first:last] (0: None):
    prose (a sentence end and `content_words` words) and lines short of the tables'
    min_words or min_chars have none; the others' key hashes their words lower-cased and
    joined by one space, read here (`boilerplate_kernels.joined_key`). Only those lines,
    a tenth of news_copies' bytes, are read twice."""
    if words >= content_words and words > 0:
        end = buf[last - 1]
        if end == 46 or end == 33 or end == 63 or end == 34:  # . ! ? "
            return 0
    if words < tables[TEMPLATE_PARAMS + 1] or last - first < tables[TEMPLATE_PARAMS + 2]:
        return 0
    a, b = np.int64(KEY_START_A), np.int64(KEY_START_B)  # (not literals: typed once)
    gap = False
    for j in range(first, last):
        c = tables[CLASSES + buf[j]]
        if c & _SPACE:
            gap = True
            continue
        if gap:
            a, b = key_step(a, b, 32)
            gap = False
        a, b = key_step(a, b, c >> LOWERED)
    return key_end(a, b)


#: keeps the key features' mix in 62 bits, the same in numba's wrapping int64 arithmetic
#: and in Python's integers (py_func gives the same keys)
KEY_MASK = (1 << 62) - 1


@kernel(inline=True)
def line_key(count, total, weighted):
    """A line's loose key (its letters and digits, lower-cased: `repetition._loose_keys`)
    summed up by three features that equal keys share: their count, their sum, and their
    sum weighted by position among them. Additions keep the pass free of multiplication
    chains (a rolling hash per byte took twice as long). Equal sums only say "maybe"."""
    return ((int(count) * 0x9E3779B1 + int(total)) * 0x85EBCA77 + int(weighted)) & KEY_MASK


@kernel(inline=True)
def may_start(buf, tables, start, end):
    """START when the (non-empty, ASCII) line buf[start:end] may begin a start-pattern
    match: its first one, two or three characters are among the tables' prefixes."""
    if tables[START_MODE] == ANY_START:
        return START
    long_start = tables[LONG_START]
    at = LONG_OFFSET if long_start > 0 and end - start >= long_start else 0
    c0 = _start_char(tables[CLASSES + buf[start]])
    if (tables[at + SHORT1 + (c0 >> 6)] >> (c0 & 63)) & 1:
        return START
    if end - start < 2:
        return 0
    c1 = _start_char(tables[CLASSES + buf[start + 1]])
    pair = c0 * 128 + c1
    if (tables[at + SHORT2 + (pair >> 6)] >> (pair & 63)) & 1:
        return START
    if end - start < 3:
        return 0
    c2 = _start_char(tables[CLASSES + buf[start + 2]])
    bit = c0 | c1 << 7 | c2 << 14
    return START if (tables[at + FULL3 + (bit >> 6)] >> (bit & 63)) & 1 else 0
