"""Writing a batch job's outputs: kept, removed, clusters, stats.json and config.toml.

This is the contract other tools rely on (see docs/outputs.md); every file is
written under a temporary name and renamed into place.
"""

from __future__ import annotations

import os
import platform
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson
import tomli_w

from nearcopy.dedup.arrays import sorted_unique
from nearcopy.dedup.decide import METHOD_CONTAINED, METHOD_EXACT, METHOD_NEAR, Decisions
from nearcopy.io.base import atomic_write, start_writeback
from nearcopy.io.jsonl import JsonlLines, JsonlWriter
from nearcopy.pipeline.progress import progress
from nearcopy.pipeline.turns import Turns

METHOD_FILTERED = "filtered"
OUR_FIELDS = ("id", "text", "cluster_id", "duplicate_of", "similarity", "method", "reason",
              "removed_lines", "language")


def cluster_ids(decisions: Decisions) -> tuple[np.ndarray, np.ndarray]:
    """Cluster id number per document (-1 for singletons) and each label's size."""
    labels = decisions.labels
    sizes = np.bincount(labels, minlength=labels.shape[0]) if labels.size else np.zeros(0, int)
    multi_labels = np.flatnonzero(sizes >= 2)
    number = np.full(sizes.shape[0], -1, dtype=np.int64)
    number[multi_labels] = np.arange(multi_labels.size)
    return number[labels] if labels.size else np.zeros(0, dtype=np.int64), sizes


def format_cluster_id(number: int) -> str | None:
    return None if number < 0 else f"c{number:07d}"


def _needed_ids(ids_path: Path, wanted: np.ndarray) -> dict[int, str]:
    """Ids of the documents at the given sketch indices (representatives, cluster members).

    The ids file has one line per document; the line ends are found with numpy and only
    the wanted lines become strings (a Python step per line took 0.1 s per 100k)."""
    raw = ids_path.read_bytes()
    starts = np.flatnonzero(np.frombuffer(raw, dtype=np.uint8) == ord("\n")) + 1
    starts = np.concatenate([np.zeros(1, dtype=np.int64), starts])
    wanted = sorted_unique(wanted)
    return {index: raw[start:end - 1].decode("utf-8", "surrogatepass")
            for index, start, end in zip(wanted.tolist(), starts[wanted].tolist(),
                                         starts[wanted + 1].tolist())}


def _reason(method: str, rep_id: str, similarity: float, threshold: float,
            containment: float) -> str:
    if method == METHOD_EXACT:
        return f"exact copy of {rep_id} (same normalised text)"
    if method == METHOD_CONTAINED:
        via = "" if similarity >= containment else ", joined through other members of its cluster"
        return (f"partial copy: {similarity:.0%} of its shingles stand in {rep_id} "
                f"(containment threshold {containment}){via}")
    via = "" if similarity >= threshold else ", joined through other members of its cluster"
    return (f"near copy of {rep_id}: Jaccard {similarity:.3f} "
            f"(threshold {threshold}){via}")


#: what a kept document outside any cluster gets appended to its spooled line (most do)
_SINGLETON_TAIL = b',"cluster_id":null}\n'
_PROGRESS_EVERY = 1024


@dataclass(frozen=True)
class SpoolPart:
    """A run of spool lines one write task streams: bytes [start, end), the number of its
    first line, and the sketch indices of its documents that cleaning did not drop
    ([index, stop))."""

    start: int
    end: int
    line: int
    index: int
    stop: int


