"""`nearcopy spans`: exact repeated spans across documents, optionally removed.

Two passes over the corpus: the first tokenises into the suffix-array finder
(shards spill to a temporary folder under --out), the second re-reads the
documents that hold spans to turn token positions into character offsets and,
with --remove, writes every document with its repeats cut out.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

import click
import numpy as np
import orjson

from nearcopy.cli.options import field_options
from nearcopy.dedup.shingles import encode
from nearcopy.dedup.spans import (
    DEFAULT_MIN_SPAN,
    SpanFinder,
    SpanParams,
    token_offsets,
    tokenize_texts,
)
from nearcopy.io.base import SkipCounter, atomic_write
from nearcopy.io.discover import iter_documents
from nearcopy.io.jsonl import JsonlWriter

#: characters of span text written to spans.jsonl
MAX_SPAN_TEXT = 2000
BATCH_DOCS = 2048


def read_tokens(corpus, finder: SpanFinder, skips: SkipCounter, **fields) -> int:
    """Pass 1: feed every document's tokens to the finder; return the document count."""
    count, batch = 0, []
    for doc in iter_documents(corpus, skips=skips, **fields):
        batch.append(encode(doc.text))
        if len(batch) >= BATCH_DOCS:
            count += _feed(finder, batch)
            batch = []
    return count + _feed(finder, batch)


def _feed(finder: SpanFinder, batch: list[bytes]) -> int:
    if batch:
        hashes, _, _, counts = tokenize_texts(batch)
        for part in np.split(hashes, np.cumsum(counts)[:-1]):
            finder.add(part)
    return len(batch)


def locate(corpus, index, removals, remove_path: Path | None, **fields):
    """Pass 2: char offsets of every occurrence, span texts, and the kept documents."""
    occ_doc = np.searchsorted(index.doc_offsets, index.positions, side="right") - 1
    occ_tok = index.positions - index.doc_offsets[occ_doc]
    occ_len = np.repeat(index.lengths, np.diff(index.bounds))
    chars = np.zeros((index.positions.size, 2), dtype=np.int64)
    ids: dict[int, str] = {}
    texts: dict[int, str] = {}
    first_of_span = set(index.bounds[:-1].tolist())
    by_doc = np.argsort(occ_doc, kind="stable")
    doc_sorted = occ_doc[by_doc]
    rem_doc, rem_start, rem_end = removals
    rem_len = rem_end - rem_start
    writer = JsonlWriter(remove_path) if remove_path else None
    stats = {"documents_changed": 0, "removed_chars": 0, "removed_tokens": 0}
    try:
        for d, doc in enumerate(iter_documents(corpus, skips=SkipCounter(), **fields)):
            lo, hi = np.searchsorted(doc_sorted, [d, d + 1])
            rlo, rhi = np.searchsorted(rem_doc, [d, d + 1])
            if hi == lo and writer is None:
                continue
            _, starts, ends = token_offsets(doc.text) if hi > lo or rhi > rlo else (None,) * 3
            for k in by_doc[lo:hi].tolist():
                chars[k] = starts[occ_tok[k]], ends[occ_tok[k] + occ_len[k] - 1]
                ids[k] = doc.id
                if k in first_of_span:
                    texts[k] = doc.text[chars[k, 0]:min(chars[k, 1], chars[k, 0] + MAX_SPAN_TEXT)]
            if writer is not None:
                cut = [(int(starts[a]), int(ends[b - 1]))
                       for a, b in zip(rem_start[rlo:rhi], rem_end[rlo:rhi])]
                writer.write(_kept_record(doc, cut, stats, int(rem_len[rlo:rhi].sum())))
    except BaseException:
        if writer is not None:
            writer.abort()
        raise
    if writer is not None:
        writer.close()
    return chars, ids, texts, stats


