"""`nearcopy index build/add/query` and `nearcopy serve`: the incremental index.

Each command is a few lines over `nearcopy.index` and `nearcopy.service.server`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
import orjson

from nearcopy.config import DedupConfig, InputConfig
from nearcopy.errors import ConfigError

INDEX_OPTION = click.option("--index", "index_path", required=True,
                            type=click.Path(path_type=Path, dir_okay=False),
                            help="The index file (one SQLite file).")


def _input_options(fn):
    for option in reversed([
        click.option("--id-field", default="id", show_default=True,
                     help="JSON/Parquet field with the id."),
        click.option("--text-field", default="text", show_default=True,
                     help="JSON/Parquet field with the text."),
        click.option("--strict", is_flag=True, help="Stop at the first bad record."),
        click.option("--workers", "-j", type=int, default=0,
                     help="Processes for cleaning and sketching [0 = all cores]."),
        click.option("--report", type=click.File("wb"), default=None,
                     help="Write one JSON line per document (status, copies) to this file."),
        click.option("--quiet", "-q", is_flag=True, help="Print no summary."),
    ]):
        fn = option(fn)
    return fn


@click.group()
def index_group() -> None:
    """Keep an index of documents and ask "is this new document a copy?".

    \b
    Example:
      nearcopy index build archive.jsonl --index news.db
      nearcopy index add today.jsonl --index news.db     # prints the copies found
      nearcopy index query article.txt --index news.db
      nearcopy serve --index news.db                     # the same over HTTP
    """


@index_group.command("build")
@click.argument("corpus", nargs=-1, required=True, type=click.Path(path_type=Path))
@INDEX_OPTION
@click.option("--threshold", "-t", type=float, default=None,
              help="Jaccard similarity at which two texts are near copies.")
@click.option("--num-perm", type=int, default=None, help="MinHash signature length [128].")
@click.option("--ngram", type=int, default=None, help="Shingle size [5].")
@click.option("--shingle", type=click.Choice(["word", "char"]), default=None,
              help="Word or character shingles [word].")
@click.option("--seed", type=int, default=None, help="Hash seed [42].")
@click.option("--no-clean", is_flag=True,
              help="Index the text as given (as `nearcopy dedup`), not cleaned as `run`.")
@click.option("--clean-config", type=click.Path(exists=True, dir_okay=False), default=None,
              help="TOML file of cleaning rules (as for `nearcopy run`).")
@_input_options
def build_command(corpus, index_path, threshold, num_perm, ngram, shingle, seed, no_clean,
                  clean_config, **opts) -> None:
    """Create a new index at --index from CORPUS (cleaned and sketched as `nearcopy run`)."""
    from nearcopy.index import Index

    given = {"threshold": threshold, "num_perm": num_perm, "ngram": ngram, "shingle": shingle,
             "seed": seed}
    config = DedupConfig(**{k: v for k, v in given.items() if v is not None})
    cleaning, clean_dict = _cleaning(no_clean, clean_config)
    with Index.create(index_path, config, cleaning=cleaning, clean_config=clean_dict) as index:
        _feed(index, corpus, opts, print_copies=False)


@index_group.command("add")
@click.argument("corpus", nargs=-1, required=True, type=click.Path(path_type=Path))
@INDEX_OPTION
@_input_options
def add_command(corpus, index_path, **opts) -> None:
    """Add CORPUS to an existing index; print each new document that copies an indexed one.

    \b
    Output: one JSON line per copy found, e.g.
      {"id": "d9", "status": "added", "copies": [{"id": "d1", "similarity": 0.93, ...}]}
    """
    from nearcopy.index import Index

    with Index.open(index_path) as index:
        _feed(index, corpus, opts, print_copies=True)


@index_group.command("upgrade")
@INDEX_OPTION
def upgrade_command(index_path) -> None:
    """Bring an index file of an older format up to this version, in place (one transaction:
    a crash leaves the old version)."""
    from nearcopy.index import Index
    from nearcopy.index.index import FORMAT_VERSION

    before = Index.upgrade(index_path)
    if before < FORMAT_VERSION:
        click.echo(f"{index_path}: upgraded from format version {before} to {FORMAT_VERSION}")
    else:
        click.echo(f"{index_path}: already at format version {FORMAT_VERSION}")


@index_group.command("query")
@click.argument("source", type=click.File("rb"))
@INDEX_OPTION
@click.option("--limit", type=click.IntRange(1, 10_000), default=10, show_default=True,
              help="At most this many copies.")
def query_command(source, index_path, limit) -> None:
    """Print the indexed copies of one document (a text file, or - for stdin) as JSON."""
    from nearcopy.index import Index

    raw = source.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{source.name} is not UTF-8 text: {exc}") from exc
    with Index.open(index_path) as index:
        batch = index.prepare([_query_doc(text)])
        matches = index.query_prepared(batch, limit=limit)[0]
    out = {"copies": [m.to_dict() for m in matches], "dropped": batch.dropped[0]}
    click.echo(orjson.dumps(out, option=orjson.OPT_INDENT_2).decode())


@click.command()
@INDEX_OPTION
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; a non-loopback one needs --token-file or --insecure.")
@click.option("--port", type=int, default=8000, show_default=True, help="TCP port.")
@click.option("--token-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File holding the bearer token every request but /healthz must send.")
@click.option("--insecure", is_flag=True,
              help="Allow a non-loopback address without a token (trusted networks only).")
@click.option("--max-batch", type=int, default=256, show_default=True,
              help="Most documents in one POST /v1/documents.")
@click.option("--max-body-mb", type=float, default=16.0, show_default=True,
              help="Largest request body, in MiB (larger: 413).")
@click.option("--max-text-chars", type=int, default=1_000_000, show_default=True,
              help="Longest text of one document, in characters (longer: 413).")
def serve_command(index_path, host, port, token_file, insecure, max_batch, max_body_mb,
                  max_text_chars) -> None:
    """Serve the index over HTTP (JSON API; schema at /openapi.json).

    \b
    Example:
      nearcopy serve --index news.db --port 8000 &
      curl -s localhost:8000/v1/query -d '{"text": "..."}'
    """
    from nearcopy.service.schemas import Limits
    from nearcopy.service.server import serve

    limits = Limits(max_batch=max_batch, max_body_bytes=int(max_body_mb * 1024 * 1024),
                    max_text_chars=max_text_chars)
    serve(index_path, host=host, port=port, token_file=token_file, insecure=insecure,
          limits=limits)


def _query_doc(text: str):
    from nearcopy.document import Document
    return Document("query", text)


def _cleaning(no_clean: bool, clean_config) -> tuple[str | None, dict | None]:
    if no_clean:
        return "none", None
    if clean_config is None:
        return None, None  # the default of `nearcopy run`
    from nearcopy.clean import CleanConfig
    return "clean", CleanConfig.from_toml(clean_config).to_dict()


def _feed(index, corpus, opts: dict, *, print_copies: bool) -> None:
    from nearcopy.index.steps import add_corpus

    report = opts["report"]

    def on_result(result) -> None:
        line = orjson.dumps(result.to_dict()) + b"\n"
        if report is not None:
            report.write(line)
        if print_copies and (result.copies or result.status == "conflict"):
            sys.stdout.buffer.write(line)

    inputs = InputConfig(id_field=opts["id_field"], text_field=opts["text_field"],
                         strict=opts["strict"])
    workers = opts["workers"] or os.cpu_count() or 1
    counts = add_corpus(index, list(corpus), inputs=inputs, workers=workers,
                        on_result=on_result)
    sys.stdout.flush()
    if not opts["quiet"]:
        skipped = {k: v for k, v in counts.items() if k.startswith("skipped/")}
        click.echo(f"nearcopy: {index.storage.describe()['path']}: added {counts['added']} "
                   f"({counts['copies']} copies of indexed documents), "
                   f"{counts['exists']} already there, {counts['conflict']} id conflicts, "
                   f"{counts['dropped']} dropped by cleaning"
                   + (f", skipped {skipped}" if skipped else "")
                   + f"; {len(index)} documents indexed", err=True)
