"""A language guess from function words, so most prose lines never reach the model.

An ordinary sentence is 30-45% function words ("the", "of", "und", "les"). A
line where one language's function words make a large share of the words, and
no other listed language's come close, is in that language: measured on the
news_copies lines of 6+ words, every line with at least 20% English function
words that fastText did not call English was an English line fastText misread
(capitalised headlines, company names), never a foreign one. Lines without
that evidence, and every language not listed here, still go to the model.

The lists hold frequent words that are rare as words of the other listed
languages; a word in two lists counts for both, so a line mixing them fails
the dominance test and goes to the model (see `_guess`).
"""

from __future__ import annotations

#: frequent function words per language (lower case)
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        "the of and to that with are be by this from have has had it its which were been "
        "their they would said not but he she his who after than about more into there can "
        "we our you says when what some in a is was on for at an as or will also".split()),
    "de": frozenset(
        "der die und den von zu das mit sich des auf für ist im dem nicht ein eine auch "
        "werden aus er hat dass sie nach wird bei einer sind noch wie einem über zum haben "
        "nur oder aber vor zur bis mehr durch sein wurde sei".split()),
    "fr": frozenset(
        "les des du et une est pour dans qui pas sur au aux avec ce sont mais ont été cette "
        "elle leur nous vous ses ces comme très fait".split()),
    "es": frozenset(
        "el los las del y más pero fue también muy hasta según porque cuando ya sus sido "
        "está están así".split()),
    "it": frozenset(
        "di che della è sono anche dei delle nel nella alla più gli questo stato dopo essere "
        "degli dal dalla".split()),
    "pt": frozenset(
        "do em não uma os na mais dos mas foi ao ele das tem à seu sua muito já também pelo "
        "pela até isso ela depois".split()),
    "nl": frozenset(
        "van het een dat op voor zijn niet aan ook maar bij uit naar tot wordt werd hij heeft "
        "dit worden wel deze geen".split()),
}

MIN_WORDS = 6
MIN_SHARE = 0.2
MIN_HITS = 2
#: the leading language needs this many times the function words of all the others together
DOMINANCE = 3

_LANGUAGES = tuple(FUNCTION_WORDS)
#: per language, the function words of all the other listed languages
_OTHERS = {lang: frozenset().union(*(v for other, v in FUNCTION_WORDS.items() if other != lang))
           for lang in _LANGUAGES}

# One pass counts every language at once: a function word weighs 1 in the bit field of each
# language that lists it (fields 0..6) and of each language it is a rival of (fields 7..13).
# A field holds counts up to 2**40 words (a 2**40-word line would need terabytes).
_FIELD = 40
_MASK = (1 << _FIELD) - 1
_RIVALS = len(_LANGUAGES) * _FIELD
_WEIGHTS = {word: sum(1 << (_FIELD * k) for k, lang in enumerate(_LANGUAGES)
                      if word in FUNCTION_WORDS[lang])
            + sum(1 << (_RIVALS + _FIELD * k) for k, lang in enumerate(_LANGUAGES)
                  if word in _OTHERS[lang])
            for words in FUNCTION_WORDS.values() for word in words}


#: guesses kept by line text (lines repeat across copies and templates): lines up to
#: CACHE_LINE_CHARS long, cleared when the kept lines hold CACHE_TOTAL_CHARS characters
CACHE_LINE_CHARS = 1000
CACHE_TOTAL_CHARS = 8_000_000
_GUESSES: dict[str, str | None] = {}
_cached = [0]  # characters held by _GUESSES
_UNSEEN = object()


def guess_language(line: str) -> str | None:
    """The line's language when its function words leave no doubt, else None (ask the model)."""
    if len(line) > CACHE_LINE_CHARS:
        return _guess(line)
    guess = _GUESSES.get(line, _UNSEEN)
    if guess is _UNSEEN:
        guess = _guess(line)
        _cached[0] += len(line)
        if _cached[0] > CACHE_TOTAL_CHARS:
            _GUESSES.clear()
            _cached[0] = len(line)
        _GUESSES[line] = guess
    return guess


def _guess(line: str) -> str | None:
    """`guess_language` without the cache.

    The first listed language (English first) with enough function words
    wins if it dominates its rivals, bounded by the words of all other
    languages together (stricter than the single best rival). All counts come
    from one C-level pass over the words (`_WEIGHTS`).
    """
    words = line.lower().split()
    n = len(words)
    if n < MIN_WORDS:
        return None
    need = max(MIN_HITS, MIN_SHARE * n)
    counts = sum(filter(None, map(_WEIGHTS.get, words)))  # (every weight is nonzero)
    for k, lang in enumerate(_LANGUAGES):
        hits = counts >> (_FIELD * k) & _MASK
        if hits >= need:
            rivals = counts >> (_RIVALS + _FIELD * k) & _MASK
            return lang if hits >= DOMINANCE * rivals else None
    return None