def write_outputs(out_dir: Path, spool, ids_path: Path, decisions: Decisions, *, table, fmt: str,
                  meta_keys: list[str], threshold: float, containment: float,
                  show_progress: bool, paragraphs=None, index_matches=None,
                  dropped_lines=frozenset(), stripped=None, parts: list[SpoolPart] | None = None,
                  fork_map=None) -> dict:
    """Stream the spool once, writing kept/removed records and then clusters.jsonl.

    Spooled lines are already output-shaped JSON objects: for JSON Lines output a
    record that nothing rewrites gets its fields appended to the raw bytes, without
    being parsed again. `index_matches` (from --against): document index -> best
    stored copy; a cluster with any such member is removed whole, as a copy of it.
    `dropped_lines`: spool line numbers of documents dropped by cleaning.
    `stripped`: indices of the documents whose text the boilerplate `table` changes
    (None: unknown, so every document is stripped); the others keep their bytes.
    With `parts` and `fork_map` (JSON Lines, no paragraph pass, which needs every kept
    document in order), forked workers format the parts in parallel and append them
    to the outputs in order: the same bytes as one stream.
    """
    number, sizes = cluster_ids(decisions)
    indexed = _indexed_by_label(decisions.labels, index_matches or {})
    reps = decisions.representative
    in_cluster = np.flatnonzero(number >= 0)
    b_left, b_right, b_sims = decisions.borderline_pairs(threshold)
    id_of = _needed_ids(ids_path, np.concatenate([in_cluster, b_left, b_right]))
    wanted = example_indices(number, reps, np.concatenate([b_left, b_right]))
    if fmt == "parquet":
        from nearcopy.io.parquet import ParquetWriter  # pyarrow only when asked for
        writer_cls = ParquetWriter
    else:
        writer_cls = JsonlWriter
    suffix = writer_cls.suffix
    rewrite = _Rewrite(decisions, id_of, meta_keys, fmt, threshold, containment, table,
                       paragraphs, index_matches, stripped)
    parallel = fork_map is not None and parts is not None and len(parts) > 1 and \
        writer_cls is JsonlWriter and paragraphs is None
    with writer_cls(out_dir / f"kept{suffix}") as kept, \
            writer_cls(out_dir / f"removed{suffix}") as removed, \
            progress(desc="write", enabled=show_progress) as bar:
        if parallel:
            global _PART_STATE
            turns = Turns()
            _PART_STATE = (spool.files(), number, indexed, wanted, rewrite, dropped_lines,
                           (kept.appended_by_others(), removed.appended_by_others()), turns)
            try:
                counts, members, examples = _stream_parts(parts, kept, removed, rewrite, bar,
                                                          fork_map)
            finally:
                turns.abort()  # (a no-op once every part has had its turn)
                _PART_STATE = None
        else:
            counts, members, examples = _stream(spool.raw_lines(), kept, removed, number,
                                                indexed, wanted, rewrite, dropped_lines, bar)
        spool.check_borrowed()  # before the outputs replace the old ones
    if table is not None:  # the caller files these with the cleaning counts
        counts[BOILERPLATE_LINES] = rewrite.boilerplate_lines
        counts[BOILERPLATE_CHARS] = rewrite.boilerplate_chars
    counts["clusters"] = _write_clusters(out_dir / "clusters.jsonl", members, number, reps,
                                         decisions, id_of)
    with atomic_write(out_dir / "examples.jsonl") as handle:
        handle.write(b"".join(orjson.dumps(r, default=str) + b"\n" for r in examples))
    with atomic_write(out_dir / "borderline_pairs.jsonl") as handle:
        for a, b, sim in zip(b_left, b_right, b_sims):
            handle.write(orjson.dumps({"id1": id_of[int(a)], "id2": id_of[int(b)],
                                       "similarity": round(float(sim), 4),
                                       "verified": bool(sim >= threshold)}) + b"\n")
    return dict(counts)


#: what a write task needs besides its part, set before the workers fork (they inherit it)
_PART_STATE = None


def _stream_parts(parts: list[SpoolPart], kept, removed, rewrite: "_Rewrite", bar, fork_map):
    """`_stream` over the parts on forked workers, which append to `kept` and `removed`
    in order; their figures are joined here in the same order."""
    counts: Counter[str] = Counter()
    members: dict[int, list[str]] = {}
    examples: list[dict] = []
    for result in fork_map(_write_part, list(enumerate(parts))):
        part_counts, part_members, part_examples, written, lines, boilerplate = result
        counts.update(part_counts)
        for num, ids in part_members.items():
            members.setdefault(num, []).extend(ids)
        examples.extend(part_examples)
        for writer, count in zip((kept, removed), written):
            writer.count_appended(count)
        rewrite.boilerplate_lines += boilerplate[0]
        rewrite.boilerplate_chars += boilerplate[1]
        bar.update(lines)
    return counts, members, examples


