"""The compiled lid.176 predictor gives fasttext-predict's answers, to the bit."""

from __future__ import annotations

from pathlib import Path

import fasttext
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nearcopy.clean.language import bundled_model_path, model_top
from nearcopy.clean.lid_model import fnv, read_model

NEWS = Path(__file__).resolve().parents[3] / "shared" / "eval" / "news_copies" / "docs.jsonl"

# words in and out of the vocabulary, every byte that ends a word, multi-byte characters
# of several scripts (their n-grams are whole characters), labels, "</s>", long words
PIECES = ["the", "of", "and", "de", "la", "der", "und", "mln", "dlrs", "zxqv", "wpfkjhgt",
          "reuters", "said", "Home", "news", " ", "  ", "\t", "\r", "\x0b", "\x0c", "\x00",
          "\n", "é", "été", "straße", "новости", "新闻", "記事", "ニュース", "خبر", "חדשות",
          "ελλάδα", "🙂", "__label__en", "__label__xx", "__label", "</s>", "<s>", "<", ">",
          "-", ",", ".", "1987", "a" * 40, "\u00a0", "\u3000"]


@pytest.fixture(scope="module")
def reference():
    model = fasttext.load_model(bundled_model_path())

    def predict(text: str) -> tuple[str, float]:
        top = model.f.predict(text, 1, 0.0, "replace")
        return (top[0][1][len("__label__"):], float(top[0][0])) if top else ("und", 0.0)
    return predict


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_random_texts_get_fasttexts_answer(reference, pieces):
    text = "".join(pieces)
    assert model_top(text) == reference(text)
    assert model_top(text + "\n") == reference(text + "\n")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_any_text_gets_fasttexts_answer(reference, text):
    text = text.encode("utf-8", "replace").decode("utf-8")  # (what pybind11 can pass)
    assert model_top(text) == reference(text)


def test_lines_of_news_get_fasttexts_answer(reference):
    if not NEWS.exists():
        pytest.skip("../shared/eval/news_copies is not here")
    import orjson
    lines = set()
    with open(NEWS, "rb") as handle:
        for row in handle:
            for line in orjson.loads(row)["text"].split("\n"):
                lines.add(line[:100].lower() + "\n")
                if len(lines) >= 20000:
                    break
    wrong = [line for line in lines if model_top(line) != reference(line)]
    assert not wrong, wrong[:5]


def test_edge_cases():
    assert model_top("") == ("und", 0.0)  # no word, no newline: fastText predicts nothing
    english = model_top("the company said its quarterly profit rose sharply\n")
    assert english[0] == "en" and english[1] > 0.9
    assert model_top("日本語のニュース記事です\n")[0] == "ja"


def test_model_file_reads_as_fasttext_builds_it():
    with open(bundled_model_path(), "rb") as handle:
        model = read_model(handle.read())
    nwords, nlabels, minn, maxn, buckets = model.sizes
    assert (nlabels, minn, maxn, buckets) == (176, 2, 4, 2_000_000)
    assert len(model.labels) == nlabels and model.labels[0] == "__label__en"
    # every word is found in the table under its FNV hash
    words = bytes(model.words)
    mask = model.table.size - 1
    for wid in range(0, nwords, 97):
        word = words[model.offsets[wid]:model.offsets[wid + 1]]
        slot = fnv(word) & mask
        while model.table[slot] != wid:
            assert model.table[slot] >= 0
            slot = (slot + 1) & mask
    # a Huffman tree: every node but the root has one parent
    children = sorted([*model.left[nlabels:], *model.right[nlabels:]])
    assert children == list(range(2 * nlabels - 2))


def test_fnv_matches_fasttexts_signed_bytes():
    assert fnv(b"") == 2166136261
    assert fnv(b"a") == 0xE40C292C  # FNV-1a of "a"
    # a byte of 128 or more is a negative char: it XORs in 0xFFFFFF00 too
    assert fnv(b"\xc3") == ((2166136261 ^ 0xFFFFFFC3) * 16777619) & 0xFFFFFFFF


def test_a_damaged_model_file_is_a_one_line_error():
    from nearcopy.errors import NearcopyError
    with open(bundled_model_path(), "rb") as handle:
        data = handle.read()
    for broken in (data[:1000], data[:len(data) // 2], b"not a model at all"):
        with pytest.raises(NearcopyError, match="damaged|not a fastText"):
            read_model(broken, "lid.176.ftz")
