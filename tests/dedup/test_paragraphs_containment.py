"""Partial copies (containment) and paragraph-level dedup."""

from __future__ import annotations

import json
import random

import numpy as np

import nearcopy
from nearcopy.dedup.containment import contained_pairs
from nearcopy.dedup.paragraphs import ParagraphDeduper
from nearcopy.dedup.sketch import SketchParams, sketch_texts
from tests.conftest import random_text, read_jsonl, write_jsonl


def _sets(texts):
    batch = sketch_texts(texts, SketchParams())
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(batch.set_counts, out=offsets[1:])
    return batch.set_values, offsets


def test_text_inside_junk_is_contained_in_the_right_direction():
    rng = random.Random(3)
    article, junk = random_text(rng, 150), random_text(rng, 250)
    values, offsets = _sets([junk + " " + article + " " + random_text(rng, 100), article])
    small, big, score = contained_pairs(values, offsets, np.ones(2, bool), threshold=0.8)
    assert small.tolist() == [1] and big.tolist() == [0]
    assert score[0] > 0.95


def test_truncated_copy_is_contained_and_jaccard_is_low():
    rng = random.Random(4)
    full = random_text(rng, 400)
    half = " ".join(full.split()[:180])
    result = nearcopy.dedup([full, half], threshold=0.8, containment=0.8)
    assert [(r["id"], r["duplicate_of"], r["method"]) for r in result.removed] == \
        [("1", "0", "contained")]
    assert result.removed[0]["similarity"] > 0.95
    no_containment = nearcopy.dedup([full, half], threshold=0.8, containment=0.0)
    assert no_containment.removed == []


def test_different_stories_sharing_names_are_not_contained():
    rng = random.Random(5)
    names = "Mayor Elena Ruiz and council members Tom Adler and Grace Okafor said on Tuesday"
    a = names + " " + random_text(rng, 200)
    b = names + " " + random_text(rng, 120)
    values, offsets = _sets([a, b])
    small, _, _ = contained_pairs(values, offsets, np.ones(2, bool), threshold=0.5)
    assert small.size == 0


def test_aggregator_page_does_not_chain_stories_through_two_containers():
    rng = random.Random(6)
    story = random_text(rng, 150)
    page_1 = story + " " + random_text(rng, 40)
    page_2 = story + " " + random_text(rng, 60)
    values, offsets = _sets([page_1, page_2, story])
    small, big, _ = contained_pairs(values, offsets, np.ones(3, bool), threshold=0.8)
    # the story keeps one container only: the one holding the largest share, then the larger
    assert small.tolist().count(2) == 1


def test_paragraph_deduper_keeps_first_occurrence():
    para = "A shared paragraph that is long enough to count as a paragraph for the rule here."
    deduper = ParagraphDeduper(min_chars=50)
    first, removed = deduper.strip(f"intro one\n{para}\nend one")
    assert first == f"intro one\n{para}\nend one" and removed == []
    second, removed = deduper.strip(f"intro two\n{para.upper()}\nend two")
    assert second == "intro two\nend two"
    assert removed == [{"line": 1, "text": para.upper(), "rule": "duplicate_paragraph"}]
    assert deduper.stats()["paragraphs_removed"] == 1


def test_dedup_paragraphs_flag_in_a_run(invoke, tmp_path):
    rng = random.Random(8)
    shared = random_text(rng, 40)
    docs = [{"id": "a", "text": random_text(rng, 100) + "\n" + shared},
            {"id": "b", "text": random_text(rng, 100) + "\n" + shared}]
    corpus = write_jsonl(tmp_path / "c.jsonl", docs)
    result = invoke("dedup", corpus, "--out", tmp_path / "o", "--dedup-paragraphs", "--quiet")
    assert result.exit_code == 0, result.output
    kept = {r["id"]: r for r in read_jsonl(tmp_path / "o" / "kept.jsonl")}
    assert shared in kept["a"]["text"] and shared not in kept["b"]["text"]
    assert kept["b"]["removed_lines"][0]["rule"] == "duplicate_paragraph"
    stats = json.loads((tmp_path / "o" / "stats.json").read_text())
    assert stats["paragraph_dedup"]["paragraphs_removed"] == 1
