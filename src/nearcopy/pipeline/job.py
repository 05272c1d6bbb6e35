"""The batch job behind `nearcopy run` and `nearcopy dedup`.

Passes: (A) read (+ clean) every document into a spool and sketch it on the
workers, (B) sketch again the documents that corpus boilerplate changes, (C)
decide exact/near copies and clusters, (D) stream the spool once more to write
kept/removed/clusters. Only per-document arrays stay in memory (signatures and
containment samples stay in files, see spilled.py); every output file appears
atomically.
"""

from __future__ import annotations

import logging
import shutil
import time
from array import array
from collections import Counter
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import numpy as np

from nearcopy.config import RunConfig
from nearcopy.dedup.arrays import sorted_unique
from nearcopy.dedup.decide import Decisions, find_copies
from nearcopy.dedup.paragraphs import ParagraphDeduper
from nearcopy.dedup.sketch import SketchBatch, SketchParams, shingle_sets, sketch_texts
from nearcopy.document import Document
from nearcopy.errors import InputFormatError
from nearcopy.executors.base import Executor
from nearcopy.executors.local import LocalExecutor
from nearcopy.io.base import SkipCounter
from nearcopy.io.discover import discover, iter_documents
from nearcopy.pipeline import outputs, ranges
from nearcopy.pipeline.outputs import OUR_FIELDS
from nearcopy.pipeline.heap import release_free_memory, reuse_batch_buffers
from nearcopy.pipeline.progress import progress
from nearcopy.pipeline.spilled import SpilledCandidates
from nearcopy.pipeline.spool import SketchStore, Spool, SpoolFiles, SpoolSlice, make_workdir
from nearcopy.pipeline.spool_ranges import read_spool_range
from nearcopy.pipeline.stats import RunStats
from nearcopy.pipeline.warm_up import warm_up
from nearcopy.pipeline.batching import chunks

log = logging.getLogger("nearcopy.pipeline")

#: documents per cleaning task (see `BatchJob._cleaned_batches`)
CLEAN_BATCH = 200
#: documents per task that re-makes full sets: a task's texts, bytes and buffers (~12 KB a
#: document) are the decide pass's peak memory; 2,000 made it 25 MB (issue #4)
SETS_BATCH = 500
#: the write pass runs on the local workers from this many documents per worker, in parts
#: of about this much spool
MIN_PART_DOCUMENTS = 2000
PART_BYTES = 32 << 20
_WORKER_CLEANER = None


def _clean_batch(payload):
    """Worker: clean a batch of documents (runs in a worker process).

    Returns (results, SketchBatch or None): with `template` (a TemplateLines) each
    result carries the corpus-boilerplate keys of its kept document; with `sketch`
    ((SketchParams, sample_mod)) the kept texts are sketched here too, so they need
    not travel back to the parent and out again.
    """
    shipped, docs, template, sketch = payload
    cleaner = _worker_cleaner(shipped)
    results, kept_texts = [], []
    for doc in docs:
        res = cleaner.clean(doc)
        keys = template.keys_of(res, cleaner) if template is not None and not res.dropped \
            else None
        results.append((res.text, res.removed_lines, res.dropped, res.language,
                        dict(res.chars_removed), keys))
        if not res.dropped:
            kept_texts.append(res.text)
    if sketch is None or not kept_texts:
        return results, None
    params, sample_mod = sketch
    return results, sketch_texts(kept_texts, params, keep_sets=False, sample_mod=sample_mod)


@dataclass(frozen=True)
class CleanerConfig:
    """What a cleaning task carries in place of a `Cleaner`: its config. Unpickling a
    Cleaner rebuilds every rule (~17 ms, once per 200-document task: 0.8 worker CPU s
    on news_copies); a worker builds one per config and keeps it (and its caches)."""

    config: object


def shippable(cleaner):
    """The cleaner as a task should carry it (see CleanerConfig)."""
    try:
        from nearcopy.clean import Cleaner
    except ImportError:  # pragma: no cover - cleaning not installed: a normaliser ships
        return cleaner
    return CleanerConfig(cleaner.config) if type(cleaner) is Cleaner else cleaner


