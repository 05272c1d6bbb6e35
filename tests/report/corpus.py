"""A small corpus for the report tests, and the CLI with `report`/`explain` registered.

Stories are word sequences from a seeded generator; variants are an exact copy
(case changed), near copies (a few words swapped) and partial copies (a tail
rewritten) so that pairs fall on both sides of the threshold, and some copies
carry page junk that cleaning removes with a recorded rule.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from click.testing import CliRunner

from nearcopy.cli.main import main

THRESHOLD = 0.6
JUNK = ["Share this article", "[ad_1]", "Read more: click here for the full story"]


def _story(rng: random.Random, words: int) -> list[str]:
    vocab = [f"w{rng.randrange(4000)}" for _ in range(words)]
    return [("The " if i % 12 == 0 else "") + w for i, w in enumerate(vocab)]


def _lines(words: list[str], per_line: int = 15) -> str:
    return "\n".join(" ".join(words[i:i + per_line]) for i in range(0, len(words), per_line))


def _variants(name: str, base: list[str], rng: random.Random) -> list[dict]:
    docs = [{"id": f"{name}", "text": _lines(base), "source_site": "wire"},
            {"id": f"{name}-caps", "text": _lines(base).upper()}]
    near = list(base)
    for i in rng.sample(range(len(base)), 3):
        near[i] = f"x{i}"
    docs.append({"id": f"{name}-near", "text": "\n".join([JUNK[1], _lines(near), JUNK[0]])})
    for k, cut in enumerate((0.22, 0.28, 0.36, 0.45)):
        rewritten = int(len(base) * cut)
        part = base[:len(base) - rewritten] + [f"t{k}{j}" for j in range(rewritten)]
        docs.append({"id": f"{name}-part{k}", "text": _lines(part) + "\n" + JUNK[2]})
    return docs


def make_corpus(path: Path) -> Path:
    rng = random.Random(7)
    docs = []
    for number in range(4):
        docs += _variants(f"story{number}", _story(rng, 120), rng)
    docs += [{"id": f"single{n}", "text": _lines(_story(rng, 80))} for n in range(6)]
    docs.append({"id": "tiny", "text": "Too short to keep."})
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


def invoke(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
