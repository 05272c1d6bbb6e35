"""Corpus-level boilerplate: lines that recur verbatim across many documents.

Site templates and footers only show up when all documents are counted, so
this runs as its own stage in two passes: `BoilerplateCounter.add(text)` for
every cleaned document (document frequency per line hash), then
`table.strip(text)` for each. Counts are kept as sorted numpy arrays of
63-bit line keys (`boilerplate_kernels`) and counts (16 bytes per distinct
line), mergeable across workers.

What is never removed: a line that reads like content -- at least
`content_min_words` words and ending like a sentence. A paragraph shared by
many documents is then either a syndicated story (its copies are what the
dedup stage must find, so every occurrence, the first included, is kept for it
to judge) or a long footer, which the line rules already catch. Lines shorter than
`min_words` words are never counted either: they are table labels ("Year",
"Nine mths"), not templates. Only the template-like lines in between are
removed, in every document where they recur.
"""

from __future__ import annotations

import re
import threading

import numpy as np

from nearcopy import regex_programs
from nearcopy.clean import boilerplate_kernels
from nearcopy.clean.base import Rule
from nearcopy.errors import ConfigError

RULE = "corpus_boilerplate"
_SPACE = regex_programs.compile(r"\s+")
_SENTENCE_END = (".", "!", "?", '"', "\u201d", "\u3002", "\uff01", "\uff1f")
_COMPACT_EVERY = 1 << 20


class CorpusBoilerplateRule(Rule):
    """Declares the corpus stage's parameters (it is not a per-document rule)."""

    name = RULE
    description = "line recurring verbatim in >= min_docs documents (site template, footer)"
    # min_words: table labels ("Year", "Nine mths", "1986/87 1985/86") recur in hundreds of
    # wire stories but are body text; measured on news_copies, 3 words leaves them alone.
    PARAMS = {"min_docs": 10, "content_min_words": 15, "min_chars": 3, "min_words": 3}

    def validate(self) -> None:
        super().validate()
        if self.params["min_docs"] < 2:
            raise ConfigError(f"rules.{RULE}.min_docs = {self.params['min_docs']} must be >= 2 "
                              "(a line in one document is not boilerplate)")


def _settings(config) -> dict:
    return config.params(RULE) if hasattr(config, "params") else dict(config)


def line_key(line: str) -> int:
    """Hash of a line, blind to case and spacing."""
    return _key(line.lower().split())


def _key(lower_words: list[str]) -> int:
    # " ".join(split()) == re.sub(r"\s+", " ", strip()): both use str.isspace's whitespace
    data = " ".join(lower_words).encode("utf-8", "surrogatepass")
    return (_joined_key or _bind_joined())(np.frombuffer(data, _BYTE))


def is_content(line: str, content_min_words: int) -> bool:
    """Reads like a paragraph of prose: long enough and ends like a sentence."""
    return len(line.split()) >= content_min_words and line.rstrip().endswith(_SENTENCE_END)


def _template_like(line: str, min_chars: int, min_words: int, content_min_words: int) -> bool:
    """Long enough to be a template line, too short or unfinished to be prose."""
    return (len(line.strip()) >= min_chars and len(line.split()) >= min_words
            and not is_content(line, content_min_words))