def _kept_record(doc, cut, stats, tokens) -> dict:
    pieces, at = [], 0
    for start, end in cut:
        pieces.append(doc.text[at:start])
        at = end
    pieces.append(doc.text[at:])
    if cut:
        stats["documents_changed"] += 1
        stats["removed_chars"] += sum(end - start for start, end in cut)
        stats["removed_tokens"] += tokens
    return {"id": doc.id, "text": "".join(pieces), **doc.metadata,
            "removed_spans": [[start, end] for start, end in cut]}


def write_spans(path: Path, index, chars, ids, texts) -> None:
    with JsonlWriter(path) as writer:
        for s in range(len(index)):
            lo, hi = int(index.bounds[s]), int(index.bounds[s + 1])
            writer.write({
                "span": s, "tokens": int(index.lengths[s]),
                "text": texts.get(lo, ""), "count": hi - lo,
                "documents": len({ids[k] for k in range(lo, hi)}),
                "occurrences": [{"id": ids[k], "char_start": int(chars[k, 0]),
                                 "char_end": int(chars[k, 1])} for k in range(lo, hi)]})


@click.command()
@click.argument("corpus", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "-o", "out_dir", required=True, type=click.Path(path_type=Path),
              help="Output folder: spans.jsonl, stats.json (and kept.jsonl with --remove).")
@click.option("--min-span", type=click.IntRange(min=2), default=DEFAULT_MIN_SPAN,
              show_default=True, help="Shortest reported span, in word tokens.")
@click.option("--remove", is_flag=True,
              help="Write kept.jsonl: each repeat cut out after its first occurrence.")
@click.option("--shard-mb", type=click.IntRange(min=1), default=1024, show_default=True,
              help="RAM for one shard's suffix array; larger corpora are sharded.")
@field_options
@click.option("--quiet", "-q", is_flag=True, help="No summary line.")
def spans_command(corpus, out_dir, min_span, remove, shard_mb, id_field, text_field,
                  quiet) -> None:
    """Find every span of at least --min-span words that occurs in 2+ documents.

    \b
    Suffix array over the tokenised corpus (Lee et al. 2021); repeats inside
    one document only are not reported. Writes to --out: spans.jsonl (text,
    tokens, occurrences with id and char offsets), stats.json.
    Example:  nearcopy spans news.jsonl --out spans/ --min-span 50 --remove
    """
    fields = {"id_field": id_field, "text_field": text_field}
    started, stages, skips = time.perf_counter(), {}, SkipCounter()
    out_dir.mkdir(parents=True, exist_ok=True)
    finder = SpanFinder(SpanParams.from_megabytes(min_span, shard_mb), workdir=out_dir)
    documents = read_tokens(list(corpus), finder, skips, **fields)
    stages["tokenize"] = time.perf_counter() - started
    index = finder.finish()
    stages["suffix_arrays"] = time.perf_counter() - started - stages["tokenize"]
    removals = index.removals()
    mark = time.perf_counter()
    chars, ids, texts, removed = locate(list(corpus), index, removals,
                                        out_dir / "kept.jsonl" if remove else None, **fields)
    stages["locate"] = time.perf_counter() - mark
    write_spans(out_dir / "spans.jsonl", index, chars, ids, texts)
    stats = {"command": "spans", "documents": documents, "tokens": int(index.doc_offsets[-1]),
             "min_span": min_span, "spans": len(index), "occurrences": int(index.positions.size),
             "repeated_tokens": int((removals[2] - removals[1]).sum()), **finder.stats,
             **(removed if remove else {}), "skipped": dict(skips.counts),
             "stages": {k: round(v, 3) for k, v in stages.items()},
             "seconds": round(time.perf_counter() - started, 3),
             "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}
    with atomic_write(out_dir / "stats.json") as handle:
        handle.write(orjson.dumps(stats, option=orjson.OPT_INDENT_2) + b"\n")
    if not quiet:
        click.echo(f"read {documents:,} documents ({stats['tokens']:,} tokens, "
                   f"{stats['shards']} shard(s)); {len(index):,} repeated spans of "
                   f">= {min_span} tokens, {stats['repeated_tokens']:,} tokens in repeats "
                   f"after the first; wrote {out_dir}/spans.jsonl")
