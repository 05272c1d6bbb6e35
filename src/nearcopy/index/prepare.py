"""Clean and sketch incoming documents, outside any storage transaction.

This is the CPU-heavy half of an add or a query; the service runs it in its
request threads so the single writer thread only does storage work. The
cleaning is the one `nearcopy run` uses (or none, as in `nearcopy dedup`),
chosen when the index is built and recorded in its metadata.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import xxhash

from nearcopy.dedup.sketch import SketchBatch, SketchParams, sketch_texts
from nearcopy.document import Document
from nearcopy.errors import StorageError

CLEANING_FULL = "clean"          # nearcopy.clean.Cleaner (as `nearcopy run`)
CLEANING_NORMALIZE = "normalize"  # NFKC + white space (`run` without the cleaning stage)
CLEANING_NONE = "none"           # text as given (as `nearcopy dedup`)
CLEANING_MODES = (CLEANING_FULL, CLEANING_NORMALIZE, CLEANING_NONE)

#: reason given when an id cannot be stored (lone surrogates from a broken input)
INVALID_ID = "invalid_id"


@dataclass
class PreparedBatch:
    """Documents ready to match: cleaned text facts plus their sketches, in input order."""

    docs: list[Document]
    content_hashes: list[int]
    dropped: list[dict | None]
    sketches: SketchBatch

    def __len__(self) -> int:
        return len(self.docs)


def content_hash(text: str) -> int:
    """Hash of the submitted (raw) text: the same id with another text is a conflict."""
    return xxhash.xxh3_64_intdigest(text.encode("utf-8", "surrogatepass"))


def default_cleaning() -> tuple[str, dict[str, Any] | None]:
    """The cleaning of `nearcopy run`: the full cleaner when installed, else normalising."""
    try:
        from nearcopy.clean import CleanConfig
    except ImportError:
        return CLEANING_NORMALIZE, None
    return CLEANING_FULL, CleanConfig().to_dict()


@dataclass
class Preparer:
    """Cleans (one cleaner per thread: rule objects keep counters) and sketches."""

    params: SketchParams
    cleaning: str = CLEANING_NONE
    clean_config: dict[str, Any] | None = None
    _local: threading.local = field(default_factory=threading.local, repr=False)

    def __post_init__(self):
        if self.cleaning not in CLEANING_MODES:
            raise StorageError(f"index cleaning mode '{self.cleaning}' is not one of "
                               f"{', '.join(CLEANING_MODES)}; was it written by a newer nearcopy?")
        self._make_cleaner()  # fail at open, not on the first request

    def __getstate__(self):  # thread-local cleaners stay behind when sent to a worker
        return {k: v for k, v in self.__dict__.items() if k != "_local"}

    def __setstate__(self, state):
        self.__dict__.update(state, _local=threading.local())

    def _make_cleaner(self):
        if self.cleaning == CLEANING_NONE:
            return None
        if self.cleaning == CLEANING_NORMALIZE:
            from nearcopy.pipeline.normalize import NormalizeOnly
            return NormalizeOnly()
        try:
            from nearcopy.clean import CleanConfig, Cleaner
        except ImportError as exc:
            raise StorageError("this index was built with the cleaning stage "
                               "(nearcopy.clean), which cannot be imported here") from exc
        return Cleaner(CleanConfig.from_dict(self.clean_config or {}))

    def cleaner(self):
        if not hasattr(self._local, "cleaner"):
            self._local.cleaner = self._make_cleaner()
        return self._local.cleaner

    def clean(self, doc: Document) -> tuple[str, dict | None]:
        """(text to sketch, drop reason or None)."""
        cleaner = self.cleaner()
        if cleaner is None:
            return doc.text, None
        result = cleaner.clean(doc)
        return result.text, result.dropped

    def prepare(self, docs: list[Document]) -> PreparedBatch:
        texts, dropped, hashes = [], [], []
        for doc in docs:
            text, reason = self.clean(doc)
            if reason is None and not _storable(doc.id):
                reason = {"rule": INVALID_ID, "value": None, "threshold": None}
            texts.append(text)
            dropped.append(reason)
            hashes.append(content_hash(doc.text))
        return PreparedBatch(docs, hashes, dropped, sketch_texts(texts, self.params))


def _storable(doc_id: str) -> bool:
    try:
        doc_id.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return bool(doc_id)
