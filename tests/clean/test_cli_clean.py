"""`nearcopy clean` through click's CliRunner."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from nearcopy.cli.clean import clean_command

DATA = Path(__file__).resolve().parents[1] / "data" / "clean"


@pytest.fixture
def corpus(tmp_path):
    path = tmp_path / "docs.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for p in sorted(DATA.glob("*.input.txt")):
            fh.write(json.dumps({"id": p.name, "text": p.read_text(encoding="utf-8"),
                                 "url": f"http://x/{p.name}"}) + "\n")
        fh.write(json.dumps({"id": "short", "text": "Too short."}) + "\n")
    return path


def test_list_rules():
    result = CliRunner().invoke(clean_command, ["--list-rules"])
    assert result.exit_code == 0
    assert "stamp_line" in result.output and "c4_terminal_punct" in result.output


def test_help_lists_off_rules():
    result = CliRunner().invoke(clean_command, ["--help"])
    assert result.exit_code == 0 and "off by default" in result.output


def test_clean_writes_outputs(corpus, tmp_path):
    pytest.importorskip("nearcopy.io.discover")
    out = tmp_path / "out"
    result = CliRunner().invoke(clean_command, [str(corpus), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    kept = [json.loads(line) for line in (out / "kept.jsonl").read_text().splitlines()]
    dropped = [json.loads(line) for line in (out / "dropped.jsonl").read_text().splitlines()]
    assert len(kept) == 5 and kept[0]["url"].startswith("http://x/")
    assert dropped[0]["id"] == "short" and dropped[0]["rule"] == "gopher_word_count"
    stats = json.loads((out / "stats.json").read_text())
    assert stats["rules"]["teaser_list"]["lines_removed"] == 6
    assert (out / "clean_config.json").exists()


def test_usage_errors(tmp_path):
    assert CliRunner().invoke(clean_command, []).exit_code == 2
    assert CliRunner().invoke(clean_command, ["x.jsonl"]).exit_code == 2


def test_bad_config_exits_1(corpus, tmp_path):
    pytest.importorskip("nearcopy.io.discover")
    cfg = tmp_path / "clean.toml"
    cfg.write_text("[rules.nope]\nenabled = false\n", encoding="utf-8")
    result = CliRunner().invoke(clean_command, [str(corpus), "--out", str(tmp_path / "o"),
                                                "--config", str(cfg)])
    assert result.exit_code == 1 and "unknown cleaning rule" in result.output


def test_summary_line_counts_in_words(tmp_path):
    one = tmp_path / "one.jsonl"
    one.write_text(json.dumps({"id": "a", "text": "Too short."}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(clean_command, [str(one), "--out", str(tmp_path / "o1")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("cleaned 1 document: 0 kept, 1 dropped;")
    two = tmp_path / "two.jsonl"
    two.write_text(one.read_text() + json.dumps({"id": "b", "text": "Also short."}) + "\n",
                   encoding="utf-8")
    result = CliRunner().invoke(clean_command, [str(two), "--out", str(tmp_path / "o2")])
    assert result.output.startswith("cleaned 2 documents: 0 kept, 2 dropped;")
