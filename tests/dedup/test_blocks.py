"""Verification in blocks of candidate components gives the decisions of one big block."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nearcopy.dedup import blocks, containment
from nearcopy.dedup.decide import InMemorySets, Sketches, find_copies
from nearcopy.dedup.sketch import SketchParams, sketch_texts
from nearcopy.executors.local import LocalExecutor
from tests.conftest import corpus_with_copies


def _decide(texts, block_bytes, keep, block_map=None):
    batch = sketch_texts(texts, SketchParams(), keep_sets=True)
    samples = containment.sample_sets(batch.set_values, batch.set_counts, 8)
    return find_copies(Sketches(batch.exact_hashes, batch.lengths, batch.signatures, *samples),
                       InMemorySets(batch.set_values, batch.set_counts), threshold=0.7,
                       num_bands=16, rows=8, keep=keep, containment_threshold=0.7,
                       block_bytes=block_bytes, block_map=block_map)


@pytest.mark.parametrize("keep", ["longest", "first"])
def test_small_blocks_give_the_same_decisions(keep):
    records, _ = corpus_with_copies(seed=3, bases=30)
    texts = [r["text"] for r in records]
    texts += [texts[0], texts[5] + "\n\n" + texts[7], ""]  # exact copy, containment, empty
    one = _decide(texts, 1 << 40, keep)
    many = _decide(texts, 1, keep)  # every candidate component is its own block
    _assert_same_decisions(one, many)
    assert one.stats["contained_pairs"] > 0 and one.stats["sets_loaded"] > 0


def _assert_same_decisions(one, other):
    for name in ("labels", "representative", "similarity", "pair_similarities"):
        assert np.array_equal(getattr(one, name), getattr(other, name)), name
    assert one.method.tolist() == other.method.tolist()
    drop = {"seconds"}
    assert {k: v for k, v in one.stats.items() if k not in drop} == \
        {k: v for k, v in other.stats.items() if k not in drop}


@pytest.mark.parametrize("keep", ["longest", "first"])
def test_blocks_verified_in_forked_processes_give_the_same_decisions(keep):
    records, _ = corpus_with_copies(seed=4, bases=30)
    texts = [r["text"] for r in records]
    texts += [texts[0], texts[5] + "\n\n" + texts[7], ""]
    here = _decide(texts, 1, keep)
    with LocalExecutor(2) as executor:
        forked = _decide(texts, 1, keep, block_map=executor.map_forked)
    _assert_same_decisions(here, forked)
    assert here.stats["contained_pairs"] > 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29)), max_size=40),
       st.integers(1, 200))
def test_blocks_partition_documents_and_pairs_by_component(edges, block_bytes):
    left = np.array([a for a, _ in edges], dtype=np.int64)
    right = np.array([b for _, b in edges], dtype=np.int64)
    lengths = np.full(30, 10, dtype=np.int64)
    empty = np.empty(0, dtype=np.int64)
    found = list(blocks.candidate_blocks(30, lengths, left, right, empty, empty, block_bytes))
    docs = np.concatenate([b.docs for b in found]) if found else empty
    assert sorted(docs.tolist()) == sorted(set(left.tolist()) | set(right.tolist()))
    pairs = np.concatenate([b.pairs for b in found]) if found else empty
    assert sorted(pairs.tolist()) == list(range(left.size))
    for b in found:  # both ends of every pair of a block are in that block
        assert np.isin(left[b.pairs], b.docs).all() and np.isin(right[b.pairs], b.docs).all()
