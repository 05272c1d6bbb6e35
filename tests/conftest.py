"""Shared fixtures: tiny corpora on disk, a CLI runner, and generated copies with ground truth."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner

from nearcopy.cli.main import main as cli

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "sample" / "news.jsonl"
EVAL_DIR = REPO.parent / "shared" / "eval"

WORDS = ("market bank rate oil price trade company shares profit quarter year said government "
         "minister policy growth export import dollar yen crude output plant workers union "
         "strike port ship grain wheat harvest farm city council bridge mayor vote budget tax "
         "school library storm power coast road police court judge law bill senate").split()


def write_jsonl(path: Path, records) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def run_per_workers(invoke, command: str, corpus, out_root: Path, workers=("1", "2"),
                    *extra) -> list[Path]:
    """Run `nearcopy command` once per worker count, into out_root/w<N>; the folders."""
    outs = []
    for count in workers:
        out = Path(out_root) / f"w{count}"
        result = invoke(command, corpus, "--out", out, "--quiet", "--workers", count, *extra)
        assert result.exit_code == 0, result.output
        outs.append(out)
    return outs


def random_text(rng: random.Random, words: int = 200) -> str:
    return " ".join(rng.choice(WORDS) + str(rng.randint(0, 999)) for _ in range(words))


def mutate(rng: random.Random, text: str, fraction: float) -> str:
    """Replace `fraction` of the words with fresh ones."""
    tokens = text.split()
    for i in rng.sample(range(len(tokens)), int(len(tokens) * fraction)):
        tokens[i] = "new" + str(rng.randint(0, 10**9))
    return " ".join(tokens)


def corpus_with_copies(seed: int = 1, bases: int = 40) -> tuple[list[dict], list[set[str]]]:
    """Documents with known clusters: exact copies, light edits (J >> 0.8) and unrelated docs."""
    rng = random.Random(seed)
    docs, clusters = [], []
    for b in range(bases):
        text = random_text(rng)
        members = {f"b{b}"}
        docs.append({"id": f"b{b}", "text": text})
        kind = b % 4
        if kind == 1:
            docs.append({"id": f"b{b}-exact", "text": text.upper()})
            members.add(f"b{b}-exact")
        elif kind == 2:
            for c in range(2):
                docs.append({"id": f"b{b}-near{c}", "text": mutate(rng, text, 0.01)})
                members.add(f"b{b}-near{c}")
        clusters.append(members)
    rng.shuffle(docs)
    return docs, clusters


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner):
    def _invoke(*args, **kwargs):
        return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False, **kwargs)
    return _invoke


@pytest.fixture
def copies_corpus(tmp_path):
    docs, clusters = corpus_with_copies()
    return write_jsonl(tmp_path / "corpus.jsonl", docs), docs, clusters
