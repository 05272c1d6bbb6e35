"""Bad input: a clear one-line error naming the file (and line), or a counted skip."""

from __future__ import annotations

import json

import pytest

from nearcopy.cli.main import main as cli
from tests.conftest import read_jsonl, write_jsonl


def _run(runner, *args):
    return runner.invoke(cli, ["dedup", *map(str, args), "--quiet"])


def _one_line_error(result, *needles):
    assert result.exit_code == 1, result.output
    err = result.stderr if hasattr(result, "stderr") else result.output
    lines = [line for line in err.strip().splitlines() if line.startswith("nearcopy: error")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0]


def test_missing_file(runner, tmp_path):
    _one_line_error(_run(runner, tmp_path / "nope.jsonl", "--out", tmp_path / "o"),
                    "nope.jsonl", "no such file")


def test_empty_corpus(runner, tmp_path):
    (tmp_path / "empty.jsonl").write_text("")
    _one_line_error(_run(runner, tmp_path / "empty.jsonl", "--out", tmp_path / "o"),
                    "no documents")


def test_invalid_json_line_is_skipped_and_counted(runner, tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": "a", "text": "alpha beta gamma"}\n{"id": "b", "text": \n'
                    '{"id": "c", "text": "delta epsilon"}\n')
    result = _run(runner, path, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    stats = json.loads((tmp_path / "o" / "stats.json").read_text())
    assert stats["skipped"] == {"invalid_json": 1}
    assert "x.jsonl:2" in stats["skipped_examples"]["invalid_json"]
    assert [r["id"] for r in read_jsonl(tmp_path / "o" / "kept.jsonl")] == ["a", "c"]


def test_strict_turns_a_skip_into_an_error_naming_file_and_line(runner, tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": "a", "text": "alpha"}\nnot json\n')
    _one_line_error(_run(runner, path, "--out", tmp_path / "o", "--strict"), "x.jsonl:2",
                    "invalid json")


def test_missing_text_field_and_wrong_types(runner, tmp_path):
    path = write_jsonl(tmp_path / "x.jsonl", [
        {"id": "a", "text": "kept text here"}, {"id": "b", "body": "no text"},
        {"id": "c", "text": 42}, {"id": "d", "text": "   "}, ["not", "object"]])
    assert _run(runner, path, "--out", tmp_path / "o").exit_code == 0
    stats = json.loads((tmp_path / "o" / "stats.json").read_text())
    assert stats["skipped"] == {"missing_text": 1, "text_not_string": 1, "empty_text": 1,
                                "not_an_object": 1}
    assert stats["documents"]["read"] == 1


def test_non_utf8_line_is_skipped_without_touching_neighbours(runner, tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"id": "a", "text": "caf\xc3\xa9 ok"}\n{"id": "b", "text": "caf\xe9"}\n'
                     b'{"id": "c", "text": "fine"}\n')
    assert _run(runner, path, "--out", tmp_path / "o").exit_code == 0
    kept = read_jsonl(tmp_path / "o" / "kept.jsonl")
    assert [(r["id"], r["text"]) for r in kept] == [("a", "café ok"), ("c", "fine")]
    stats = json.loads((tmp_path / "o" / "stats.json").read_text())
    assert stats["skipped"] == {"invalid_utf8": 1}


def test_non_utf8_text_file_in_a_folder_is_skipped(runner, tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "good.txt").write_text("good text")
    (tmp_path / "d" / "latin1.txt").write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    assert _run(runner, tmp_path / "d", "--out", tmp_path / "o").exit_code == 0
    stats = json.loads((tmp_path / "o" / "stats.json").read_text())
    assert stats["skipped"] == {"invalid_utf8": 1}


def test_binary_file_gives_a_clear_error(runner, tmp_path):
    (tmp_path / "x.jsonl").write_bytes(b"\x1f\x8b\x08\x00" + bytes(range(256)) * 10)
    _one_line_error(_run(runner, tmp_path / "x.jsonl", "--out", tmp_path / "o"), "x.jsonl",
                    "binary")


def test_unknown_file_type(runner, tmp_path):
    (tmp_path / "x.csv").write_text("a,b")
    _one_line_error(_run(runner, tmp_path / "x.csv", "--out", tmp_path / "o"), "unknown file type")


@pytest.mark.slow
def test_fifty_megabyte_document_is_processed(runner, tmp_path):
    big = ("lorem ipsum dolor sit amet consectetur " * 1_400_000)[:50_000_000]
    path = write_jsonl(tmp_path / "x.jsonl", [{"id": "big", "text": big},
                                              {"id": "small", "text": "a small one"}])
    result = _run(runner, path, "--out", tmp_path / "o", "--workers", "1")
    assert result.exit_code == 0, result.output
    stats = json.loads((tmp_path / "o" / "stats.json").read_text())
    assert stats["documents"]["read"] == 2 and stats["documents"]["kept"] == 2


def test_duplicate_ids_are_skipped_and_counted(runner, tmp_path):
    path = write_jsonl(tmp_path / "x.jsonl", [{"id": "a", "text": "one text"},
                                              {"id": "a", "text": "another text"},
                                              {"id": "b", "text": "third text"}])
    assert _run(runner, path, "--out", tmp_path / "o").exit_code == 0
    stats = json.loads((tmp_path / "o" / "stats.json").read_text())
    assert stats["skipped"] == {"duplicate_id": 1}
    kept = read_jsonl(tmp_path / "o" / "kept.jsonl")
    assert [(r["id"], r["text"]) for r in kept] == [("a", "one text"), ("b", "third text")]


def test_bad_option_value_is_a_one_line_error(runner, tmp_path):
    path = write_jsonl(tmp_path / "x.jsonl", [{"id": "a", "text": "one"}])
    _one_line_error(_run(runner, path, "--out", tmp_path / "o", "--threshold", "1.5"),
                    "threshold 1.5")
    _one_line_error(_run(runner, path, "--out", tmp_path / "o", "--bands", "20", "--rows", "10"),
                    "exceeds num_perm")
