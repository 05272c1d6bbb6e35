"""`nearcopy index build/add/query`: exit codes, outputs, and one-line errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from nearcopy.cli.index import index_group
from nearcopy.cli.main import NearcopyGroup
from tests.conftest import write_jsonl

CLI = NearcopyGroup(commands={"index": index_group})


@pytest.fixture
def run():
    def _run(*args, input=None):
        return CliRunner().invoke(CLI, ["index", *map(str, args)], input=input)
    return _run


def test_build_add_query(tmp_path, run, copies_corpus):
    path, docs, _ = copies_corpus
    db = tmp_path / "i.db"
    result = run("build", path, "--index", db, "--no-clean", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "documents indexed" in result.stderr
    new = write_jsonl(tmp_path / "new.jsonl", [{"id": "new1", "text": docs[0]["text"]},
                                               {"id": "new2", "text": "fresh words " * 40}])
    result = run("add", new, "--index", db, "-j", "1")
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["id"] for x in lines] == ["new1"]
    assert lines[0]["copies"][0]["id"] == docs[0]["id"]
    result = run("query", "-", "--index", db, input=docs[0]["text"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["copies"][0]["similarity"] == 1.0


def test_foreign_index_is_a_one_line_error(tmp_path, run):
    bad = tmp_path / "bad.db"
    bad.write_text("not an index")
    result = run("query", "-", "--index", bad, input="text")
    assert result.exit_code == 1
    assert result.stderr.startswith("nearcopy: error: ") and "Traceback" not in result.output
    assert "not a nearcopy index" in result.stderr


def test_build_refuses_existing_index(tmp_path, run, copies_corpus):
    path, _, _ = copies_corpus
    db = tmp_path / "i.db"
    assert run("build", path, "--index", db, "--no-clean", "-j", "1").exit_code == 0
    result = run("build", path, "--index", db, "--no-clean", "-j", "1")
    assert result.exit_code == 1 and "already exists" in result.stderr
