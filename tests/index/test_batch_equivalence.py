"""A query's verdict equals the batch verdict for the same document (`nearcopy.dedup` / run)."""

from __future__ import annotations

import random

import pytest

import nearcopy
from nearcopy.config import DedupConfig
from nearcopy.document import Document
from nearcopy.index import Index
from tests.conftest import mutate, random_text

#: containment (partial copies) is batch-only for now; compare exact and near verdicts
CONFIG = DedupConfig(keep="first", containment=0.0).resolved()


def _queries(base: list[str]) -> list[str]:
    rng = random.Random(11)
    out = []
    for i, text in enumerate(base[:24]):
        fraction = (0.0, 0.05, 0.2, 0.35, 0.5, 0.7)[i % 6]  # from exact to unrelated
        out.append(text.upper() if fraction == 0 else mutate(rng, text, fraction))
    return out + [random_text(rng) for _ in range(6)]


@pytest.mark.parametrize("cleaning", ["none", "clean"])
def test_query_equals_batch_verdict(tmp_path, cleaning):
    rng = random.Random(5)
    base = [random_text(rng) for _ in range(40)]
    clean = _cleaner(cleaning)
    with Index.create(tmp_path / "i.db", CONFIG, cleaning=cleaning) as idx:
        idx.insert([Document(f"b{i}", t) for i, t in enumerate(base)])
        verdicts = 0
        cleaned = [clean(t) for t in base]
        for q in _queries(base):
            matches = idx.query(q)
            batch = nearcopy.dedup(cleaned + [clean(q)], config=CONFIG)
            removed = {r["id"]: r for r in batch.removed}
            assert set(removed) <= {str(len(base))}, "the base corpus has no copies"
            if str(len(base)) in removed:
                verdicts += 1
                rec = removed[str(len(base))]
                assert matches, f"batch removed it as a copy of {rec['duplicate_of']}"
                top = matches[0]
                assert (top.id, top.method) == (f"b{rec['duplicate_of']}", rec["method"])
                assert round(top.similarity, 4) == rec["similarity"]
            else:
                assert matches == []
        assert verdicts >= 8  # both outcomes are exercised


def _cleaner(cleaning: str):
    if cleaning == "none":
        return lambda text: text
    from nearcopy.clean import CleanConfig, Cleaner
    cleaner = Cleaner(CleanConfig())
    return lambda text: cleaner.clean(Document("x", text)).text
