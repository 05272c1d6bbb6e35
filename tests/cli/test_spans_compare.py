"""`nearcopy spans` and `nearcopy compare`: outputs, removal, figures and direction."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from nearcopy.cli.compare import compare_command
from nearcopy.cli.spans import spans_command
from nearcopy.errors import ConfigError, InputFormatError
from tests.conftest import WORDS, read_jsonl, write_jsonl

VOCAB = WORDS


def prose(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(VOCAB) + str(rng.randint(0, 999)) for _ in range(count))


@pytest.fixture
def span_corpus(tmp_path):
    rng = random.Random(7)
    shared = prose(rng, 60)
    records = [{"id": "first", "text": prose(rng, 20) + " " + shared, "src": "x"},
               {"id": "second", "text": "Lead. " + shared + " Tail " + prose(rng, 10)},
               {"id": "other", "text": prose(rng, 90)},
               {"id": "twice", "text": shared + "\n\n" + shared}]
    return write_jsonl(tmp_path / "c.jsonl", records), shared


def test_spans_writes_spans_and_stats(span_corpus, tmp_path):
    corpus, shared = span_corpus
    out = tmp_path / "out"
    result = CliRunner().invoke(spans_command, [str(corpus), "--out", str(out), "--min-span", "50"])
    assert result.exit_code == 0, result.output
    assert "1 repeated spans of >= 50 tokens" in result.output
    (span,) = read_jsonl(out / "spans.jsonl")
    assert span["tokens"] == 60 and span["text"] == shared and span["documents"] == 3
    assert [o["id"] for o in span["occurrences"]] == ["first", "second", "twice", "twice"]
    second = span["occurrences"][1]
    assert (second["char_start"], second["char_end"]) == (6, 6 + len(shared))
    stats = json.loads((out / "stats.json").read_text())
    assert stats["documents"] == 4 and stats["spans"] == 1 and stats["repeated_tokens"] == 180
    assert set(stats["stages"]) == {"tokenize", "suffix_arrays", "locate"}
    assert not (out / "kept.jsonl").exists()


def test_spans_remove_keeps_first_occurrence(span_corpus, tmp_path):
    corpus, shared = span_corpus
    out = tmp_path / "out"
    result = CliRunner().invoke(spans_command, [str(corpus), "--out", str(out), "--remove", "-q"])
    assert result.exit_code == 0, result.output
    kept = {r["id"]: r for r in read_jsonl(out / "kept.jsonl")}
    assert shared in kept["first"]["text"] and kept["first"]["removed_spans"] == []
    assert kept["first"]["src"] == "x"
    assert kept["second"]["text"].startswith("Lead.  Tail ")
    assert kept["second"]["removed_spans"] == [[6, 6 + len(shared)]]
    assert kept["twice"]["text"] == "" and kept["other"]["removed_spans"] == []
    assert json.loads((out / "stats.json").read_text())["documents_changed"] == 2


def test_spans_sharded_cli_equals_unsharded(tmp_path):
    rng = random.Random(3)
    passages = [prose(rng, 80) for _ in range(5)]
    records = [{"id": str(i), "text": prose(rng, 300) + " " + rng.choice(passages)}
               for i in range(120)]
    corpus = write_jsonl(tmp_path / "c.jsonl", records)
    outputs = []
    for shard_mb, name in ((1024, "one"), (1, "many")):
        result = CliRunner().invoke(spans_command, [str(corpus), "--out", str(tmp_path / name),
                                                    "--shard-mb", str(shard_mb), "-q"])
        assert result.exit_code == 0, result.output
        outputs.append((tmp_path / name / "spans.jsonl").read_text())
    assert json.loads((tmp_path / "many" / "stats.json").read_text())["shards"] > 1
    assert outputs[0] == outputs[1] and outputs[0].count("\n") == 5


def test_spans_bad_input_is_an_error(tmp_path):
    result = CliRunner().invoke(spans_command, [str(tmp_path / "nope.jsonl"), "--out",
                                                str(tmp_path / "o")])
    assert isinstance(result.exception, InputFormatError)
    assert CliRunner().invoke(spans_command, ["x", "--out", "o", "--min-span", "1"]).exit_code == 2


ARTICLE = ("The city council voted on Tuesday to rebuild the old harbour bridge after engineers "
           "found cracks in two of its steel supports. The work will cost 14 million and close "
           "the crossing for most of next year, the mayor said.\n"
           "Ferry operators have agreed to run extra boats during the closure, and buses will "
           "be rerouted through the northern tunnel at no cost to passengers.\n"
           "Local shop owners on the waterfront warned that the closure could cut their trade "
           "by half, and asked the council for help with rents while the bridge is shut.\n"
           "The council said a support fund would be discussed at its next meeting in May, "
           "when the final timetable for the works is also expected to be published.")


def compare(tmp_path, text_a, text_b, *extra):
    (tmp_path / "a.txt").write_text(text_a, encoding="utf-8")
    (tmp_path / "b.txt").write_text(text_b, encoding="utf-8")
    result = CliRunner().invoke(compare_command, [str(tmp_path / "a.txt"),
                                                  str(tmp_path / "b.txt"), "--json", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_text_inside_junk(tmp_path):
    rng = random.Random(1)
    junk_before, junk_after = prose(rng, 120), prose(rng, 120)
    result = compare(tmp_path, ARTICLE, junk_before + "\n" + ARTICLE + "\n" + junk_after)
    f = result["figures"]
    assert f["containment_a_in_b"] == 1.0            # all of A stands in B
    assert 0.25 < f["containment_b_in_a"] < 0.45     # B is mostly junk
    assert f["jaccard"] == pytest.approx(f["containment_b_in_a"])
    assert len(result["shared_paragraphs"]) == 4
    assert result["shared_spans"][0]["tokens"] == len(ARTICLE.replace(".", " ").split())


def test_truncated_copy(tmp_path):
    half = ARTICLE[:ARTICLE.index("Local shop")]
    f = compare(tmp_path, half, ARTICLE)["figures"]
    assert f["containment_a_in_b"] == 1.0
    assert 0.4 < f["containment_b_in_a"] < 0.6
    reverse = compare(tmp_path, ARTICLE, half)["figures"]  # direction follows the arguments
    assert reverse["containment_b_in_a"] == 1.0
    assert reverse["containment_a_in_b"] == pytest.approx(f["containment_b_in_a"])


def test_repeated_paragraphs(tmp_path):
    paragraphs = ARTICLE.split("\n")
    other = ("Weather: rain is expected across the region all weekend long.\n" + paragraphs[1]
             + "\nIn other news the library reopens on Monday with longer hours.\n"
             + paragraphs[2])
    result = compare(tmp_path, ARTICLE, other)
    shared = result["shared_paragraphs"]
    assert [(p["line_a"], p["line_b"]) for p in shared] == [(2, 2), (3, 4)]
    f = result["figures"]
    assert 0.35 < f["containment_a_in_b"] < 0.6 and 0.6 < f["containment_b_in_a"] < 0.85
    assert [s["tokens"] for s in result["shared_spans"][:2]] == [
        len(paragraphs[2].replace(",", " ").replace(".", " ").split()),
        len(paragraphs[1].replace(",", " ").replace(".", " ").split())]


def test_same_names_different_event_is_not_a_copy(tmp_path):
    a = ("Mayor Anna Berg of Springfield opened the new public library on Saturday. Berg told "
         "a crowd of families that the Springfield library would stay open late on weekdays "
         "and offer free courses for adults who want to learn computer skills.")
    b = ("Springfield mayor Anna Berg faced questions about the water budget on Monday, as "
         "residents complained about rising bills. Berg promised an audit of the Springfield "
         "utility and said new meters would be installed before the winter.")
    result = compare(tmp_path, a, b)
    f = result["figures"]
    assert f["jaccard"] < 0.05
    assert f["containment_a_in_b"] < 0.1 and f["containment_b_in_a"] < 0.1
    assert result["shared_paragraphs"] == [] and result["shared_spans"] == []


def test_compare_ids_in_corpus_and_terminal_output(tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl", [
        {"id": "x", "text": ARTICLE}, {"id": "y", "text": "Note.\n" + ARTICLE}])
    result = CliRunner().invoke(compare_command, ["x", "y", "--corpus", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "C(A in B)   1.000" in result.output
    assert "Shared paragraphs: 4" in result.output
    assert "words  A[0:" in result.output


def test_compare_errors(tmp_path):
    corpus = write_jsonl(tmp_path / "c.jsonl", [{"id": "x", "text": "some text"}])
    result = CliRunner().invoke(compare_command, ["x", "missing", "--corpus", str(corpus)])
    assert isinstance(result.exception, InputFormatError)
    assert "no file or document id 'missing'" in str(result.exception)
    result = CliRunner().invoke(compare_command, [str(tmp_path / "none.txt"), "x"])
    assert isinstance(result.exception, ConfigError)
    assert "--corpus" in str(result.exception)
