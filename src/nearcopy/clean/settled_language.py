"""The main language of an ASCII document that its function words settle alone.

In most news documents every line with a function-word guess names the same
language, and the model names it too for the few lines without a guess that the
stray-language rule judges: that language wins the vote and no line is stray.
Shown from the compiled scan's lists, this skips building the per-line vote
(9,292 of news_copies' 9,580 documents; issue #3: 0.06 s of 1.8 s).
"""

from __future__ import annotations

from nearcopy.clean.kernels import (EMPTY_SHIFT, T_ASKED, T_GUESSES, T_LETTERS,
                                    T_UNGUESSED)
from nearcopy.clean.language import MAX_PROBABILITY, StrayLanguageFilter, predict_line
from nearcopy.clean.scan import FLAGS, GUESS, HEADLINE, LANGUAGES, LETTERS, WORDS

_ASKED = (1 << EMPTY_SHIFT) - 1


def settled_by_sums(totals: list[int]) -> str | None:
    """`settled_main_language` of a scanned ASCII document that keeps every line, from
    the scan's sums alone (`scan.scan_document`, tables of `scan.with_stray` for the
    stray rule): None unless no line is to be asked of the model (T_ASKED) and the
    guessed lines name one language whose letters beat MAX_PROBABILITY x the others'."""
    guessed = totals[T_GUESSES]
    if totals[T_ASKED] & _ASKED or not guessed or guessed & (guessed - 1):
        return None  # (a line to ask, or not exactly one language guessed)
    unguessed = totals[T_UNGUESSED]
    return (LANGUAGES[guessed.bit_length() - 1]
            if totals[T_LETTERS] - unguessed > unguessed * MAX_PROBABILITY else None)


def asks_model(totals: list[int]) -> bool:
    """Whether the sums leave the language to the model's answers alone: exactly one
    language is guessed and some line is to be asked (`settled_main_language` then
    settles it from those answers, or says None)."""
    guessed = totals[T_GUESSES]
    return bool(totals[T_ASKED] & _ASKED) and guessed != 0 and not guessed & (guessed - 1)


def settled_main_language(stats: list[list[int]], numbers: list[int], lines: list[str],
                          stray: StrayLanguageFilter, totals: list[int] | None = None
                          ) -> str | None:
    """`latin_languages`' main language of the kept `lines` (lines `numbers` of a scanned
    ASCII document) when it removes none of them, else None (ask it).

    That is when the guessed lines name one language, the model names it too for
    every unguessed line the stray rule judges (enough letters and words, not in
    headline case), and the guessed letters alone beat MAX_PROBABILITY x the other
    unguessed ones (`_unbeatable`; with none of those, `main_language`: more than
    none). The model's votes only add to that language's, so it wins however they
    round.

    With the scan's document sums (`totals`, of tables `scan.with_stray` made for this
    `stray`) and every line kept, the sums answer at once when no line is to be asked
    of the model (more than half of news_copies' documents): the empty lines add
    nothing to them (`numbers` holds none: the cleaner keeps no empty line).
    """
    all_letters, all_words, all_guesses, all_flags = stats
    if totals is not None and totals[T_ASKED] & _ASKED == 0 and \
            len(numbers) + (totals[T_ASKED] >> EMPTY_SHIFT) == len(all_guesses):
        return settled_by_sums(totals)
    if len(numbers) == len(all_guesses):  # every line kept (7 documents in 10: no copies made)
        guesses, letters = all_guesses, all_letters
    else:
        guesses = list(map(all_guesses.__getitem__, numbers))
        letters = list(map(all_letters.__getitem__, numbers))
    guessed = set(guesses)
    guessed.discard(0)
    if len(guessed) != 1:
        return None
    main = LANGUAGES[guessed.pop()]
    unguessed_at = [k for k, guess in enumerate(guesses) if not guess]
    unasked = _unasked_letters(main, stray, ((letters[k], all_words[numbers[k]],
                                              all_flags[numbers[k]], lines[k])
                                             for k in unguessed_at))
    if unasked is None:
        return None
    unguessed = sum([letters[k] for k in unguessed_at])
    return main if sum(letters) - unguessed > unasked * MAX_PROBABILITY else None


def settled_by_model(rows: list[list[int]], lines: list[str], stray: StrayLanguageFilter,
                     totals: list[int]) -> str | None:
    """`settled_main_language` of a scanned ASCII document that keeps every line but its
    empty ones, when the sums leave the language to the model's answers (`asks_model`):
    `lines` are all of them, as the scan numbered them. An empty line has no letters
    and no guess, so it changes no sum and is never asked; the sums give the guessed
    language and the letters, and no per-line list of the kept lines is made (two
    documents in five of generated prose end here)."""
    all_letters, all_words = rows[LETTERS], rows[WORDS]
    all_guesses, all_flags = rows[GUESS], rows[FLAGS]
    main = LANGUAGES[totals[T_GUESSES].bit_length() - 1]  # (exactly one: `asks_model`)
    # `_unasked_letters` written out: a generator and a tuple per unguessed line (empty
    # ones included) cost ~0.6 us a prose document, averaged over all of them
    min_words, min_letters = stray.min_words, max(stray.min_letters, 1)  # (0 letters: never)
    unasked = 0
    for k, guess in enumerate(all_guesses):
        if not guess:
            letters = all_letters[k]
            if letters >= min_letters and all_words[k] >= min_words and \
                    not all_flags[k] & HEADLINE:
                if predict_line(lines[k])[0] != main:
                    return None
            else:
                unasked += letters
    return main if totals[T_LETTERS] - totals[T_UNGUESSED] > unasked * MAX_PROBABILITY \
        else None


def _unasked_letters(main: str, stray: StrayLanguageFilter, unguessed) -> int | None:
    """The letters of the unguessed lines the stray rule does not judge; None when the
    model names another language than `main` for a line it judges (enough letters and
    words, not in headline case: the line may be stray). `unguessed`: (letters, words,
    flags, text) of each unguessed line, in order (the model is asked in that order)."""
    min_words, min_letters = stray.min_words, max(stray.min_letters, 1)  # (0 letters: never)
    unasked = 0
    for letters, words, flags, line in unguessed:
        if letters >= min_letters and words >= min_words and not flags & HEADLINE:
            if predict_line(line)[0] != main:
                return None
        else:
            unasked += letters
    return unasked