class TemplateLines:
    """Which lines count for corpus boilerplate, and their keys (picklable, cheap to ship).

    Workers compute the keys of their documents, so the process that counts
    them only extends an array (the counting pass was 1 s of serial work per
    10k documents in the parent).
    """

    def __init__(self, min_chars: int, min_words: int, content_min_words: int):
        self.min_chars, self.min_words = min_chars, min_words
        self.content_min_words = content_min_words
        self._same_as = None  # the last cleaner's TemplateLines found equal (`keys_of`)

    def __getstate__(self):
        return {**self.__dict__, "_same_as": None}

    @classmethod
    def of(cls, config) -> "TemplateLines | None":
        """The template lines of a clean config, or None when corpus boilerplate is off."""
        if not config.enabled(RULE):
            return None
        params = config.params(RULE)
        return cls(int(params["min_chars"]), int(params["min_words"]),
                   int(params["content_min_words"]))

    def _params(self) -> tuple[int, int, int]:
        return self.min_chars, self.min_words, self.content_min_words

    def __eq__(self, other) -> bool:
        return isinstance(other, TemplateLines) and self._params() == other._params()

    def __hash__(self) -> int:
        return hash(self._params())

    def key(self, line: str) -> int | None:
        """The line's key if it is template-like (see `_template_like`), else None."""
        if line.rstrip().endswith(_SENTENCE_END) and \
                len(line.split(None, self.content_min_words - 1)) >= self.content_min_words:
            # reads like prose; most lines of a text are, so they are not lower-cased, split
            # whole and hashed first (the split stops at content_min_words words)
            return None
        words = line.lower().split()
        if len(words) < self.min_words or len(line.strip()) < self.min_chars:
            return None
        return _key(words)

    def keys(self, text: str) -> list[int]:
        """Distinct keys of the template-like lines of one document, in the order
        `python_keys` gives them (the same set, filled in the same order)."""
        data = text.encode("utf-8", "surrogatepass")
        entries = _scratch(text.count("\n") + 1)
        found = (_template_lines or _bind())(np.frombuffer(data, _BYTE), _SPACE_TABLE,
                                             self.content_min_words, self.min_words,
                                             self.min_chars, entries)
        at = entries[:2 * found].tolist()
        key = self.key
        found_keys = set()
        for k in range(0, 2 * found, 2):
            start = at[k]
            if start > 0:
                found_keys.add(start)
            else:  # a line the kernel leaves to `key`
                line_key = key(data[-1 - start:at[k + 1]].decode("utf-8", "surrogatepass"))
                if line_key is not None:
                    found_keys.add(line_key)
        return list(found_keys)

    def keys_of(self, result, cleaner) -> list[int]:
        """`keys(result.text)` of a kept document's `CleanResult` from `cleaner`: the keys
        its scan found (`CleanResult.template_keys`) when the cleaner keys lines as this
        does (a second pass over the text cost 0.08 s on news_copies)."""
        if result.template_keys is not None:
            theirs = cleaner.template
            if theirs is self._same_as or theirs == self:
                self._same_as = theirs  # (comparing them took ~1 us a document)
                return result.template_keys
        return self.keys(result.text)

    def python_keys(self, text: str) -> list[int]:
        """`keys` by `key`, line by line (the definition; any text)."""
        key = self.key
        return list({k for k in map(key, text.split("\n")) if k is not None})


_BYTE = np.dtype(np.uint8)
_SPACE_TABLE = boilerplate_kernels.SPACE
_template_lines = None
_joined_key = None
_SCRATCH = threading.local()  # `keys`' buffer, reused (new arrays per call cost 2.4 us)


def _scratch(lines: int) -> np.ndarray:
    """This thread's entries buffer of `template_lines`, at least `lines` pairs."""
    entries = getattr(_SCRATCH, "entries", None)
    if entries is None or entries.size < 2 * lines:
        entries = np.empty(2 * max(lines, 1 << 10, 0 if entries is None else entries.size),
                           np.int64)
        _SCRATCH.entries = entries
    return entries


def _bind():
    """The compiled `template_lines`, looked up once."""
    global _template_lines
    from nearcopy.clean.doc_scan import compiled
    _template_lines = compiled(boilerplate_kernels.template_lines)
    return _template_lines


def _bind_joined():
    """The compiled `joined_key`, looked up once."""
    global _joined_key
    from nearcopy.clean.doc_scan import compiled
    _joined_key = compiled(boilerplate_kernels.joined_key)
    return _joined_key


