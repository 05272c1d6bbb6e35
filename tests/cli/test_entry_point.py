"""The `nearcopy` console entry point (`cli.main:run`): exit codes, flushed output and
finished outputs, with the quick exit that skips the interpreter's teardown."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # (a process per case)


def nearcopy(*args: str, cwd=None) -> subprocess.CompletedProcess:
    code = ("import sys; sys.argv = ['nearcopy', *sys.argv[1:]]; "
            "from nearcopy.cli.main import run; run()")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True,
                          text=True, cwd=cwd)


def test_version_and_help_are_printed_in_full():
    out = nearcopy("--version")
    assert out.returncode == 0 and "nearcopy, version" in out.stdout
    out = nearcopy("--help")
    assert out.returncode == 0 and "Typical session" in out.stdout


def test_errors_keep_their_exit_codes():
    out = nearcopy("dedup", "/no/such/corpus.jsonl", "--out", "/tmp/never-written")
    assert out.returncode == 1 and "nearcopy: error:" in out.stderr
    out = nearcopy("dedup")  # usage error
    assert out.returncode == 2 and "Missing argument" in out.stderr


def test_a_run_leaves_every_output_complete(tmp_path):
    corpus = tmp_path / "c.jsonl"
    text = "the same story about the harbour and the ships that came in at dawn " * 4
    corpus.write_text("".join(json.dumps({"id": f"d{i}", "text": text + ("!" if i else "")})
                              + "\n" for i in range(3)))
    out = nearcopy("dedup", str(corpus), "--out", str(tmp_path / "out"), "--quiet")
    assert out.returncode == 0, out.stderr
    stats = json.loads((tmp_path / "out" / "stats.json").read_text())
    kept = (tmp_path / "out" / "kept.jsonl").read_text().splitlines()
    removed = (tmp_path / "out" / "removed.jsonl").read_text().splitlines()
    assert len(kept) + len(removed) == 3 and stats
    assert (tmp_path / "out" / "report.html").read_text().rstrip().endswith("</html>")
