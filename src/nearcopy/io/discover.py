"""Turn the CORPUS arguments into an ordered list of files and readers.

Order is deterministic (arguments in the order given, folders sorted), because
the input order decides ties ("first") and ids of documents without an id.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import xxhash

from nearcopy.document import Document
from nearcopy.errors import InputFormatError
from nearcopy.io.base import DEFAULT_MAX_DOC_CHARS, DUPLICATE_ID, Reader, SkipCounter

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".jsonl.zstd", ".ndjson")
PARQUET_SUFFIXES = (".parquet", ".pq")
TEXT_SUFFIXES = (".txt", ".text")
WARC_SUFFIXES = (".warc", ".warc.gz")
HTML_SUFFIXES = (".html", ".htm")
ALL_SUFFIXES = JSONL_SUFFIXES + PARQUET_SUFFIXES + TEXT_SUFFIXES + WARC_SUFFIXES + HTML_SUFFIXES


@dataclass(frozen=True)
class InputFile:
    """One file to read and the folder it was found in (for relative ids)."""

    path: Path
    kind: str  # jsonl | parquet | text | warc | html
    root: Path | None = None


def kind_of(path: Path) -> str | None:
    name = path.name.lower()
    for kind, suffixes in (("jsonl", JSONL_SUFFIXES), ("parquet", PARQUET_SUFFIXES),
                           ("text", TEXT_SUFFIXES), ("warc", WARC_SUFFIXES),
                           ("html", HTML_SUFFIXES)):
        if name.endswith(suffixes):
            return kind
    return None


def discover(paths: list[str | Path]) -> list[InputFile]:
    """Expand files and folders into InputFiles; raise a clear error for what cannot be read."""
    if not paths:
        raise InputFormatError("no corpus given: name at least one file or folder")
    files: list[InputFile] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise InputFormatError("no such file or folder", path=str(path))
        if path.is_dir():
            found = [p for p in sorted(path.rglob("*")) if p.is_file()
                     and not any(part.startswith(".") for part in p.relative_to(path).parts)
                     and kind_of(p)]
            files.extend(InputFile(p, kind_of(p), root=path) for p in found)
            continue
        kind = kind_of(path)
        if kind is None:
            raise InputFormatError(
                "unknown file type; expected one of " + ", ".join(ALL_SUFFIXES), path=str(path))
        files.append(InputFile(path, kind, root=path.parent))
    return files


def make_reader(item: InputFile, **kwargs) -> Reader:
    if item.kind == "jsonl":
        from nearcopy.io.jsonl import JsonlReader
        return JsonlReader(**kwargs)
    if item.kind == "parquet":
        from nearcopy.io.parquet import ParquetReader
        return ParquetReader(**kwargs)
    if item.kind == "text":
        from nearcopy.io.text import TextReader
        return TextReader(root=item.root, **kwargs)
    if item.kind == "warc":
        from nearcopy.io.warc import WarcReader
        return WarcReader(**kwargs)
    from nearcopy.io.html import HtmlReader
    return HtmlReader(root=item.root, **kwargs)


def iter_documents(paths: list[str | Path], *, id_field: str = "id", text_field: str = "text",
                   skips: SkipCounter | None = None,
                   max_doc_chars: int = DEFAULT_MAX_DOC_CHARS) -> Iterator[Document]:
    """Yield every document of the corpus in order; a repeated id is skipped and counted."""
    skips = skips if skips is not None else SkipCounter()
    seen: set[int] = set()
    digest = xxhash.xxh3_64_intdigest  # (a local name: this loop runs once per document)
    for item in discover(paths):
        reader = make_reader(item, id_field=id_field, text_field=text_field, skips=skips,
                             max_doc_chars=max_doc_chars)
        for doc in reader.read_file(item.path):
            key = digest(doc.id.encode("utf-8", "surrogatepass"))
            if key in seen:
                path, _, line = doc.source.rpartition(":")
                skips.skip(DUPLICATE_ID, path or doc.source,
                           int(line) if line.isdigit() else None, f"id {doc.id!r} seen before")
                continue
            seen.add(key)
            yield doc
