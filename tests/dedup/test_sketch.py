"""Sketching: compiled kernel == numpy reference, estimates track exact Jaccard."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nearcopy.dedup import minhash, shingles
from nearcopy.dedup.hashing import seed_state
from nearcopy.dedup.sketch import SketchParams, exact_hash, shingle_sets, sketch_texts

TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
MIXED = st.lists(st.sampled_from(["the", "Cat", "日本", "語", "สวัสดี", "naïve", "—", "  ", "\n",
                                  "Straße", "ﬁ", "x1", "!", "😀", "\u00a0", "ΣΊΣΥΦΟΣ"]),
                 max_size=60).map("".join)


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(st.one_of(TEXT, MIXED), min_size=1, max_size=6),
       shingle=st.sampled_from(["word", "char"]), ngram=st.integers(1, 6))
def test_compiled_and_numpy_paths_agree(texts, shingle, ngram):
    params = SketchParams(num_perm=32, ngram=ngram, shingle=shingle, seed=3)
    a = sketch_texts(texts, params, compiled=True)
    b = sketch_texts(texts, params, compiled=False)
    assert np.array_equal(a.signatures, b.signatures)
    assert np.array_equal(a.set_counts, b.set_counts)
    assert np.array_equal(a.set_values, b.set_values)
    assert np.array_equal(a.exact_hashes, b.exact_hashes)
    assert np.array_equal(a.lengths, b.lengths)
    assert list(a.exact_hashes) == [exact_hash(t) for t in texts]


@settings(max_examples=100, deadline=None)
@given(texts=st.lists(st.one_of(TEXT, MIXED), min_size=1, max_size=6),
       shingle=st.sampled_from(["word", "char"]), ngram=st.integers(1, 6))
def test_sets_alone_equal_the_sketch_sets(texts, shingle, ngram):
    params = SketchParams(num_perm=32, ngram=ngram, shingle=shingle, seed=3)
    full = sketch_texts(texts, params, keep_sets=True)
    for compiled in (True, False):
        values, counts = shingle_sets(texts, params, compiled=compiled)
        assert np.array_equal(values, full.set_values)
        assert np.array_equal(counts, full.set_counts)


def _word_sets(rng, overlap: int, only: int):
    shared = [f"w{rng.random()}" for _ in range(overlap)]
    a = shared + [f"a{rng.random()}" for _ in range(only)]
    b = shared + [f"b{rng.random()}" for _ in range(only)]
    return " ".join(a), " ".join(b), overlap / (overlap + 2 * only)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), overlap=st.integers(50, 400), only=st.integers(0, 300))
def test_signature_estimate_within_expected_error(seed, overlap, only):
    """Unigram sets: exact J known; OPH estimate within 4.5 sigma of it (sigma^2 = J(1-J)/k)."""
    rng = random.Random(seed)
    a, b, jaccard = _word_sets(rng, overlap, only)
    params = SketchParams(num_perm=256, ngram=1, seed=seed)
    batch = sketch_texts([a, b], params)
    estimate = minhash.estimate_jaccard(batch.signatures[0], batch.signatures[1])
    sigma = max((jaccard * (1 - jaccard) / 256) ** 0.5, 1e-3)
    assert abs(estimate - jaccard) <= 4.5 * sigma + 0.01


def test_unrelated_texts_do_not_collapse_precision():
    """Guards against weak hashing (e.g. (a*x+b) mod p with small a, b)."""
    rng = random.Random(0)
    texts = [" ".join(f"t{rng.randint(0, 10**9)}" for _ in range(200)) for _ in range(200)]
    sigs = sketch_texts(texts, SketchParams()).signatures
    agreement = (sigs[:, None, :] == sigs[None, :, :]).mean(axis=2)
    np.fill_diagonal(agreement, 0)
    assert agreement.max() < 0.1


def test_case_and_whitespace_do_not_change_the_exact_hash():
    assert exact_hash("Hello   World\n") == exact_hash("hello world")
    assert exact_hash("Ｈｅｌｌｏ world") == exact_hash("hello world")  # NFKC
    assert exact_hash("hello world!") != exact_hash("hello world")


def test_cjk_is_tokenized_per_character():
    data = shingles.encode("日本語のテキスト")
    assert shingles.token_hashes(data).size == 8
    assert shingles.token_hashes(shingles.encode("hello, world")).size == 2


def test_char_mode_collapses_whitespace():
    a = shingles.token_hashes(shingles.encode("ab  c"), char_mode=True)
    b = shingles.token_hashes(shingles.encode("ab c"), char_mode=True)
    assert np.array_equal(a, b) and a.size == 4


def test_short_text_gets_one_shingle_and_empty_text_none():
    state = seed_state(1)
    tokens = shingles.token_hashes(shingles.encode("only three words"))
    assert shingles.shingle_hashes(tokens, 5, state).size == 1
    batch = sketch_texts(["", "!!!"], SketchParams())
    assert list(batch.set_counts) == [0, 0]
    assert (batch.signatures == np.uint32(0xFFFFFFFF)).all()


@pytest.mark.parametrize("compiled", [True, False])
def test_identical_texts_identical_signatures(compiled):
    batch = sketch_texts(["same words in the same order here"] * 2, SketchParams(),
                         compiled=compiled)
    assert np.array_equal(batch.signatures[0], batch.signatures[1])
