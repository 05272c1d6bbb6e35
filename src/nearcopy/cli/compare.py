"""`nearcopy compare A B`: why two documents are (or are not) copies of each other.

Shows the figures `nearcopy dedup` decides on (exact Jaccard and both
containments of the word 5-gram shingle sets), then the evidence a person can
read: paragraphs both texts share verbatim and the longest shared word spans.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import click
import numpy as np
import orjson

from nearcopy.cli.options import field_options
from nearcopy.dedup import verify
from nearcopy.dedup.sketch import SketchParams, sketch_texts
from nearcopy.errors import ConfigError, InputFormatError
from nearcopy.io.discover import iter_documents

#: lines shorter than this (after normalising) are not shown as shared paragraphs
MIN_PARAGRAPH_CHARS = 20
PREVIEW_CHARS = 160
DEFAULT_PARAMS = SketchParams()


def figures(text_a: str, text_b: str, params: SketchParams = DEFAULT_PARAMS) -> dict:
    """Exact Jaccard, C(A in B) and C(B in A) on the dedup shingles.

    Example:
        >>> f = figures("one two three four five six", "one two three four five six seven")
        >>> round(f["containment_a_in_b"], 2), round(f["containment_b_in_a"], 2)
        (1.0, 0.67)
    """
    batch = sketch_texts([text_a, text_b], params, keep_sets=True)
    offsets = np.concatenate([[0], np.cumsum(batch.set_counts)]).astype(np.int64)
    left, right = np.array([0]), np.array([1])
    in_b, in_a = verify.containment(batch.set_values, offsets, left, right)
    return {"jaccard": float(verify.jaccard(batch.set_values, offsets, left, right)[0]),
            "containment_a_in_b": float(in_b[0]), "containment_b_in_a": float(in_a[0]),
            "shingles_a": int(batch.set_counts[0]), "shingles_b": int(batch.set_counts[1])}


def normalize_line(line: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", line)).strip().casefold()


def shared_paragraphs(text_a: str, text_b: str) -> list[dict]:
    """Lines both texts contain after normalising, with their line numbers (1-based)."""
    where_b: dict[str, int] = {}
    for number, line in enumerate(text_b.splitlines(), start=1):
        where_b.setdefault(normalize_line(line), number)
    out, seen = [], set()
    for number, line in enumerate(text_a.splitlines(), start=1):
        key = normalize_line(line)
        if len(key) >= MIN_PARAGRAPH_CHARS and key in where_b and key not in seen:
            seen.add(key)
            out.append({"line_a": number, "line_b": where_b[key], "text": line.strip()})
    return out


def shared_spans(text_a: str, text_b: str, min_span: int, top: int) -> list[dict]:
    """The longest word spans found in both texts, longest first."""
    from nearcopy.dedup.spans import find_spans  # pydivsufsort: only for this command

    found = []
    for span in find_spans([text_a, text_b], min_span=min_span):
        occ = span["occurrences"]
        a = next(o for o in occ if o[0] == 0)
        b = next(o for o in occ if o[0] == 1)
        found.append({"tokens": span["tokens"], "a": [a[1], a[2]], "b": [b[1], b[2]],
                      "text": text_a[a[1]:a[2]]})
    found.sort(key=lambda s: (-s["tokens"], s["a"][0]))
    return found[:top]


def resolve(names: tuple[str, str], corpus: tuple[Path, ...], **fields) -> list[tuple[str, str]]:
    """(label, text) for A and B: a readable file, else an id looked up in --corpus."""
    found: dict[str, str] = {}
    for name in names:
        path = Path(name)
        if path.is_file():
            try:
                found[name] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise InputFormatError(f"cannot read as UTF-8 text: {exc}", path=name) from exc
    missing = [n for n in names if n not in found]
    if missing and not corpus:
        raise ConfigError(f"no such file: {missing[0]} (to look up document ids, "
                          "give --corpus PATH)")
    if missing:
        for doc in iter_documents(list(corpus), **fields):
            if doc.id in missing and doc.id not in found:
                found[doc.id] = doc.text
                if all(n in found for n in names):
                    break
    for name in names:
        if name not in found:
            raise InputFormatError(f"no file or document id {name!r} in the given corpus")
    return [(name, found[name]) for name in names]


def _preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[:PREVIEW_CHARS - 1] + "…"


def render(label_a: str, label_b: str, result: dict) -> str:
    f = result["figures"]
    lines = [f"A: {label_a}  ({result['chars_a']:,} chars, {f['shingles_a']:,} shingles)",
             f"B: {label_b}  ({result['chars_b']:,} chars, {f['shingles_b']:,} shingles)", "",
             f"  Jaccard     {f['jaccard']:.3f}   shared word 5-grams / all of both",
             f"  C(A in B)   {f['containment_a_in_b']:.3f}   share of A's 5-grams found in B",
             f"  C(B in A)   {f['containment_b_in_a']:.3f}   share of B's 5-grams found in A", ""]
    paragraphs = result["shared_paragraphs"]
    lines.append(f"Shared paragraphs: {len(paragraphs)}")
    for p in paragraphs[:result["top"]]:
        lines.append(f"  A line {p['line_a']} = B line {p['line_b']}: {_preview(p['text'])}")
    if len(paragraphs) > result["top"]:
        lines.append(f"  ... and {len(paragraphs) - result['top']} more")
    spans = result["shared_spans"]
    lines += ["", f"Longest shared spans (>= {result['min_span']} words): {len(spans) or 'none'}"]
    for s in spans:
        lines.append(f"  {s['tokens']:>5} words  A[{s['a'][0]}:{s['a'][1]}]  "
                     f"B[{s['b'][0]}:{s['b'][1]}]  {_preview(s['text'])}")
    return "\n".join(lines)


@click.command()
@click.argument("a")
@click.argument("b")
@click.option("--corpus", multiple=True, type=click.Path(path_type=Path),
              help="Corpus file or folder in which A and B are document ids (repeatable).")
@click.option("--min-span", type=click.IntRange(min=2), default=8, show_default=True,
              help="Shortest shared span to list, in words.")
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True,
              help="How many paragraphs and spans to list.")
@field_options
@click.option("--json", "as_json", is_flag=True, help="Print the figures as one JSON object.")
def compare_command(a, b, corpus, min_span, top, id_field, text_field, as_json) -> None:
    """Show why A and B are (or are not) copies: Jaccard, both containments,
    shared paragraphs and the longest shared spans.

    \b
    A and B are text files, or document ids looked up in --corpus.
    Example:  nearcopy compare doc-17 doc-912 --corpus news.jsonl
    """
    (label_a, text_a), (label_b, text_b) = resolve((a, b), tuple(corpus), id_field=id_field,
                                                   text_field=text_field)
    result = {"a": label_a, "b": label_b, "chars_a": len(text_a), "chars_b": len(text_b),
              "figures": figures(text_a, text_b), "min_span": min_span, "top": top,
              "shared_paragraphs": shared_paragraphs(text_a, text_b),
              "shared_spans": shared_spans(text_a, text_b, min_span, top)}
    if as_json:
        click.echo(orjson.dumps(result).decode())
    else:
        click.echo(render(label_a, label_b, result))
