"""`nearcopy clean`: strip page chrome, stray languages and repetition from a corpus."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from nearcopy.cli.options import field_options
from nearcopy.errors import NearcopyError

EPILOG = ("Writes DIR/kept.jsonl, DIR/dropped.jsonl, DIR/stats.json and DIR/clean_config.json. "
          "Rules off by default (enable in --config): {off}.")


class CleanCommand(click.Command):
    """The `clean` command; its epilog lists the rules off by default, so the cleaning
    package (70 ms of imports, compiled patterns) loads when help is shown, not at every
    start of the CLI."""

    def format_epilog(self, ctx, formatter) -> None:
        self.epilog = EPILOG.format(off=_off_by_default())
        super().format_epilog(ctx, formatter)


def _off_by_default() -> str:
    from nearcopy.clean import list_rules

    return ", ".join(name for name, _, on in list_rules() if not on)


def _print_rules() -> None:
    from nearcopy.clean import list_rules

    width = max(len(name) for name, _, _ in list_rules())
    for name, description, on in list_rules():
        click.echo(f"{name:<{width}}  {'on ' if on else 'off'}  {description}")


def _parse_languages(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


@click.command("clean", cls=CleanCommand, epilog=EPILOG)
@click.argument("corpus", nargs=-1, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML file: [rules.<name>] enabled = false / parameters.")
@click.option("--languages", multiple=True, metavar="CODES",
              help="Keep only documents whose main language is listed (e.g. en or en,de).")
@click.option("--list-rules", is_flag=True, help="List every rule with its description and exit.")
@click.option("--workers", "-j", type=click.IntRange(min=0), default=0,
              help="Worker processes [0 = all cores].")
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local",
              help="Clean on worker processes of this machine, or as tasks on a Ray cluster "
                   "(pip install 'nearcopy[ray]') [local].")
@click.option("--ray-address", default=None,
              help="Ray cluster for --executor ray: 'auto' or ray://host:10001 "
                   "[start a local Ray instance].")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
@click.option("--strict", is_flag=True, help="Stop at the first bad input record.")
@field_options
def clean_command(corpus, out_dir, config_path, languages, list_rules, workers, executor,
                  ray_address, quiet, strict, id_field, text_field):
    """Clean CORPUS (JSONL, Parquet, text folders, WARC, HTML) into DIR, saying why each part went."""
    if list_rules:
        _print_rules()
        return
    if not corpus:
        raise click.UsageError("name at least one CORPUS file or folder")
    if out_dir is None:
        raise click.UsageError("--out DIR is required")
    if ray_address and executor != "ray":
        raise click.UsageError("--ray-address needs --executor ray")
    try:
        runner = None
        if executor == "ray":
            from nearcopy.executors.factory import make_executor
            runner = make_executor("ray", ray_address, workers or None)
        summary = _run(corpus, out_dir, config_path, languages, workers or os.cpu_count() or 1,
                       strict, id_field, text_field, runner)
    except NearcopyError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    if not quiet:
        noun = "document" if summary["documents"] == 1 else "documents"
        click.echo(f"cleaned {summary['documents']:,} {noun}: {summary['kept']:,} kept, "
                   f"{summary['dropped']:,} dropped; "
                   f"{summary['chars_in'] - summary['chars_out']:,} characters removed -> {out_dir}")


def _run(corpus, out_dir, config_path, languages, workers, strict, id_field, text_field,
         executor=None):
    from nearcopy.clean.corpus import CorpusFiles, clean_corpus
    from nearcopy.io.base import SkipCounter

    from nearcopy.clean import CleanConfig

    config = CleanConfig.from_toml(config_path) if config_path else CleanConfig()
    langs = _parse_languages(languages)
    if langs:
        config = config.with_languages(langs)
    skips = SkipCounter(strict=strict)
    files = CorpusFiles(list(corpus), {"id_field": id_field, "text_field": text_field}, skips)
    summary = clean_corpus(files, out_dir, config, workers=workers, executor=executor)
    summary["skipped"] = dict(skips.counts)
    from nearcopy.report import write_report

    write_report(out_dir)
    return summary
