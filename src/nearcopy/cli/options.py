"""Options shared by the batch commands, and how flags, TOML and defaults combine."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from nearcopy.config import (OUTPUT_FORMATS, SHINGLE_MODES, VERIFY_MODES, DedupConfig,
                             InputConfig, RunConfig, load_toml, run_config_from_dict)
from nearcopy.dedup.cluster import KEEP_POLICIES
from nearcopy.executors.factory import EXECUTORS


def field_options(fn):
    """--id-field and --text-field, for the commands that read a corpus outside a run."""
    fn = click.option("--text-field", default="text", show_default=True,
                      help="JSON/Parquet text field.")(fn)
    return click.option("--id-field", default="id", show_default=True,
                        help="JSON/Parquet id field.")(fn)


def corpus_options(fn):
    """CORPUS arguments, --out and the input options."""
    for option in reversed([
        click.argument("corpus", nargs=-1, required=True, type=click.Path(path_type=Path)),
        click.option("--out", "-o", "out_dir", required=True, type=click.Path(path_type=Path),
                     help="Output folder (created; existing outputs are replaced atomically)."),
        click.option("--config", "config_path", type=click.Path(path_type=Path),
                     help="TOML config (e.g. a previous run's config.toml); flags override it."),
        click.option("--id-field", default=None, help="JSON/Parquet field with the id [id]."),
        click.option("--text-field", default=None,
                     help="JSON/Parquet field with the text [text]."),
        click.option("--strict", is_flag=True, default=None,
                     help="Stop at the first bad record instead of skipping and counting it."),
        click.option("--workers", "-j", type=int, default=None,
                     help="Worker processes [0 = all cores]."),
        click.option("--format", "fmt", type=click.Choice(OUTPUT_FORMATS), default=None,
                     help="Output format of kept/removed [jsonl]."),
        click.option("--executor", type=click.Choice(EXECUTORS), default="local",
                     help="Run on worker processes of this machine, or on a Ray cluster "
                          "(pip install 'nearcopy[ray]'; writes kept-NNNNN.jsonl shards, see "
                          "docs/ray.md) [local]."),
        click.option("--ray-address", default=None,
                     help="Ray cluster for --executor ray: 'auto' or ray://host:10001 "
                          "[start a local Ray instance]."),
        click.option("--quiet", "-q", is_flag=True, help="No progress bars or summary."),
    ]):
        fn = option(fn)
    return fn


def dedup_options(fn):
    """Options of the copy detection."""
    for option in reversed([
        click.option("--threshold", "-t", type=float, default=None,
                     help="Jaccard similarity at which two texts are near copies [0.5]."),
        click.option("--num-perm", type=int, default=None,
                     help="MinHash signature length [128]."),
        click.option("--ngram", type=int, default=None,
                     help="Shingle size in tokens (words; characters with --shingle char) [5]."),
        click.option("--shingle", type=click.Choice(SHINGLE_MODES), default=None,
                     help="Word n-grams (CJK/Thai: one token per character) or character "
                          "n-grams [word]."),
        click.option("--bands", "num_bands", type=int, default=None,
                     help="LSH bands (with --rows); default: derived from --threshold."),
        click.option("--rows", "rows_per_band", type=int, default=None,
                     help="LSH rows per band (with --bands)."),
        click.option("--verify", type=click.Choice(VERIFY_MODES), default=None,
                     help="Check candidates by exact shingle Jaccard, or by signature "
                          "agreement (less memory) [exact]."),
        click.option("--keep", type=click.Choice(KEEP_POLICIES), default=None,
                     help="Representative of a cluster: the longest (most complete) text, "
                          "or the first in input order [longest]."),
        click.option("--containment", type=float, default=None,
                     help="Share of a document's shingles standing in a longer one at which "
                          "it is a partial copy; 0 turns it off [0.7]."),
        click.option("--seed", type=int, default=None, help="Hash seed [42]."),
        click.option("--dedup-paragraphs/--no-dedup-paragraphs", default=None,
                     help="Also remove from kept documents every paragraph (>= "
                          "--min-paragraph-chars) already seen in an earlier kept one [off]."),
        click.option("--min-paragraph-chars", type=int, default=None,
                     help="Shortest paragraph --dedup-paragraphs considers [100]."),
    ]):
        fn = option(fn)
    return fn


def build_run_config(params: dict, *, clean: bool) -> RunConfig:
    """Defaults, then the TOML file, then the flags that were given."""
    base = run_config_from_dict(load_toml(params["config_path"])) if params.get(
        "config_path") else RunConfig()
    dedup_keys = ("threshold", "num_perm", "ngram", "shingle", "num_bands", "rows_per_band",
                  "verify", "keep", "seed", "containment")
    dedup_over = {k: params[k] for k in dedup_keys if params.get(k) is not None}
    input_over = {k: params[k] for k in ("id_field", "text_field", "strict")
                  if params.get(k) is not None}
    top = {"clean": clean}
    if params.get("workers") is not None:
        top["workers"] = params["workers"]
    if params.get("fmt") is not None:
        top["format"] = params["fmt"]
    for key in ("dedup_paragraphs", "min_paragraph_chars"):
        if params.get(key) is not None:
            top[key] = params[key]
    dedup = base.dedup
    if dedup_over:
        merged = {**dedup.__dict__, **dedup_over}
        if "threshold" in dedup_over and not {"num_bands", "rows_per_band"} & dedup_over.keys():
            merged.update(num_bands=0, rows_per_band=0)  # re-derive bands for the new threshold
        dedup = DedupConfig(**merged)
    inputs = InputConfig(**{**base.input.__dict__, **input_over})
    return replace(base, dedup=dedup, input=inputs, **top)