def _worker_cleaner(shipped):
    """This process's cleaner for a task: one per config, kept across tasks (its
    line-verdict cache then spans batches); a forked worker inherits the parent's."""
    global _WORKER_CLEANER
    if not isinstance(shipped, CleanerConfig):  # another cleaner travels as itself
        return shipped
    if _WORKER_CLEANER is None or getattr(_WORKER_CLEANER, "config", None) != shipped.config:
        from nearcopy.clean import Cleaner
        _WORKER_CLEANER = Cleaner(shipped.config)
    return _WORKER_CLEANER


def spool_record(doc: Document) -> tuple[dict, tuple]:
    """A document's spooled record, output-shaped (cleaning's fields are added after), and
    the names of the metadata fields it carries (ours are not copied: outputs set them)."""
    record = {"id": doc.id, "text": doc.text}
    if not doc.metadata:
        return record, ()
    names = []
    for key, value in doc.metadata.items():
        if key not in OUR_FIELDS:
            record[key] = value
            names.append(key)
    return record, tuple(names)


def put_cleaning(record: dict, result) -> tuple:
    """Write one `_clean_batch` result into a spool record (text, removed_lines, language,
    dropped); returns (removed_lines, dropped, chars removed by rule, boilerplate keys)."""
    text, removed_lines, dropped, language, chars, keys = result
    record["text"] = text
    if removed_lines:
        record["removed_lines"] = removed_lines
    if language:
        record["language"] = language
    if dropped:
        record["dropped"] = dropped
    return removed_lines, dropped, chars, keys


def _set_batch(payload) -> tuple[np.ndarray, np.ndarray]:
    """Worker: (optionally strip corpus boilerplate and) make the full shingle sets
    (values, counts) of a batch of texts, given as a list or as a SpoolSlice to read here.
    `strips`: which texts hold a line of the table (None: any may)."""
    params, texts, table, strips = payload
    if isinstance(texts, SpoolSlice):
        texts = texts.texts()
    if table is not None:
        texts = [table.strip(text)[0] if strip else text
                 for text, strip in zip(texts, repeat(True) if strips is None else strips)]
    return shingle_sets(texts, params)


def _strips(table, stripped: frozenset[int], indices: np.ndarray) -> tuple[object, object]:
    """(table, strips) for `_set_batch` of documents `indices`: only the documents the table
    changes (`BatchJob.stripped`) are stripped, line by line in Python (news_copies: 12 of
    the 4,480 texts whose sets `run` loads), and a batch with none of them is given no
    table."""
    if table is None or not len(table):
        return None, None
    strips = [index in stripped for index in indices.tolist()]
    return (table, strips) if any(strips) else (None, None)


def _sketch_batch(payload):
    """Worker: (optionally strip corpus boilerplate and) sketch a batch of texts, given as
    a list or as a SpoolSlice to read here."""
    params, texts, keep_sets, sample_mod, table = payload
    if isinstance(texts, SpoolSlice):
        texts = texts.texts()
    if table is not None:
        texts = [table.strip(text)[0] for text in texts]
    return sketch_texts(texts, params, keep_sets=keep_sets, sample_mod=sample_mod)


