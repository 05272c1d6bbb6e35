"""The command line: help, exit codes, the summary."""

from __future__ import annotations

from nearcopy.cli.main import main as cli
from tests.conftest import write_jsonl


def test_help_lists_commands(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("run", "dedup"):
        assert command in result.output


def test_usage_error_exits_2(runner):
    result = runner.invoke(cli, ["dedup"])
    assert result.exit_code == 2
    result = runner.invoke(cli, ["dedup", "x.jsonl", "--out", "o", "--shingle", "bogus"])
    assert result.exit_code == 2


def test_summary_line(runner, tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"id": "a", "text": "same text here"},
                                                {"id": "b", "text": "Same  text here"}])
    result = runner.invoke(cli, ["dedup", str(corpus), "--out", str(tmp_path / "o")])
    assert result.exit_code == 0
    assert "read 2 documents" in result.output
    assert "kept 1, removed 1 (exact 1)" in result.output


def test_debug_shows_traceback(runner, tmp_path):
    result = runner.invoke(cli, ["--debug", "dedup", str(tmp_path / "missing.jsonl"),
                                 "--out", str(tmp_path / "o")])
    assert result.exit_code != 0
    assert result.exception is not None