class _NoBar:
    def update(self, n: int) -> None:
        pass


def _write_part(payload):
    """Worker: `_stream` one spool part into memory, then, in its turn (part k after part
    k-1), append it to the kept and removed files."""
    k, part = payload
    files, number, indexed, wanted, rewrite, dropped_lines, targets, turns = _PART_STATE
    try:
        lines = files.lines_between(part.start, part.end)
        before = rewrite.boilerplate_lines, rewrite.boilerplate_chars  # a worker writes many
        kept, removed = JsonlLines(), JsonlLines()
        counts, members, examples = _stream(lines, kept, removed, number, indexed, wanted,
                                            rewrite, dropped_lines, _NoBar(), part.line,
                                            part.index, part.stop)
        turns.wait_for(k)
        written = [(path, _append_blocks(path, out.take_blocks()))
                   for path, out in zip(targets, (kept, removed))]
        turns.done(k)
        # after the turn: starting writeback can wait on a busy disk, and the next part
        # need not wait with it
        for path, (start, length) in written:
            _start_writeback(path, start, length)
    except BaseException:
        turns.abort()
        raise
    return (counts, members, examples, (kept.count, removed.count), kept.count + removed.count,
            (rewrite.boilerplate_lines - before[0], rewrite.boilerplate_chars - before[1]))


