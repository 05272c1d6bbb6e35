"""Index insert/query/remove/merge/save/open, idempotency, and the batch-mode helpers."""

from __future__ import annotations

import numpy as np
import pytest

from nearcopy.config import DedupConfig
from nearcopy.dedup.sketch import sketch_texts
from nearcopy.document import Document
from nearcopy.errors import ConfigError
from nearcopy.index import Index
from nearcopy.index.index import STATUS_ADDED, STATUS_CONFLICT, STATUS_DROPPED, STATUS_EXISTS


def test_query_finds_exact_and_near_copies(index, texts, near_copy):
    exact = index.query("  " + texts[3].upper() + "\n")
    assert [(m.id, m.similarity, m.method) for m in exact] == [("d3", 1.0, "exact")]
    near = index.query(near_copy)
    assert [m.id for m in near] == ["d5"] and near[0].method == "near"
    assert 0.7 < near[0].similarity < 1.0
    assert index.query("completely unrelated words " * 20) == []
    assert len(index) == 30  # queries add nothing


def test_insert_reports_copies_before_adding(index, texts, near_copy):
    results = index.insert([Document("n1", near_copy), Document("n2", near_copy)])
    assert [r.status for r in results] == [STATUS_ADDED, STATUS_ADDED]
    assert [m.id for m in results[0].copies] == ["d5"]
    # the second sees the first of the same batch: exact copy first, then the near one
    assert [(m.id, m.method) for m in results[1].copies] == [("n1", "exact"), ("d5", "near")]
    assert len(index) == 32


def test_insert_is_idempotent_by_id(index, texts):
    again = index.insert([Document("d4", texts[4])])[0]
    assert again.status == STATUS_EXISTS and len(index) == 30
    other = index.insert([Document("d4", texts[6])])[0]
    assert other.status == STATUS_CONFLICT
    assert index.query(texts[6])[0].id == "d6"  # the stored d4 was not replaced
    assert index.get("d4").content_hash != 0


def test_remove_and_get(index, texts):
    assert index.get("d2").length == len(texts[2])
    assert index.remove("d2") is True
    assert index.remove("d2") is False
    assert index.get("d2") is None
    assert index.query(texts[2]) == []


def test_reopen_keeps_documents_and_settings(tmp_path, texts):
    path = tmp_path / "i.db"
    config = DedupConfig(threshold=0.8, ngram=3)
    with Index.create(path, config, cleaning="none") as idx:
        idx.insert([Document("a", texts[0])])
        idx.save()
    with Index.open(path) as idx:
        assert (idx.config.threshold, idx.config.ngram) == (0.8, 3)
        assert [m.id for m in idx.query(texts[0])] == ["a"]


def test_merge_copies_new_ids_only(tmp_path, index, texts):
    with Index.create(tmp_path / "other.db", DedupConfig(), cleaning="none") as other:
        other.insert([Document("d0", texts[0]), Document("x", "word " * 80 + texts[1])])
        assert index.merge(other) == 1
    assert len(index) == 31 and index.get("x") is not None


def test_merge_refuses_other_settings(tmp_path, index):
    with Index.create(tmp_path / "o.db", DedupConfig(ngram=3), cleaning="none") as other:
        with pytest.raises(ConfigError, match="ngram=3"):
            index.merge(other)


def test_cleaning_drops_like_run(tmp_path):
    with Index.create(tmp_path / "c.db", cleaning="clean") as idx:
        result = idx.insert([Document("short", "hello world")])[0]
    assert result.status == STATUS_DROPPED and result.dropped["rule"]


def test_match_sketches_for_run_against(index, texts, near_copy):
    batch = sketch_texts([near_copy, "nothing like it " * 30, texts[9]], index.config.sketch)
    found = index.match_sketches(batch)
    assert [[m.id for m in ms] for ms in found] == [["d5"], [], ["d9"]]
    index.require_compatible(DedupConfig())
    with pytest.raises(ConfigError, match="num_perm"):
        index.require_compatible(DedupConfig(num_perm=64))


def test_signature_verify_mode(tmp_path, texts, near_copy):
    with Index.create(tmp_path / "s.db", DedupConfig(verify="signature"),
                      cleaning="none") as idx:
        idx.insert([Document(f"d{i}", t) for i, t in enumerate(texts)])
        assert [m.id for m in idx.query(near_copy)] == ["d5"]


def test_band_keys_stored_per_band(index):
    with index.storage.reading() as session:
        rows = session.conn.execute("SELECT count(*) FROM bands").fetchone()[0]
    assert rows == 30 * index.config.num_bands
    assert np.all(index.get("d0").signature.shape == (index.config.num_perm,))


def test_band_key_matrix_equals_lsh_band_keys():
    from nearcopy.dedup import lsh
    from nearcopy.index.matching import band_key_matrix
    sigs = np.random.default_rng(0).integers(0, 2**32, size=(7, 128), dtype=np.uint32)
    matrix = band_key_matrix(sigs, 34, 3)
    expected = np.stack([lsh.band_keys(sigs, band, 3) for band in range(34)], axis=1)
    assert matrix.dtype == np.uint64 and np.array_equal(matrix, expected)
    assert band_key_matrix(sigs[:0], 34, 3).shape == (0, 34)
