"""Output folders of the real CLI (`run`, `dedup`, `clean`) over the report corpus, per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.corpus import THRESHOLD, invoke, make_corpus


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("corpus") / "docs.jsonl")


@pytest.fixture(scope="session")
def outputs(corpus, tmp_path_factory) -> dict[str, Path]:
    """Output folders of `run`, `dedup` and `clean` over the corpus."""
    root = tmp_path_factory.mktemp("out")
    folders = {}
    for command in ("run", "dedup", "clean"):
        folder = root / command
        extra = ["--threshold", str(THRESHOLD)] if command != "clean" else []
        result = invoke(command, corpus, "--out", folder, "--quiet", "--workers", "1", *extra)
        assert result.exit_code == 0, result.output
        folders[command] = folder
    return folders


@pytest.fixture(scope="session")
def reports(outputs) -> dict[str, str]:
    """report.html text of each folder, written by `nearcopy report DIR`."""
    pages = {}
    for command, folder in outputs.items():
        result = invoke("report", folder)
        assert result.exit_code == 0, result.output
        assert result.output.strip() == str(folder / "report.html")
        pages[command] = (folder / "report.html").read_text(encoding="utf-8")
    return pages