def _append_blocks(path: Path, blocks: list[bytes]) -> tuple[int, int]:
    """Append the blocks to the file (opened for appending: the end is wherever the
    previous part left it); return (offset, length) of what was appended."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    try:
        start = os.lseek(fd, 0, os.SEEK_END)
        for block in blocks:
            view = memoryview(block)
            while view:
                view = view[os.write(fd, view):]
        return start, os.lseek(fd, 0, os.SEEK_CUR) - start
    finally:
        os.close(fd)


def _start_writeback(path: Path, start: int, length: int) -> None:
    """Start writing an appended range to disk now: the closing fsync of the outputs
    then has less left to wait for."""
    fd = os.open(path, os.O_WRONLY)
    try:
        start_writeback(fd, start, length)
    finally:
        os.close(fd)


def _stream(lines, kept, removed, number, indexed: dict, wanted: set, rewrite: "_Rewrite",
            dropped_lines, bar, first_line: int = 0,
            first_index: int = 0,
            stop_index: int | None = None) -> tuple[Counter, dict[int, list[str]], list[dict]]:
    """The per-document loop of `write_outputs`: (counts, cluster members, example records).

    Runs once per document, so it works on Python lists, not numpy scalars, and the
    common case (a kept document in no cluster, JSON Lines output, nothing to
    rewrite) appends one constant to the spooled bytes without building a dict
    (issue #4: the write pass was 2 s of a 12 s job at 100k documents).
    """
    counts: Counter[str] = Counter()
    members: dict[int, list[str]] = {}
    examples: list[dict] = []
    # this run's documents only: a part of a million-document spool converting every
    # document's entries took 22 s of worker CPU over ~90 parts
    stop = stop_index if stop_index is not None else len(number)
    labels = rewrite.decisions.labels[first_index:stop].tolist()
    numbers = number[first_index:stop].tolist()
    reps = rewrite.decisions.representative[first_index:stop].tolist()
    raw_ok, id_of = rewrite.raw_ok, rewrite.id_of
    stripped = rewrite.stripped if rewrite.stripped is not None else ()
    index = first_index - 1
    done = 0
    for line_no, raw in enumerate(lines, first_line):
        done += 1
        if line_no % _PROGRESS_EVERY == _PROGRESS_EVERY - 1:
            bar.update(_PROGRESS_EVERY)
        if dropped_lines and line_no in dropped_lines:
            removed.write(_dropped_fields(rewrite.base(raw)))
            counts[f"removed/{METHOD_FILTERED}"] += 1
            continue
        index += 1
        at = index - first_index
        num = numbers[at]
        in_index = bool(indexed) and labels[at] in indexed
        if num >= 0 and not in_index:
            members.setdefault(num, []).append(id_of[index])
        is_kept = reps[at] == index and not in_index
        as_is = raw_ok and index not in wanted and (not stripped or index not in stripped)
        if is_kept and num < 0 and as_is:
            kept.write_joined(raw, _SINGLETON_TAIL)
            counts["kept"] += 1
            continue
        extra = rewrite.fields(index, is_kept, format_cluster_id(num),
                               indexed.get(labels[at]) if in_index else None)
        counts["kept" if is_kept else
               f"removed/{extra['method']}" if not in_index else "removed/indexed"] += 1
        out = kept if is_kept else removed
        if as_is:
            out.write_joined(raw, b"," + orjson.dumps(extra, option=orjson.OPT_APPEND_NEWLINE)[1:])
            continue
        record = rewrite.record(raw, index, is_kept, extra)
        out.write(record)
        if index in wanted:
            examples.append({**record, "file": "kept" if is_kept else "removed"})
    bar.update(done % _PROGRESS_EVERY)
    return counts, members, examples


class _Rewrite:
    """What `_stream` needs to build a document's output fields, or its whole record."""

    def __init__(self, decisions: Decisions, id_of: dict, meta_keys: list[str], fmt: str,
                 threshold: float, containment: float, table, paragraphs, index_matches,
                 stripped=None):
        self.decisions, self.id_of, self.meta_keys, self.fmt = decisions, id_of, meta_keys, fmt
        self.threshold, self.containment = threshold, containment
        self.table, self.paragraphs, self.index_matches = table, paragraphs, index_matches
        # documents the table changes: all of them when the caller does not know which
        self.stripped = stripped if table is not None else frozenset()
        self.raw_ok = fmt == "jsonl" and paragraphs is None and self.stripped is not None
        self.boilerplate_lines = self.boilerplate_chars = 0

    def strips(self, index: int) -> bool:
        """Whether the boilerplate table changes document `index`."""
        return self.table is not None and (self.stripped is None or index in self.stripped)

    def base(self, raw: bytes) -> dict:
        return _base_record(orjson.loads(raw), self.meta_keys, self.fmt)

    def fields(self, index: int, is_kept: bool, cid, indexed_member) -> dict:
        return _output_fields(index, self.decisions, is_kept, cid, self.id_of, self.threshold,
                              self.containment, indexed_member, self.index_matches)

    def record(self, raw: bytes, index: int, is_kept: bool, extra: dict) -> dict:
        """The record parsed again: boilerplate and repeated paragraphs out, fields in."""
        record = self.base(raw)
        if self.strips(index):
            before = len(record["text"])
            record["text"], more = self.table.strip(record["text"])
            _add_removed_lines(record, more)
            self.boilerplate_lines += len(more)
            self.boilerplate_chars += before - len(record["text"])
        if is_kept and self.paragraphs is not None:
            record["text"], more = self.paragraphs.strip(record["text"])
            _add_removed_lines(record, more)
        record.update(extra)
        return record


def _output_fields(index: int, decisions: Decisions, is_kept: bool, cid, id_of: dict,
                   threshold: float, containment: float, indexed_member, index_matches) -> dict:
    """The fields a run adds to a document's record: cluster, and for a removed one why."""
    if indexed_member is not None:
        return _indexed_fields(index, indexed_member, index_matches)
    if is_kept:
        return {"cluster_id": cid}
    method = str(decisions.method[index])
    sim = float(decisions.similarity[index])
    rep_id = id_of[int(decisions.representative[index])]
    return {"duplicate_of": rep_id, "similarity": round(sim, 4), "method": method,
            "reason": _reason(method, rep_id, sim, threshold, containment), "cluster_id": cid}


BOILERPLATE_LINES, BOILERPLATE_CHARS = "boilerplate/lines", "boilerplate/chars"


def file_boilerplate_counts(counts: dict, clean_counts: Counter, clean_chars: Counter) -> None:
    """Move the write pass's corpus-boilerplate figures into the cleaning counts."""
    lines, chars = counts.pop(BOILERPLATE_LINES, 0), counts.pop(BOILERPLATE_CHARS, 0)
    if lines:
        from nearcopy.clean.boilerplate import RULE  # (a dedup job never imports cleaning)
        clean_counts[f"line/{RULE}"] += lines
        clean_chars[RULE] += chars


def _dropped_fields(record: dict) -> dict:
    dropped = record.pop("dropped")
    rule = dropped.get("rule", "cleaning")
    record.update(duplicate_of=None, similarity=None, method=METHOD_FILTERED,
                  reason=f"dropped by cleaning rule {rule}: {dropped}", cluster_id=None)
    return record


def _add_removed_lines(record: dict, more: list) -> None:
    if more:
        record["removed_lines"] = (record.get("removed_lines") or []) + more


def _indexed_by_label(labels: np.ndarray, matches: dict) -> dict[int, int]:
    """Cluster label -> the member whose stored copy is the most similar."""
    best: dict[int, int] = {}
    for index, match in sorted(matches.items()):
        label = int(labels[index])
        if label not in best or match.similarity > matches[best[label]].similarity:
            best[label] = index
    return best


def _indexed_fields(index: int, member: int, matches: dict) -> dict:
    """Fields of a document removed because its cluster has a copy in the --against index."""
    match = matches[member]
    if index == member:
        reason = f"{match.method} copy of indexed document {match.id}: similarity " \
                 f"{match.similarity:.3f}"
        return {"duplicate_of": match.id, "similarity": round(match.similarity, 4),
                "method": match.method, "reason": reason, "cluster_id": None, "indexed": True}
    reason = (f"in a cluster whose member is a {match.method} copy of indexed document "
              f"{match.id}")
    return {"duplicate_of": match.id, "similarity": None, "method": "indexed",
            "reason": reason, "cluster_id": None, "indexed": True}


def example_indices(number: np.ndarray, reps: np.ndarray, extra: np.ndarray, *,
                    top: int = 20, tried: int = 4) -> set[int]:
    """Documents the report shows: the representative and first `tried` other members of
    the `top` largest clusters (size, then order), and the borderline pairs (`extra`).

    Written to examples.jsonl so the report never scans a large run's outputs.
    """
    wanted = {int(i) for i in extra}
    members = np.flatnonzero(number >= 0)
    if members.size == 0:
        return wanted
    nums = number[members]
    sizes = np.bincount(nums)
    for num in np.lexsort((np.arange(sizes.size), -sizes))[:top]:
        group = members[nums == num]
        rep = int(reps[group[0]])
        wanted.add(rep)
        wanted.update(int(m) for m in group[group != rep][:tried])
    return wanted


def similarity_histogram(decisions: Decisions, bins: int = 50) -> dict:
    """Counts of candidate-pair similarities in equal bins over [0, 1]."""
    counts, edges = np.histogram(decisions.pair_similarities, bins=bins, range=(0.0, 1.0))
    return {"edges": [round(float(e), 4) for e in edges], "counts": counts.tolist()}


def output_shaped(rec: dict) -> dict:
    """A spool record with `meta` (the sharded job's spool) in the output shape that
    `BatchJob` spools: id, text, input fields, then removed_lines, language, dropped."""
    record = {"id": rec["id"], "text": rec["text"]}
    record.update((k, v) for k, v in rec["meta"].items() if k not in OUR_FIELDS)
    for key in ("removed_lines", "language", "dropped"):
        if key in rec:
            record[key] = rec[key]
    return record


def _base_record(rec: dict, meta_keys: list[str], fmt: str) -> dict:
    """A spooled record as written; Parquet needs every input field in every row."""
    if fmt != "parquet":
        return rec
    record = {"id": rec.pop("id"), "text": rec.pop("text")}
    for key in meta_keys:
        if key not in OUR_FIELDS:
            record[key] = rec.pop(key, None)
    record["removed_lines"] = rec.pop("removed_lines", None) or []
    record.update(rec)
    return record


def _write_clusters(path: Path, members: dict[int, list[str]], number, reps, decisions,
                    id_of) -> int:
    """One line per cluster of two or more, in order of first member."""
    in_cluster = np.flatnonzero(number >= 0)
    count = int(number.max()) + 1 if in_cluster.size else 0
    rep_of_number = np.zeros(count, dtype=np.int64)
    rep_of_number[number[in_cluster]] = reps[in_cluster]
    removed = in_cluster[reps[in_cluster] != in_cluster]
    # a cluster is exact if every removed member is, near if any is near, else contained
    has = {method: np.zeros(count, dtype=bool) for method in (METHOD_NEAR, METHOD_CONTAINED)}
    for method, flags in has.items():
        flags[number[removed[decisions.method[removed] == method]]] = True
    methods = np.where(has[METHOD_NEAR], METHOD_NEAR,
                       np.where(has[METHOD_CONTAINED], METHOD_CONTAINED, METHOD_EXACT))
    rep_ids, methods = rep_of_number.tolist(), methods.tolist()
    with atomic_write(path) as handle:
        for num in sorted(members):
            ids = members[num]
            handle.write(orjson.dumps({
                "cluster_id": format_cluster_id(num), "representative": id_of[rep_ids[num]],
                "members": ids, "method": methods[num], "size": len(ids)}) + b"\n")
    return len(members)


def build_stats(job, read: int, counts: dict, decisions: Decisions, seconds: float) -> dict:
    dedup = job.dedup
    removed = {k.split("/", 1)[1]: v for k, v in counts.items() if k.startswith("removed/")}
    mb_in = next(stage.bytes for name, stage in job.stats.stages.items()
                 if name.startswith("read")) / 1e6
    return {
        "command": job.command,
        "documents": {"read": read, "kept": counts.get("kept", 0),
                      "removed": sum(removed.values()), "clusters": counts.get("clusters", 0)},
        "removed_by_method": removed,
        "skipped": dict(job.skips.counts),
        "skipped_examples": dict(job.skips.examples),
        "cleaning": {"counts": dict(job.clean_counts), "chars_removed": dict(job.clean_chars)},
        "pairs": {**decisions.stats, "similarity_histogram": similarity_histogram(decisions)},
        "paragraph_dedup": job.paragraphs.stats() if job.paragraphs is not None else None,
        "parameters": {"threshold": dedup.threshold, "shingle": dedup.shingle,
                       "ngram": dedup.ngram, "num_perm": dedup.num_perm,
                       "num_bands": dedup.num_bands, "rows_per_band": dedup.rows_per_band,
                       "verify": dedup.verify, "keep": dedup.keep, "seed": dedup.seed,
                       "containment": dedup.containment,
                       "workers": job.executor.workers},
        "stages": job.stats.as_dict(),
        "total": {"seconds": round(seconds, 3), "mb": round(mb_in, 3),
                  "mb_per_s": round(mb_in / seconds, 2) if seconds else None},
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
    }


def write_stats_and_config(out_dir: Path, summary: dict, config, dedup) -> None:
    with atomic_write(out_dir / "stats.json") as handle:
        handle.write(orjson.dumps(summary, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS))
    data = config.to_dict()
    data["dedup"] = {k: v for k, v in dedup.__dict__.items()}
    with atomic_write(out_dir / "config.toml") as handle:
        handle.write(b"# resolved configuration of this run; repeat it with --config\n")
        handle.write(tomli_w.dumps(_toml_safe(data)).encode())


def _toml_safe(value):
    if isinstance(value, dict):
        return {k: _toml_safe(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_toml_safe(v) for v in value]
    return value