class BoilerplateCounter:
    """First pass: document frequency of every template-like line hash."""

    def __init__(self, config):
        params = _settings(config)
        self.min_docs = int(params["min_docs"])
        self.content_min_words = int(params["content_min_words"])
        self.min_chars = int(params["min_chars"])
        self.min_words = int(params["min_words"])
        self.lines = TemplateLines(self.min_chars, self.min_words, self.content_min_words)
        self.keys = np.empty(0, dtype=np.uint64)
        self.counts = np.empty(0, dtype=np.int64)
        self._pending: list[int] = []
        self.num_docs = 0

    def add(self, text: str) -> None:
        """Count each distinct template-like line of one document once."""
        self.add_keys(self.lines.keys(text))

    def add_keys(self, keys: list[int]) -> None:
        """Count one document given its distinct template-line keys (`TemplateLines.keys`)."""
        self.num_docs += 1
        self._pending.extend(keys)
        if len(self._pending) >= _COMPACT_EVERY:
            self._compact()

    def add_many(self, keys: np.ndarray, documents: int) -> None:
        """Count `documents` documents given all their keys at once (each document's
        distinct keys, as `add_keys` takes them; the order does not matter)."""
        self.num_docs += documents
        if keys.size:
            self._pending.extend(keys.tolist())
        if len(self._pending) >= _COMPACT_EVERY:
            self._compact()

    def _compact(self) -> None:
        if not self._pending:
            return
        new = np.array(self._pending, dtype=np.uint64)
        self._pending = []
        keys = np.concatenate([self.keys, new])
        weights = np.concatenate([self.counts, np.ones(len(new), dtype=np.int64)])
        self.keys, inverse = np.unique(keys, return_inverse=True)
        self.counts = np.bincount(inverse, weights=weights).astype(np.int64)

    def merge(self, other: "BoilerplateCounter") -> None:
        """Fold another worker's counts into this one."""
        other._compact()
        self._compact()
        keys = np.concatenate([self.keys, other.keys])
        weights = np.concatenate([self.counts, other.counts])
        self.keys, inverse = np.unique(keys, return_inverse=True)
        self.counts = np.bincount(inverse, weights=weights).astype(np.int64)
        self.num_docs += other.num_docs

    def finish(self) -> "BoilerplateTable":
        """The table of line hashes seen in at least `min_docs` documents."""
        self._compact()
        frequent = self.keys[self.counts >= self.min_docs]
        counts = self.counts[self.counts >= self.min_docs]
        return BoilerplateTable(frequent, counts, content_min_words=self.content_min_words,
                                min_chars=self.min_chars, min_words=self.min_words)


class BoilerplateTable:
    """Second pass: strip the frequent template-like lines from a document."""

    def __init__(self, keys: np.ndarray, counts: np.ndarray, *, content_min_words: int,
                 min_chars: int, min_words: int = 3):
        self.keys = np.asarray(keys, dtype=np.uint64)
        self.counts = np.asarray(counts, dtype=np.int64)
        self.content_min_words = content_min_words
        self.min_chars = min_chars
        self.min_words = min_words
        self.lines = TemplateLines(min_chars, min_words, content_min_words)
        self._lookup = {int(k): int(c) for k, c in zip(self.keys, self.counts)}

    def __len__(self) -> int:
        return len(self._lookup)

    def __getstate__(self):
        return {"keys": self.keys, "counts": self.counts,
                "content_min_words": self.content_min_words, "min_chars": self.min_chars,
                "min_words": self.min_words}

    def __setstate__(self, state) -> None:
        self.__init__(state["keys"], state["counts"],
                      content_min_words=state["content_min_words"], min_chars=state["min_chars"],
                      min_words=state["min_words"])

    def strip(self, text: str) -> tuple[str, list[dict]]:
        """Remove boilerplate lines; returns the new text and `{line, text, rule, docs}` entries.

        `line` is the 0-based line number in `text` (the cleaned text).
        """
        if not self._lookup:
            return text, []
        kept, removed = [], []
        key, lookup = self.lines.key, self._lookup.get
        for i, line in enumerate(text.split("\n")):
            k = key(line)
            docs = lookup(k) if k is not None else None
            if docs is not None:
                removed.append({"line": i, "text": line, "rule": RULE, "docs": docs})
            else:
                kept.append(line)
        return "\n".join(kept), removed
