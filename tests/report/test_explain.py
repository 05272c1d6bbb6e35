"""`nearcopy explain DIR ID`: which rule, which copy, what similarity; clear error otherwise."""

from __future__ import annotations

import orjson
import pytest

from nearcopy.report import UnknownDocumentError, explain
from tests.report.corpus import THRESHOLD, invoke


def _records(path):
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_near_copy(outputs):
    record = next(r for r in _records(outputs["run"] / "removed.jsonl") if r["method"] == "near")
    result = invoke("explain", outputs["run"], record["id"])
    assert result.exit_code == 0
    text = result.output
    assert text.startswith(f"{record['id']}: removed, near copy of {record['duplicate_of']}")
    assert f"{record['similarity']:.3f} Jaccard" in text and f"threshold {THRESHOLD}" in text
    assert f"cluster:     {record['cluster_id']}" in text


def test_removed_lines_listed_with_rules(outputs):
    text = explain(outputs["run"], "story1-near")
    assert "[ad_placeholder]  [ad_1]" in text and "[share_line]  Share this article" in text


def test_filtered_document(outputs):
    text = explain(outputs["run"], "tiny")
    assert text.startswith("tiny: removed by cleaning rule gopher_word_count")


def test_dropped_by_clean(outputs):
    text = explain(outputs["clean"], "tiny")
    assert text.startswith("tiny: removed by cleaning rule gopher_word_count")
    assert "value:" in text


def test_kept_representative(outputs):
    cluster = _records(outputs["dedup"] / "clusters.jsonl")[0]
    rep = cluster["representative"]
    text = explain(outputs["dedup"], rep)
    assert text.startswith(f"{rep}: kept, as the representative of cluster "
                           f"{cluster['cluster_id']} ({cluster['size']} documents")
    assert all(member in text for member in cluster["members"])


def test_kept_unique(outputs):
    assert explain(outputs["dedup"], "single0") == "single0: kept; no copy of it was found"


def test_unknown_id_is_one_line_error(outputs):
    result = invoke("explain", outputs["run"], "no-such-doc")
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert "no document with id 'no-such-doc'" in result.stderr
    with pytest.raises(UnknownDocumentError):
        explain(outputs["run"], "no-such-doc")


def test_folder_without_outputs(tmp_path):
    result = invoke("explain", tmp_path, "x")
    assert result.exit_code == 1 and "has no kept/removed/dropped outputs" in result.stderr
