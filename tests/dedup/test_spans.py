"""Exact repeated spans: known spans, the min-span boundary, sharding, removal."""

from __future__ import annotations

import random

import numpy as np
import pytest

from nearcopy.dedup.shingles import encode, token_hashes
from nearcopy.dedup.spans import (
    SpanFinder,
    SpanParams,
    find_spans,
    suffix_array,
    token_offsets,
)
from nearcopy.errors import ConfigError


def words(rng: random.Random, count: int, prefix: str = "w") -> str:
    return " ".join(f"{prefix}{rng.randint(0, 10**6)}" for _ in range(count))


def run(texts, min_span, shard_tokens=0):
    finder = SpanFinder(SpanParams(min_span=min_span, shard_tokens=shard_tokens))
    for text in texts:
        finder.add(token_offsets(text)[0])
    index = finder.finish()
    spans = [(int(index.lengths[s]), tuple(index.occurrences(s))) for s in range(len(index))]
    return spans, index.removals(), finder.stats


def test_known_span_across_documents():
    rng = random.Random(0)
    shared = words(rng, 60)
    texts = [words(rng, 10) + " " + shared + " " + words(rng, 5),
             shared + " " + words(rng, 30), words(rng, 80)]
    spans = find_spans(texts, min_span=50)
    assert len(spans) == 1
    assert spans[0]["tokens"] == 60
    (d0, s0, e0), (d1, s1, e1) = spans[0]["occurrences"]
    assert (d0, d1) == (0, 1)
    assert texts[0][s0:e0] == shared and texts[1][s1:e1] == shared


def test_case_and_spacing_do_not_matter():
    rng = random.Random(1)
    shared = words(rng, 20)
    spans = find_spans([shared, "  " + shared.upper().replace(" ", " \n ")], min_span=20)
    assert [s["tokens"] for s in spans] == [20]


@pytest.mark.parametrize("min_span, expected", [(15, 1), (16, 0)])
def test_min_span_boundary(min_span, expected):
    rng = random.Random(2)
    shared = words(rng, 15)
    texts = ["a1 " + shared + " b1", "a2 " + shared + " b2"]
    assert len(find_spans(texts, min_span=min_span)) == expected


def test_repeat_inside_one_document_only_is_not_reported():
    rng = random.Random(3)
    shared = words(rng, 30)
    assert find_spans([shared + " x " + shared, words(rng, 40)], min_span=10) == []


def test_all_occurrences_listed_including_within_document():
    rng = random.Random(4)
    shared = words(rng, 12)
    spans = find_spans([shared + " x " + shared, "y " + shared], min_span=10)
    assert len(spans) == 1
    assert [o[0] for o in spans[0]["occurrences"]] == [0, 0, 1]


def test_remove_keeps_the_first_occurrence():
    rng = random.Random(5)
    shared = words(rng, 20)
    texts = [words(rng, 5) + " " + shared, shared + " " + shared, "z " + shared + " q"]
    _, (doc, start, end), _ = run(texts, 10)
    assert doc.tolist() == [1, 2]                 # nothing removed from document 0
    assert (start.tolist(), end.tolist()) == ([0, 1], [40, 21])  # both copies in doc 1 merge


def random_corpus(seed: int, docs: int = 80) -> list[str]:
    rng = random.Random(seed)
    vocab = [f"t{i}" for i in range(25)]
    passages = [" ".join(rng.choice(vocab) for _ in range(rng.randint(5, 40))) for _ in range(10)]
    texts = []
    for _ in range(docs):
        parts = [rng.choice(passages) if rng.random() < 0.5 else
                 " ".join(rng.choice(vocab) for _ in range(rng.randint(0, 20)))
                 for _ in range(rng.randint(1, 5))]
        texts.append(" ".join(parts))
    return texts


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("min_span", [3, 8])
@pytest.mark.parametrize("shard_tokens", [25, 60, 400])
def test_sharded_equals_unsharded(seed, min_span, shard_tokens):
    texts = random_corpus(seed)
    expected_spans, expected_removed, _ = run(texts, min_span)
    spans, removed, stats = run(texts, min_span, shard_tokens)
    assert stats["shards"] > 1
    assert spans == expected_spans
    for got, want in zip(removed, expected_removed):
        np.testing.assert_array_equal(got, want)


def test_empty_and_tokenless_documents():
    assert run([], 5)[0] == []
    assert run(["", "...", "a b c"], 2, shard_tokens=1)[0] == []


@pytest.mark.parametrize("text", ["Hello, World! 42 times", "Straße ﬁne Ünïcode",
                                  "東京都に行く test", "e\u0301te\u0301 cafe\u0301", "ไทย ok"])
def test_tokens_match_the_dedup_tokenizer(text):
    hashes, starts, ends = token_offsets(text)
    np.testing.assert_array_equal(hashes, token_hashes(encode(text)))
    assert all(0 <= s < e <= len(text) for s, e in zip(starts, ends))


def test_char_offsets_point_into_the_original_text():
    text = "ﬁne Straße, CAFÉ au lait"
    _, starts, ends = token_offsets(text)
    assert [text[s:e] for s, e in zip(starts, ends)] == ["ﬁne", "Straße", "CAFÉ", "au", "lait"]


@pytest.mark.parametrize("top", [3, 200, 70000, 2**24 + 5])
def test_suffix_array_matches_naive_sort(top):
    rng = np.random.default_rng(top % 1000)
    ids = rng.integers(0, top, 300).astype(np.uint32)
    ids[100:150] = ids[:50]
    naive = sorted(range(ids.size), key=lambda i: ids[i:].tolist())
    assert suffix_array(ids).tolist() == naive


def test_params_are_validated():
    with pytest.raises(ConfigError, match="min_span = 1"):
        SpanParams(min_span=1)
    with pytest.raises(ConfigError, match="negative"):
        SpanParams(shard_tokens=-1)
    with pytest.raises(ConfigError, match="positive"):
        SpanParams.from_megabytes(50, 0)
