"""`nearcopy run` (clean, then find copies) and `nearcopy dedup` (find copies as given)."""

from __future__ import annotations

import click

from nearcopy.cli.options import build_run_config, corpus_options, dedup_options
from nearcopy.cli.summary import print_summary
from nearcopy.pipeline.job import BatchJob


def write_report(out_dir) -> None:
    """The HTML report (imported here: Jinja2 and the report modules are needed only now)."""
    from nearcopy.report import write_report as write

    write(out_dir)


AGAINST = click.option("--against", type=click.Path(), default=None,
                       help="An index (nearcopy index build): also remove documents that are "
                            "copies of documents stored in it.")


@click.command()
@corpus_options
@dedup_options
@AGAINST
def dedup_command(**params) -> None:
    """Find exact and near copies in CORPUS, on the text as given (no cleaning).

    \b
    Writes to --out: kept.jsonl, removed.jsonl (with duplicate_of, similarity,
    method, reason), clusters.jsonl, stats.json, config.toml.
    Example:  nearcopy dedup news.jsonl.zst --out out/ --threshold 0.8
    """
    config = build_run_config(params, clean=False)
    summary = run_job(config, params, command="dedup")
    write_report(params["out_dir"])
    if not params["quiet"]:
        print_summary(summary, params["out_dir"])


@click.command()
@corpus_options
@dedup_options
@click.option("--clean-config", type=click.Path(), default=None,
              help="TOML file of cleaning rules (see `nearcopy clean --list-rules`).")
@click.option("--languages", default=None,
              help="Keep only documents whose main language is listed, e.g. 'en,de'.")
@AGAINST
def run_command(**params) -> None:
    """Clean CORPUS, then find exact and near copies on the cleaned text.

    \b
    The main job. Cleaning strips page chrome, stray-language lines and
    repeated paragraphs (each removal recorded with its rule) so that copies
    wrapped in different junk still match.
    Example:  nearcopy run crawl/*.warc.gz --out out/ && open out/report.html
    """
    config = build_run_config(params, clean=True)
    cleaner, boilerplate = make_cleaner(params.get("clean_config"), params.get("languages"))
    summary = run_job(config, params, cleaner=cleaner, boilerplate=boilerplate, command="run")
    write_report(params["out_dir"])
    if not params["quiet"]:
        print_summary(summary, params["out_dir"])


def run_job(config, params: dict, *, cleaner=None, boilerplate=None, command: str) -> dict:
    """The local BatchJob, or the sharded job on Ray with --executor ray."""
    if params.get("executor") == "ray":
        if params.get("against"):
            raise click.UsageError("--against is not supported with --executor ray yet")
        from nearcopy.executors.factory import make_executor
        from nearcopy.pipeline.distributed import run_distributed
        executor = make_executor("ray", params.get("ray_address"), params.get("workers"))
        return run_distributed(config, params["out_dir"], list(params["corpus"]),
                               cleaner=cleaner, boilerplate=boilerplate, executor=executor,
                               show_progress=not params["quiet"], command=command)
    if params.get("ray_address"):
        raise click.UsageError("--ray-address needs --executor ray")
    _say_if_compiling(params["quiet"])
    job = BatchJob(config, params["out_dir"], cleaner=cleaner, boilerplate=boilerplate,
                   show_progress=not params["quiet"], command=command,
                   against=params.get("against"))
    return job.run(list(params["corpus"]))


def _say_if_compiling(quiet: bool) -> None:
    """On a terminal, say why the first run of an install pauses before any progress."""
    import sys

    from nearcopy.dedup.kernels import kernels_cached
    if not quiet and sys.stderr.isatty() and not kernels_cached():
        click.echo("nearcopy: first run of this install: compiling the kernels "
                   "(once, about 30 s)", err=True)


def make_cleaner(config_path, languages):
    """The cleaning stage for `run`; the text normaliser where cleaning is not available."""
    try:
        from nearcopy.clean import BoilerplateCounter, CleanConfig, Cleaner
    except ImportError:
        from nearcopy.pipeline.normalize import NormalizeOnly
        return NormalizeOnly(), None
    config = CleanConfig.from_toml(config_path) if config_path else CleanConfig()
    if languages:
        config = config.with_languages(tuple(x.strip() for x in languages.split(",") if x.strip()))
    counter = BoilerplateCounter(config) if config.enabled("corpus_boilerplate") else None
    return Cleaner(config), counter
