"""Typed, validated configuration; one TOML file maps onto it and CLI flags override it.

Every run writes its resolved configuration (`config.toml`) beside its outputs, so
`nearcopy run --config out/config.toml ...` repeats it exactly.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from nearcopy.dedup.cluster import KEEP_POLICIES
from nearcopy.dedup.lsh import optimal_bands
from nearcopy.dedup.sketch import SketchParams
from nearcopy.errors import ConfigError

VERIFY_MODES = ("exact", "signature")
SHINGLE_MODES = ("word", "char")
OUTPUT_FORMATS = ("jsonl", "parquet")

#: Chosen on ../shared/eval/news_copies (sweep in bench/RESULTS.md): with cleaning and
#: exact verification, pair F1 0.998 at precision 1.000; precision first drops at
#: 0.3 / 0.5, so these sit two steps above it as a margin for unseen data.
DEFAULT_THRESHOLD = 0.5
DEFAULT_CONTAINMENT = 0.7


@dataclass(frozen=True, kw_only=True)
class DedupConfig:
    """How copies are found. `num_bands`/`rows_per_band` of 0 mean: derive from threshold."""

    threshold: float = DEFAULT_THRESHOLD
    num_perm: int = 128
    ngram: int = 5
    shingle: str = "word"
    seed: int = 42
    num_bands: int = 0
    rows_per_band: int = 0
    verify: str = "exact"
    keep: str = "longest"
    # Every candidate is verified exactly, so a false positive costs only a set
    # comparison while a false negative is a copy lost: weight misses heavily.
    false_positive_weight: float = 0.02
    false_negative_weight: float = 0.98
    bucket_window: int = 64
    #: C(A in B) at which A is a partial copy of B; 0 turns containment detection off
    containment: float = DEFAULT_CONTAINMENT
    #: 1 in this many shingle values is indexed to find containment candidates
    containment_sample: int = 8

    def __post_init__(self):
        if not 0.0 < self.threshold < 1.0:
            raise ConfigError(f"threshold {self.threshold} must be between 0 and 1, e.g. 0.8")
        if not 8 <= self.num_perm <= 4096:
            raise ConfigError(f"num_perm {self.num_perm} must be between 8 and 4096, e.g. 128")
        if not 1 <= self.ngram <= 64:
            raise ConfigError(f"ngram {self.ngram} must be between 1 and 64, e.g. 5")
        _choice("shingle", self.shingle, SHINGLE_MODES)
        _choice("verify", self.verify, VERIFY_MODES)
        _choice("keep", self.keep, KEEP_POLICIES)
        if (self.num_bands > 0) != (self.rows_per_band > 0):
            raise ConfigError("give both num_bands and rows_per_band, or neither (derived)")
        if self.num_bands * self.rows_per_band > self.num_perm:
            raise ConfigError(f"num_bands * rows_per_band = {self.num_bands * self.rows_per_band}"
                              f" exceeds num_perm = {self.num_perm}")
        if not 0.0 <= self.containment <= 1.0:
            raise ConfigError(f"containment {self.containment} must be between 0 (off) and 1")
        if self.containment_sample < 1 or self.containment_sample & (self.containment_sample - 1):
            raise ConfigError(f"containment_sample {self.containment_sample} must be a power "
                              "of two, e.g. 8")
        if self.bucket_window < 1:
            raise ConfigError(f"bucket_window {self.bucket_window} must be at least 1")

    @property
    def sketch(self) -> SketchParams:
        return SketchParams(num_perm=self.num_perm, ngram=self.ngram, shingle=self.shingle,
                            seed=self.seed)

    def bands(self) -> tuple[int, int]:
        """(num_bands, rows_per_band): given, or derived from threshold and num_perm."""
        if self.num_bands:
            return self.num_bands, self.rows_per_band
        return optimal_bands(self.threshold, self.num_perm,
                             false_positive_weight=self.false_positive_weight,
                             false_negative_weight=self.false_negative_weight)

    def resolved(self) -> DedupConfig:
        num_bands, rows = self.bands()
        return replace(self, num_bands=num_bands, rows_per_band=rows)

    def tag(self) -> str:
        """Short id of the parameters that decide signatures, used in file names."""
        return f"{self.shingle}{self.ngram}-p{self.num_perm}-s{self.seed}"


@dataclass(frozen=True, kw_only=True)
class InputConfig:
    id_field: str = "id"
    text_field: str = "text"
    strict: bool = False
    max_doc_chars: int = 100_000_000

    def __post_init__(self):
        if self.max_doc_chars < 1:
            raise ConfigError(f"max_doc_chars {self.max_doc_chars} must be positive")


@dataclass(frozen=True, kw_only=True)
class RunConfig:
    """Everything a batch job needs besides its inputs."""

    dedup: DedupConfig = field(default_factory=DedupConfig)
    input: InputConfig = field(default_factory=InputConfig)
    clean: bool = True
    workers: int = 0
    batch_size: int = 2000
    format: str = "jsonl"
    #: remove paragraphs already seen in an earlier kept document (CCNet-style)
    dedup_paragraphs: bool = False
    min_paragraph_chars: int = 100

    def __post_init__(self):
        _choice("format", self.format, OUTPUT_FORMATS)
        if self.min_paragraph_chars < 1:
            raise ConfigError(f"min_paragraph_chars {self.min_paragraph_chars} must be >= 1")
        if self.workers < 0:
            raise ConfigError(f"workers {self.workers} must be 0 (all cores) or more")
        if self.batch_size < 1:
            raise ConfigError(f"batch_size {self.batch_size} must be at least 1")

    @property
    def num_workers(self) -> int:
        return self.workers or os.cpu_count() or 1

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ConfigError(f"{name} '{value}' is not one of: {', '.join(allowed)}")


def _build(cls, data: dict[str, Any], where: str):
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"unknown key(s) in [{where}]: {', '.join(unknown)}; "
                          f"known: {', '.join(sorted(known))}")
    try:
        return cls(**data)
    except TypeError as exc:
        raise ConfigError(f"[{where}]: {exc}") from exc


def load_toml(path: str | Path) -> dict[str, Any]:
    import tomllib  # (only with a config file: 10 ms of every start-up)

    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc


def run_config_from_dict(data: dict[str, Any]) -> RunConfig:
    """Build a RunConfig from a dict shaped like config.toml ([dedup], [input], top level)."""
    data = dict(data)
    dedup = _build(DedupConfig, data.pop("dedup", {}), "dedup")
    inputs = _build(InputConfig, data.pop("input", {}), "input")
    data.pop("clean_rules", None)  # owned by the cleaning stage's own config
    return _build(RunConfig, {**data, "dedup": dedup, "input": inputs}, "top level")
