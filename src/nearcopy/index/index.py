"""`Index`: an incremental store of sketches answering "is this a copy of anything held?".

Insert, query, remove and merge all go through one matching path
(`matching.find_matches`) built on the batch dedup functions, so a document gets
the verdict it would get in `nearcopy run`. The index records its dedup
parameters and cleaning in the storage metadata and refuses mismatched files.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from nearcopy.config import DedupConfig
from nearcopy.document import Document
from nearcopy.errors import ConfigError, StorageError
from nearcopy.index.matching import (
    Match,
    Rules,
    band_key_matrix,
    find_matches,
    sampled_values,
)
from nearcopy.index.prepare import (
    CLEANING_NONE,
    PreparedBatch,
    Preparer,
    default_cleaning,
)
from nearcopy.index.storage import (
    FORMAT_NAME,
    FORMAT_VERSION,
    Storage,
    StoredDocument,
    WriteSession,
    open_storage,
)

STATUS_ADDED = "added"
STATUS_EXISTS = "exists"        # same id and same text: nothing changed (idempotent retry)
STATUS_CONFLICT = "conflict"    # same id, different text: the stored one is kept
STATUS_DROPPED = "dropped"      # the cleaning stage dropped it; not stored
#: copies remembered per stored document (returned again on an idempotent retry)
STORED_COPIES = 100


@dataclass
class InsertResult:
    """What happened to one document given to `Index.insert`."""

    id: str
    status: str
    copies: list[Match] = field(default_factory=list)
    dropped: dict | None = None

    def to_dict(self, limit: int | None = None) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "dropped": self.dropped,
                "copies": [m.to_dict() for m in self.copies[:limit]]}


class Index:
    """Documents sketched once, matched on arrival.

    Example:
        >>> import os, tempfile
        >>> from nearcopy.document import Document
        >>> text = " ".join(f"word{i}" for i in range(60))
        >>> with Index.create(os.path.join(tempfile.mkdtemp(), "i.db"), cleaning="none") as idx:
        ...     _ = idx.insert([Document("a", text)])
        ...     [m.id for m in idx.query(text)]
        ['a']
    """

    def __init__(self, storage: Storage, config: DedupConfig, *, cleaning: str = CLEANING_NONE,
                 clean_config: dict | None = None):
        self.storage = storage
        self.config = config.resolved()
        self.rules = _rules(self.config)
        self.cleaning = cleaning
        self.clean_config = clean_config
        self.preparer = Preparer(self.config.sketch, cleaning, clean_config)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, config: DedupConfig | None = None, *,
               cleaning: str | None = None, clean_config: dict | None = None,
               backend: str = "sqlite", synchronous: str = "FULL") -> Index:
        """A new, empty index at `path`; `cleaning=None` means the cleaning of `nearcopy run`."""
        if cleaning is None:
            cleaning, clean_config = default_cleaning()
        config = (config or DedupConfig()).resolved()
        if Path(path).exists() and Path(path).stat().st_size > 0:
            raise StorageError(f"{path} already exists; add to it with `nearcopy index add`, "
                               "or remove the file to start over")
        storage = open_storage(path, create=True, backend=backend, synchronous=synchronous)
        try:
            index = cls(storage, config, cleaning=cleaning, clean_config=clean_config)
            storage.write_meta({"format": FORMAT_NAME, "format_version": FORMAT_VERSION,
                                "dedup": asdict(index.config), "cleaning": cleaning,
                                "clean_config": clean_config, "created_at": time.time()})
        except BaseException:
            storage.close()
            raise
        return index

    @classmethod
    def open(cls, path: str | Path, *, backend: str = "sqlite",
             synchronous: str = "FULL") -> Index:
        """Open an existing index; a missing, foreign or damaged file raises StorageError."""
        storage = open_storage(path, backend=backend, synchronous=synchronous)
        try:
            meta = storage.read_meta()
            _check_meta(meta, path)
            config = _config_from_meta(meta["dedup"], path)
            _check_layout(meta, config, path)
            return cls(storage, config, cleaning=meta.get("cleaning", CLEANING_NONE),
                       clean_config=meta.get("clean_config"))
        except BaseException:
            storage.close()
            raise

    @classmethod
    def upgrade(cls, path: str | Path, *, backend: str = "sqlite") -> int:
        """Bring an index file of an older format up to this version, in place.

        Version 1 -> 2 adds the containment postings of every stored document, in
        one transaction (a crash leaves the file at version 1). Returns the
        version the file had; a current file is left as it is.
        """
        storage = open_storage(path, backend=backend)
        try:
            meta = storage.read_meta()
            _check_meta(meta, path)
            version = meta["format_version"]
            if version < FORMAT_VERSION:
                rules = _rules(_config_from_meta(meta["dedup"], path).resolved())
                storage.upgrade_layout()
                with storage.writing() as session:
                    for doc in session.iter_documents():
                        session.add_samples(doc.key, sampled_values(doc.shingles, rules).tolist())
                    session.set_meta("format_version", FORMAT_VERSION)
            return version
        finally:
            storage.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.storage.close()

    # -- matching -------------------------------------------------------------------------------
    def prepare(self, docs: list[Document]) -> PreparedBatch:
        """Clean and sketch (thread-safe; no storage access)."""
        return self.preparer.prepare(docs)

    def query(self, text: str, *, limit: int | None = None) -> list[Match]:
        """Stored copies of one text, best first; nothing is added."""
        return self.query_prepared(self.prepare([Document("query", text)]), limit=limit)[0]

    def query_prepared(self, batch: PreparedBatch, *, limit: int | None = None
                       ) -> list[list[Match]]:
        """Copies of each prepared document (none for documents the cleaning dropped)."""
        found = self.match_sketches(batch.sketches, limit=limit)
        return [[] if reason else matches for matches, reason in zip(found, batch.dropped)]

    def match_sketches(self, batch, *, limit: int | None = None) -> list[list[Match]]:
        """Stored copies of every document of a SketchBatch (or decide.Sketches).

        This is what `nearcopy run --against INDEX` calls on its own sketches: a
        document with any match is a copy of an indexed document. The batch must be
        sketched with this index's parameters (see `require_compatible`).
        """
        keys = band_key_matrix(batch.signatures, self.rules.num_bands, self.rules.rows_per_band)
        offsets = _offsets(batch.set_counts)
        sets = batch.set_values
        out = []
        with self.storage.reading() as session:
            for i in range(len(batch)):
                shingles = None if sets is None else np.asarray(sets[offsets[i]:offsets[i + 1]])
                matches = find_matches(session, self.rules,
                                       exact_hash=int(batch.exact_hashes[i]),
                                       signature=batch.signatures[i], shingles=shingles,
                                       band_keys=keys[i])
                out.append(matches[:limit])
        return out

    def require_compatible(self, config: DedupConfig) -> None:
        """Raise ConfigError unless `config` sketches and matches like this index."""
        mine, theirs = self.config, config.resolved()
        names = ("num_perm", "ngram", "shingle", "seed", "threshold", "num_bands",
                 "rows_per_band")
        diff = [f"{n}={getattr(theirs, n)} (index: {getattr(mine, n)})" for n in names
                if getattr(mine, n) != getattr(theirs, n)]
        if diff:
            raise ConfigError("the run's dedup settings differ from the index's: "
                              + ", ".join(diff) + "; use the index's settings")

    # -- writing --------------------------------------------------------------------------------
    def insert(self, docs: list[Document]) -> list[InsertResult]:
        """Add documents in one transaction; each result lists the copies found before it."""
        return self.insert_prepared([self.prepare(docs)])[0]

    def insert_prepared(self, batches: list[PreparedBatch]) -> list[list[InsertResult]]:
        """Add several prepared batches in one durable transaction (group commit).

        Documents are matched in order inside the transaction, so a later document
        sees earlier ones of the same call, as in batch mode.
        """
        with self.storage.writing() as session:
            return [self._insert_batch(session, batch) for batch in batches]

    def _insert_batch(self, session: WriteSession, batch: PreparedBatch) -> list[InsertResult]:
        sk = batch.sketches
        keys = band_key_matrix(sk.signatures, self.rules.num_bands, self.rules.rows_per_band)
        offsets = _offsets(sk.set_counts)
        results = []
        for i, doc in enumerate(batch.docs):
            if batch.dropped[i] is not None:
                results.append(InsertResult(doc.id, STATUS_DROPPED, dropped=batch.dropped[i]))
                continue
            existing = session.get(doc.id)
            if existing is not None:
                same = existing.content_hash == batch.content_hashes[i]
                results.append(InsertResult(doc.id, STATUS_EXISTS if same else STATUS_CONFLICT,
                                            [Match(**m) for m in existing.copies]))
                continue
            shingles = np.asarray(sk.set_values[offsets[i]:offsets[i + 1]], dtype=np.uint32)
            matches = find_matches(session, self.rules, exact_hash=int(sk.exact_hashes[i]),
                                   signature=sk.signatures[i], shingles=shingles,
                                   band_keys=keys[i])
            stored = StoredDocument(
                id=doc.id, exact_hash=int(sk.exact_hashes[i]), length=int(sk.lengths[i]),
                content_hash=batch.content_hashes[i], signature=sk.signatures[i],
                shingles=shingles, copies=[m.to_dict() for m in matches[:STORED_COPIES]],
                metadata=_jsonable(doc.metadata), added_at=time.time())
            session.add(stored, keys[i].tolist(), sampled_values(shingles, self.rules).tolist())
            results.append(InsertResult(doc.id, STATUS_ADDED, matches))
        return results

    def remove(self, doc_id: str) -> bool:
        """Delete one document; False if the id is not indexed."""
        with self.storage.writing() as session:
            doc = session.get(doc_id)
            if doc is None:
                return False
            keys = band_key_matrix(doc.signature[None, :], self.rules.num_bands,
                                   self.rules.rows_per_band)[0]
            session.delete(doc, keys.tolist(), sampled_values(doc.shingles, self.rules).tolist())
            return True

    def merge(self, other: Index, *, batch: int = 1000) -> int:
        """Copy every document of `other` (same parameters) whose id is new here."""
        self.require_compatible(other.config)
        added = 0
        with other.storage.reading() as source:
            pending: list[StoredDocument] = []
            for doc in source.iter_documents():
                pending.append(doc)
                if len(pending) >= batch:
                    added += self._merge_some(pending)
                    pending = []
            added += self._merge_some(pending)
        return added

    def _merge_some(self, docs: list[StoredDocument]) -> int:
        added = 0
        with self.storage.writing() as session:
            for doc in docs:
                if session.get(doc.id) is not None:
                    continue
                keys = band_key_matrix(doc.signature[None, :], self.rules.num_bands,
                                       self.rules.rows_per_band)[0]
                session.add(doc, keys.tolist(), sampled_values(doc.shingles, self.rules).tolist())
                added += 1
        return added

    def save(self) -> None:
        """Fold the write-ahead log into the main file (commits are durable without this)."""
        self.storage.checkpoint()

    # -- reading --------------------------------------------------------------------------------
    def get(self, doc_id: str) -> StoredDocument | None:
        with self.storage.reading() as session:
            return session.get(doc_id)

    def __len__(self) -> int:
        with self.storage.reading() as session:
            return session.count()

    def stats(self) -> dict[str, Any]:
        return {"documents": len(self), "format_version": FORMAT_VERSION,
                "dedup": {k: v for k, v in asdict(self.config).items()
                          if k not in ("keep", "bucket_window")},
                "cleaning": self.cleaning, "storage": self.storage.describe()}


def _rules(config: DedupConfig) -> Rules:
    """What decides a match, from a resolved DedupConfig."""
    return Rules(config.threshold, config.num_bands, config.rows_per_band, config.verify,
                 containment=config.containment, containment_sample=config.containment_sample)


def _offsets(counts) -> np.ndarray:
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets


def _jsonable(metadata: dict) -> dict:
    return json.loads(json.dumps(metadata, default=str)) if metadata else {}


def _check_meta(meta: dict, path) -> None:
    if meta.get("format") != FORMAT_NAME:
        raise StorageError(f"{path} is not a nearcopy index (format {meta.get('format')!r})")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise StorageError(f"{path} has index format version {version!r}; this nearcopy reads "
                           f"up to {FORMAT_VERSION}: upgrade nearcopy")
    if not isinstance(meta.get("dedup"), dict):
        raise StorageError(f"{path}: index metadata has no dedup settings; the file is damaged")


def _check_layout(meta: dict, config: DedupConfig, path) -> None:
    """A version 1 file has no containment postings: fine only if containment is off."""
    version = meta["format_version"]
    uses_containment = config.verify == "exact" and config.containment > 0
    if version < 2 and uses_containment:
        raise StorageError(
            f"{path} has index format version {version}, which has no containment postings "
            f"(its settings ask for containment {config.containment}); upgrade it in place "
            f"with `nearcopy index upgrade --index {path}`, or rebuild it with "
            f"`nearcopy index build`")


def _config_from_meta(data: dict, path) -> DedupConfig:
    known = {f.name for f in fields(DedupConfig)}
    try:
        return DedupConfig(**{k: v for k, v in data.items() if k in known})
    except (ConfigError, TypeError) as exc:
        raise StorageError(f"{path}: stored dedup settings are invalid ({exc})") from exc

