"""Fixtures of the executor tests: one real local Ray instance per session, small corpora."""

from __future__ import annotations

import gzip
import json
import random

import pytest

from tests.conftest import corpus_with_copies, random_text


@pytest.fixture(scope="session")
def ray_session():
    """A real local Ray cluster on 2 CPUs, started once for all Ray tests."""
    ray = pytest.importorskip("ray", reason="the 'ray' extra is not installed")
    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False,
                 configure_logging=False)
    yield ray
    ray.shutdown()


def mixed_corpus(folder, seed: int = 5):
    """Three files: near/exact copies, partial copies (containment), bad lines, repeated
    and missing ids, a gzip file, a shared template line. Returns the folder."""
    rng = random.Random(seed)
    docs, _ = corpus_with_copies(seed=3, bases=40)
    extra = []
    for k in range(10):
        base = random_text(rng, 150)
        extra += [{"id": f"p{k}", "text": base},
                  {"id": f"p{k}-wrapped", "text": random_text(rng, 120) + " " + base},
                  {"text": base[: len(base) // 2] + " " + random_text(rng, 10)}]
    lines = [json.dumps(d) for d in docs[:50]]
    lines += ["", "{not json", json.dumps({"id": "b1", "text": "repeated id"}),
              json.dumps({"id": "x", "text": ""})]
    lines += [json.dumps(d) for d in extra]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with gzip.open(folder / "b.jsonl.gz", "wt", encoding="utf-8") as handle:
        for doc in docs[50:]:
            handle.write(json.dumps(doc) + "\n")
        handle.write(json.dumps({"id": "p3", "text": "repeated id in another file"}) + "\n")
    template = "Subscribe to our newsletter for the latest updates every single day"
    with open(folder / "c.jsonl", "w", encoding="utf-8") as handle:
        for k in range(30):
            text = random_text(rng, 60) + "\n" + template + "\n" + random_text(rng, 30)
            handle.write(json.dumps({"id": f"t{k}", "text": text, "lang": "en"}) + "\n")
    return folder


@pytest.fixture
def mixed(tmp_path):
    return mixed_corpus(tmp_path / "corpus")
