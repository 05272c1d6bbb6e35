"""A query's verdict equals the batch verdict for the same document (`nearcopy.dedup` / run).

With the default settings, containment (partial copies) included. The index keeps
arrival order, so batch mode runs with keep="first": the stored documents come
first and a query in their cluster is the copy.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

import nearcopy
from nearcopy.config import DedupConfig
from nearcopy.document import Document
from nearcopy.index import Index
from nearcopy.index.matching import METHOD_CONTAINS
from tests.conftest import mutate, random_text

CONFIG = DedupConfig(keep="first").resolved()


def _queries(base: list[str]) -> list[str]:
    rng = random.Random(11)
    out = []
    for i, text in enumerate(base[:24]):
        fraction = (0.0, 0.05, 0.2, 0.35, 0.5, 0.7)[i % 6]  # from exact to unrelated
        out.append(text.upper() if fraction == 0 else mutate(rng, text, fraction))
    out += [random_text(rng) for _ in range(6)]
    for i, text in enumerate(base[24:32]):  # partial copies, both ways round
        words = text.split()
        cut = (0.3, 0.45, 0.6, 0.8)[i % 4]
        out.append(" ".join(words[:int(len(words) * cut)]))                     # truncated
        out.append(f"{random_text(rng, 150)} {text} {random_text(rng, 150)}")  # inside junk
    out.append(f"{base[32]} {base[33]}")                                        # two stories
    out.append(" ".join(base[34].split()[:10]))                                 # too short
    return out


@pytest.mark.parametrize("cleaning", ["none", "clean"])
def test_query_equals_batch_verdict(tmp_path, cleaning):
    rng = random.Random(5)
    base = [random_text(rng) for _ in range(40)]
    clean = _cleaner(cleaning)
    with Index.create(tmp_path / "i.db", CONFIG, cleaning=cleaning) as idx:
        idx.insert([Document(f"b{i}", t) for i, t in enumerate(base)])
        verdicts = 0
        methods: Counter[str] = Counter()
        cleaned = [clean(t) for t in base]
        for q in _queries(base):
            matches = idx.query(q)
            batch = nearcopy.dedup(cleaned + [clean(q)], config=CONFIG)
            removed = {r["id"]: r for r in batch.removed}
            # the base corpus has no copies; a query holding two stories joins them
            assert set(removed) - {str(len(base))} <= {m.id[1:] for m in matches}
            if str(len(base)) in removed:
                verdicts += 1
                rec = removed[str(len(base))]
                assert matches, f"batch removed it as a copy of {rec['duplicate_of']}"
                top = matches[0]
                assert top.id == f"b{rec['duplicate_of']}"
                methods[top.method] += 1
                if top.method != METHOD_CONTAINS:
                    assert top.method == rec["method"]
                    assert round(top.similarity, 4) == rec["similarity"]
                else:  # batch labels the query by its own side (see matching.py)
                    assert rec["method"] in ("near", "contained")
            else:
                assert matches == []
        assert verdicts >= 16  # both outcomes are exercised
        assert set(methods) == {"exact", "near", "contained", METHOD_CONTAINS}, methods


def _cleaner(cleaning: str):
    if cleaning == "none":
        return lambda text: text
    from nearcopy.clean import CleanConfig, Cleaner
    cleaner = Cleaner(CleanConfig())
    return lambda text: cleaner.clean(Document("x", text)).text