class SpoolSets:
    """Full shingle sets of chosen documents, re-made from their spooled text on the workers."""

    def __init__(self, job: "BatchJob", spool: Spool, table):
        self.job, self.spool, self.table = job, spool, table

    def load(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        size = min(self.job.config.batch_size, SETS_BATCH)
        offsets = self.job.record_offsets[indices]
        self.spool.close()
        if self.job.workers_read_spool:
            files = self.spool.files()
            texts = (SpoolSlice(files, offsets=offsets[i:i + size])
                     for i in range(0, len(indices), size))
        else:
            texts = ([r["text"] for r in self.spool.read_at(offsets[i:i + size])]
                     for i in range(0, len(indices), size))
        stripped = self.job.stripped
        payloads = ((self.job.dedup.sketch, batch,
                     *_strips(self.table, stripped, indices[i:i + size]))
                    for i, batch in zip(range(0, len(indices), size), texts))
        return _joined_sets(self.job.executor.map_ordered(_set_batch, payloads))

    def inline(self) -> "InlineSpoolSets":
        self.spool.close()
        return InlineSpoolSets(self.spool.files(), self.job.record_offsets,
                               self.job.dedup.sketch, self.table, self.job.stripped)


@dataclass
class InlineSpoolSets:
    """`SpoolSets` made in the calling process: a forked verification process's source."""

    files: SpoolFiles
    record_offsets: np.ndarray
    params: SketchParams
    table: object
    stripped: frozenset[int] = frozenset()  # the documents the table changes

    def inline(self) -> "InlineSpoolSets":
        return self

    def load(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        offsets = self.record_offsets[indices]
        batches = (_set_batch((self.params,
                               SpoolSlice(self.files, offsets=offsets[i:i + SETS_BATCH]),
                               *_strips(self.table, self.stripped,
                                        indices[i:i + SETS_BATCH])))
                   for i in range(0, len(indices), SETS_BATCH))
        return _joined_sets(batches)


def _joined_sets(batches) -> tuple[np.ndarray, np.ndarray]:
    """(values, offsets) CSR of the sets of `_set_batch` results, in order."""
    values, counts = [], []
    for batch_values, batch_counts in batches:
        values.append(batch_values)
        counts.append(batch_counts)
    counts = np.concatenate(counts) if counts else np.empty(0, dtype=np.int64)
    out = np.zeros(counts.shape[0] + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    values = np.concatenate(values) if values else np.empty(0, dtype=np.uint32)
    release_free_memory()  # the block's texts are gone; keep peak RSS flat over blocks
    return values, out


class BatchJob:
    """One run over a corpus; `run(paths)` returns the stats dict also written to stats.json."""

    def __init__(self, config: RunConfig, out_dir: str | Path, *, cleaner=None,
                 boilerplate=None, show_progress: bool = True,
                 executor: Executor | None = None, command: str = "run",
                 against: str | Path | None = None):
        self.config = config
        self.dedup = config.dedup.resolved()
        self.out_dir = Path(out_dir)
        self.cleaner = cleaner
        self.boilerplate = boilerplate  # a BoilerplateCounter, or None
        self.show_progress = show_progress
        self.executor = executor or LocalExecutor(config.num_workers)
        self.command = command
        self.against = against
        self.stats = RunStats()
        self.skips = SkipCounter(strict=config.input.strict)
        self.clean_counts: Counter[str] = Counter()
        self.clean_chars: Counter[str] = Counter()
        self.meta_keys: dict[str, None] = {}
        # boilerplate line keys of the sketched documents, in sketch order (CSR)
        self._doc_keys = array("Q")
        self._doc_key_counts = array("q")
        self.stripped: frozenset[int] = frozenset()

    def run(self, paths: list[str | Path]) -> dict:
        started = time.perf_counter()
        discover(paths)  # fail on a missing or unknown input before touching the output folder
        self.out_dir.mkdir(parents=True, exist_ok=True)
        work = make_workdir(self.out_dir)
        reuse_batch_buffers()  # (before the workers fork: they inherit it)
        try:
            self._warm_up_before_fork()
            with self.executor:
                # Texts are sketched as they are read (and cleaned): one pass over the text.
                # Corpus boilerplate is only known at the end, so the few documents holding
                # a line it strips are sketched again (`_resketch`).
                store = SketchStore(work, self.dedup.sketch.num_perm)
                try:
                    spool, ids_path, read = self._read(paths, work, store)
                except BaseException:
                    store.close()
                    raise
                table = self.boilerplate.finish() if self.boilerplate is not None else None
                release_free_memory()  # what the read pass freed
                sketches = store.finish(samples=self.sample_mod > 0)  # signatures stay on disk
                self.stripped = self._resketch(spool, sketches, table)
                sets = SpoolSets(self, spool, table) if self.dedup.verify == "exact" else None
                decisions = self._decide(sketches, sets, work)
                self.index_matches = self._match_index(sketches, sets)
                del sketches, sets  # the per-document sketch arrays are done with
                release_free_memory()
                store.discard()
            summary = self._write(spool, ids_path, decisions, table, read, started)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        return summary

    def _warm_up_before_fork(self) -> None:
        """Load the compiled kernels and the language model in this process before the
        local worker processes fork from it: each worker then inherits them instead of
        loading them again. The cleaner becomes this process's worker cleaner (see
        `_worker_cleaner`), which forked workers inherit too."""
        global _WORKER_CLEANER
        if self.cleaner is not None:
            _WORKER_CLEANER = self.cleaner
        if not isinstance(self.executor, LocalExecutor) or self.executor.workers < 2:
            return
        warm_up(self.cleaner, self.dedup.sketch, self.sample_mod)

    # -- pass A: read (+ clean) ------------------------------------------------------
    def _read(self, paths, work: Path, store: SketchStore | None = None):
        """Read (+ clean) into the spool; with a `store`, also sketch each batch as it comes."""
        spool = Spool(work / "spool.jsonl")
        self._offsets = array("q")
        self.dropped_lines: set[int] = set()
        name = ("read_clean" if self.cleaner else "read") + ("_sketch" if store else "")
        with self.stats.stage(name) as st, \
                progress(desc=name.replace("_", "+"), enabled=self.show_progress) as bar, \
                open(work / "ids.txt", "wb") as ids_file, spool:
            if store is not None and self._reads_in_chunks(paths):
                self._read_chunks(paths, spool, ids_file, store, st, bar)
                batches = ()
            else:
                docs = iter_documents(paths, id_field=self.config.input.id_field,
                                      text_field=self.config.input.text_field,
                                      skips=self.skips,
                                      max_doc_chars=self.config.input.max_doc_chars)
                batches = self._spool_batches(docs, spool, ids_file, st, bar)
            if self.cleaner is not None:  # the workers sketched what they cleaned
                for _, sketched in batches:
                    if sketched is not None:
                        store.append(sketched)
            else:
                payloads = ((self.dedup.sketch, texts, False, self.sample_mod, None)
                            for texts, _ in self._as_slices(batches, spool) if texts)
                for sketched in self.executor.map_ordered(_sketch_batch, payloads):
                    store.append(sketched)
            read = st.documents
        self.record_offsets = np.frombuffer(self._offsets, dtype=np.int64)
        if read == 0:
            detail = f" ({dict(self.skips.counts)} skipped)" if self.skips.counts else ""
            raise InputFormatError(f"no documents found in {', '.join(map(str, paths))}{detail}")
        return spool, work / "ids.txt", read

    def _reads_in_chunks(self, paths) -> bool:
        """Whether the input is read in byte ranges (ranges.py), by the workers or, with
        one, in this process: a local executor, and every input an uncompressed JSON
        Lines file. With one worker too, since a range whose records are its lines
        needs no spooled copy (spool_ranges.py): at 1M documents, 73.4 -> 70.8 s; at
        20k-100k the two paths cost the same."""
        return isinstance(self.executor, LocalExecutor) and ranges.readable_in_ranges(paths)

    def _read_chunks(self, paths, spool: Spool, ids_file, store: SketchStore, st, bar) -> None:
        """Pass A with the workers reading byte ranges of the input (see ranges.py); this
        process files their results in order."""
        reader_args = {"id_field": self.config.input.id_field,
                       "text_field": self.config.input.text_field,
                       "max_doc_chars": self.config.input.max_doc_chars}
        shipped = shippable(self.cleaner) if self.cleaner is not None else None
        template = self.boilerplate.lines if shipped is not None and \
            self.boilerplate is not None else None
        args = (reader_args, shipped, template, (self.dedup.sketch, self.sample_mod),
                spool.path.parent)
        size = ranges.CLEAN_CHUNK_BYTES if self.cleaner is not None else \
            ranges.SKETCH_CHUNK_BYTES if self.workers_read_spool else \
            ranges.INLINE_SKETCH_CHUNK_BYTES
        if self.workers_read_spool or self.cleaner is not None:
            size = ranges.shared_chunk_bytes(paths, size, self.executor.workers)
        for _, result in ranges.read_ranges(paths, self.executor, read_spool_range, args, size,
                                            self.skips):
            self._file_range(result, spool, ids_file, store, st)
            bar.update(len(result))

    def _file_range(self, result, spool: Spool, ids_file, store: SketchStore, st) -> None:
        """File one range's documents as the one-process path files them."""
        if not len(result):
            result.discard()
            return
        first_line = spool.count
        start = spool.append_file(result.spool_path, len(result), start=result.spool_offset,
                                  end=result.spool_offset + int(result.lengths.sum()),
                                  borrowed=result.borrowed)
        offsets = start + np.cumsum(result.lengths) - result.lengths
        kept = ~result.dropped
        self._offsets.frombytes(offsets[kept].astype(np.int64).tobytes())
        ids = result.ids
        if not kept.all():
            self.dropped_lines.update((first_line + np.flatnonzero(result.dropped)).tolist())
            ids = [ids[i] for i in np.flatnonzero(kept).tolist()]
        if ids:
            ids_file.write(("\n".join(ids) + "\n").encode("utf-8", "surrogatepass"))
        for key in result.meta_keys:
            self.meta_keys.setdefault(key, None)
        self.clean_counts.update(result.clean_counts)
        self.clean_chars.update(result.clean_chars)
        if result.boilerplate_counts is not None and self.boilerplate is not None:
            self.boilerplate.add_many(result.boilerplate_keys, result.boilerplate_counts.size)
            self._doc_keys.frombytes(result.boilerplate_keys.tobytes())
            self._doc_key_counts.frombytes(result.boilerplate_counts.tobytes())
        st.documents += len(result)
        st.bytes += result.text_bytes
        if result.sketch is not None:
            store.append(result.sketch)

    def _spool_batches(self, docs, spool, ids_file, st, bar):
        """Spool every document; yield, batch by batch, the texts to sketch (not dropped)
        and their SketchBatch when the cleaning workers made it (else None).

        Per batch, not per document: the counters, the ids file and the byte count
        (a text's UTF-8 length is its length when it is ASCII, which `isascii`
        knows without a scan) cost one call each per batch (issue #4).
        """
        for batch, sketched in self._cleaned_batches(docs):
            texts, ids, size = [], [], 0
            for doc, result in batch:
                text = doc.text
                size += len(text) if text.isascii() else \
                    len(text.encode("utf-8", "surrogatepass"))
                text = self._spool_one(spool, doc, result)
                if text is not None:
                    texts.append(text)
                    ids.append(doc.id)
            st.documents += len(batch)
            st.bytes += size
            if ids:
                ids_file.write(("\n".join(ids) + "\n").encode("utf-8", "surrogatepass"))
            bar.update(len(batch))
            yield texts, sketched

    @property
    def workers_read_spool(self) -> bool:
        """Whether the workers are local processes that can read the spool file."""
        return isinstance(self.executor, LocalExecutor) and self.executor.workers > 1

    def _as_slices(self, batches, spool: Spool):
        """With local worker processes, each batch's texts as the SpoolSlice of its records
        (all of them: without cleaning nothing is dropped) instead of the texts."""
        start = 0
        for texts, sketched in batches:
            if self.workers_read_spool and texts:
                texts = SpoolSlice(spool.files(), start, spool.size)
            start = spool.size
            yield texts, sketched

    @property
    def sample_mod(self) -> int:
        """1-in-N shingle sample kept at sketch time for containment candidates (0: none)."""
        return self.dedup.containment_sample if self.uses_containment else 0

    def _cleaned_batches(self, docs):
        # Cleaning costs ~0.5 ms a document, 100x sketching: small batches keep every worker
        # busy to the end (with 2,000, the last batch ran alone for a second on 10k docs).
        size = min(self.config.batch_size, CLEAN_BATCH) if self.cleaner else self.config.batch_size
        batches = chunks(docs, size)
        if self.cleaner is None:
            for batch in batches:
                yield [(doc, None) for doc in batch], None
            return
        keep = []
        template = self.boilerplate.lines if self.boilerplate is not None else None
        sketch = (self.dedup.sketch, self.sample_mod)

        shipped = shippable(self.cleaner)

        def feed():
            for batch in batches:
                keep.append(batch)
                yield (shipped, batch, template, sketch)

        for results, sketched in self.executor.map_ordered(_clean_batch, feed()):
            yield list(zip(keep.pop(0), results)), sketched

    def _spool_one(self, spool: Spool, doc: Document, result) -> str | None:
        """Spool one document; return its text to sketch, or None if cleaning dropped it."""
        # output-shaped: the write pass appends its fields to these bytes (outputs.py)
        record, names = spool_record(doc)
        for key in names:
            self.meta_keys.setdefault(key, None)
        if result is not None:
            self._add_cleaning(record, result)
        offset = spool.append(record)
        if "dropped" in record:
            self.dropped_lines.add(spool.count - 1)
            return None
        self._offsets.append(offset)
        return record["text"]

    def _add_cleaning(self, record: dict, result) -> None:
        """Put what cleaning did into the spooled record, and count it."""
        removed_lines, dropped, chars, keys = put_cleaning(record, result)
        for line in removed_lines or ():
            self.clean_counts[f"line/{line['rule']}"] += 1
        self.clean_chars.update(chars or {})
        if dropped:
            self.clean_counts[f"document/{dropped['rule']}"] += 1
        elif self.boilerplate is not None:
            if keys is None:
                keys = self.boilerplate.lines.keys(record["text"])
            self.boilerplate.add_keys(keys)
            self._doc_keys.extend(keys)
            self._doc_key_counts.append(len(keys))

    # -- pass B: sketch again what corpus boilerplate changes -----------------------------
    def _resketch(self, spool: Spool, sketches, table) -> frozenset[int]:
        """Re-sketch the documents holding a line of the boilerplate `table` (their text
        changes); returns their indices. The others' sketches from pass A stand: a
        document none of whose template-like lines is in the table is left as it was."""
        if table is None or not len(table):
            return frozenset()
        keys = np.frombuffer(self._doc_keys, dtype=np.uint64)
        counts = np.frombuffer(self._doc_key_counts, dtype=np.int64)
        owner = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
        rows = sorted_unique(owner[np.isin(keys, table.keys)])
        with self.stats.stage("resketch") as st:
            params, size = self.dedup.sketch, self.config.batch_size
            payloads = ((params, [table.strip(r["text"])[0] for r in
                                  spool.read_at(self.record_offsets[rows[i:i + size]])],
                         False, self.sample_mod, None) for i in range(0, rows.size, size))
            batches = list(self.executor.map_ordered(_sketch_batch, payloads))
            st.documents = int(rows.size)
        if batches:
            sketches.patch(rows, batches)
        return frozenset(rows.tolist())

    # -- pass C: decide ------------------------------------------------------------------
    @property
    def uses_containment(self) -> bool:
        return self.dedup.verify == "exact" and self.dedup.containment > 0

    def _decide(self, sketches, sets, work: Path) -> Decisions:
        candidates = SpilledCandidates(work / "candidates", self.executor,
                                       parallel=self.workers_read_spool)
        with self.stats.stage("dedup") as st:
            st.documents = len(sketches)
            decisions = find_copies(sketches, sets, threshold=self.dedup.threshold,
                                    num_bands=self.dedup.num_bands,
                                    rows=self.dedup.rows_per_band, keep=self.dedup.keep,
                                    window=self.dedup.bucket_window,
                                    containment_threshold=self.dedup.containment
                                    if self.uses_containment else 0.0,
                                    candidates=candidates,
                                    block_map=self.executor.map_forked
                                    if self.workers_read_spool else None)
        for name, seconds in decisions.stats.pop("seconds").items():
            self.stats.stages[f"dedup/{name}"] = type(st)(seconds=seconds, documents=len(sketches))
        return decisions

    def _match_index(self, sketches, sets) -> dict:
        """With --against: the best stored copy of each document that has one."""
        if self.against is None:
            return {}
        from nearcopy.index.index import Index

        index = Index.open(self.against)
        index.require_compatible(self.dedup)
        found = {}
        size = self.config.batch_size
        with self.stats.stage("against_index") as st:
            for start in range(0, len(sketches), size):
                rows = np.arange(start, min(start + size, len(sketches)))
                values, offsets = sets.load(rows) if sets is not None else (None, None)
                chunk = SketchBatch(sketches.exact_hashes[rows], sketches.lengths[rows],
                                    sketches.signatures[rows], values,
                                    np.diff(offsets) if offsets is not None
                                    else np.zeros(rows.size, dtype=np.int64))
                for row, matches in zip(rows, index.match_sketches(chunk, limit=1)):
                    if matches:
                        found[int(row)] = matches[0]
            st.documents = len(sketches)
        index.close()
        return found

    # -- pass D: write ---------------------------------------------------------------------
    def _spool_parts(self, spool: Spool) -> list[outputs.SpoolPart] | None:
        """The spool cut at document boundaries into runs of about PART_BYTES (None for a
        corpus too small to be worth the workers). Parts are joined into the outputs and
        deleted as they come, before the kernel writes them to disk: one part per worker
        wrote each output twice at 1M documents (2.9 GB, 17 -> 25 s). The documents
        cleaning dropped count too: each is parsed to be written (pan_paraphrase's 15,181
        of 19,039 made its `run` write in this process, 0.18 s instead of 0.07)."""
        offsets, workers = self.record_offsets, self.executor.workers
        if spool.count < MIN_PART_DOCUMENTS * workers:
            return None
        count = max(workers, -(-spool.size // PART_BYTES))
        cuts = sorted_unique(np.searchsorted(offsets, np.arange(1, count) * (spool.size / count)))
        cuts = cuts[(cuts > 0) & (cuts < offsets.size)]  # first documents of parts 2..n
        dropped = np.array(sorted(self.dropped_lines), dtype=np.int64)
        kept_before = dropped - np.arange(dropped.size)  # documents before each dropped line
        lines = cuts + np.searchsorted(kept_before, cuts, side="right")
        starts = [0, *offsets[cuts].tolist()]
        ends = [*offsets[cuts].tolist(), spool.size]
        indices = [0, *cuts.tolist(), offsets.size]
        return [outputs.SpoolPart(int(start), int(end), int(line), index, stop)
                for start, end, line, index, stop in zip(starts, ends, [0, *lines.tolist()],
                                                         indices[:-1], indices[1:])]

    def _write(self, spool, ids_path, decisions, table, read, started) -> dict:
        self.paragraphs = ParagraphDeduper(self.config.min_paragraph_chars) \
            if self.config.dedup_paragraphs else None
        parts = self._spool_parts(spool) if self.workers_read_spool else None
        with self.stats.stage("write") as st:
            counts = outputs.write_outputs(
                self.out_dir, spool, ids_path, decisions, table=table,
                fmt=self.config.format, meta_keys=list(self.meta_keys),
                threshold=self.dedup.threshold, containment=self.dedup.containment,
                show_progress=self.show_progress, paragraphs=self.paragraphs,
                index_matches=self.index_matches, dropped_lines=self.dropped_lines,
                stripped=self.stripped, parts=parts,
                fork_map=self.executor.map_forked if parts else None)
            st.documents = read
        outputs.file_boilerplate_counts(counts, self.clean_counts, self.clean_chars)
        summary = outputs.build_stats(self, read, counts, decisions, time.perf_counter() - started)
        outputs.write_stats_and_config(self.out_dir, summary, self.config, self.dedup)
        return summary

