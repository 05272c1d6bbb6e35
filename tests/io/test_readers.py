"""Every input format yields the same documents, fields pass through, order is stable."""

from __future__ import annotations

import gzip

import pyarrow as pa
import pyarrow.parquet as pq
import zstandard

from nearcopy.io.base import SkipCounter
from nearcopy.io.discover import discover, iter_documents
from tests.conftest import write_jsonl

RECORDS = [{"id": "a", "text": "first document", "url": "u1", "n": 1},
           {"id": "b", "text": "second document", "url": "u2", "n": 2}]


def _ids_texts(paths, **kw):
    return [(d.id, d.text, d.metadata) for d in iter_documents(paths, **kw)]


def test_jsonl_plain_gz_zst_give_the_same_documents(tmp_path):
    plain = write_jsonl(tmp_path / "x.jsonl", RECORDS)
    data = plain.read_bytes()
    (tmp_path / "x.jsonl.gz").write_bytes(gzip.compress(data))
    (tmp_path / "x.jsonl.zst").write_bytes(zstandard.ZstdCompressor().compress(data))
    expected = _ids_texts([plain])
    assert expected[0] == ("a", "first document", {"url": "u1", "n": 1})
    assert _ids_texts([tmp_path / "x.jsonl.gz"]) == expected
    assert _ids_texts([tmp_path / "x.jsonl.zst"]) == expected


def test_parquet_reads_rows_and_passes_fields(tmp_path):
    pq.write_table(pa.Table.from_pylist(RECORDS), tmp_path / "x.parquet")
    assert _ids_texts([tmp_path / "x.parquet"]) == _ids_texts([write_jsonl(tmp_path / "y.jsonl",
                                                                           RECORDS)])


def test_text_folder_ids_are_relative_paths(tmp_path):
    (tmp_path / "docs" / "sub").mkdir(parents=True)
    (tmp_path / "docs" / "one.txt").write_text("hello there")
    (tmp_path / "docs" / "sub" / "two.txt").write_text("second file")
    (tmp_path / "docs" / ".hidden.txt").write_text("ignored")
    docs = list(iter_documents([tmp_path / "docs"]))
    assert [d.id for d in docs] == ["one.txt", "sub/two.txt"]


def test_folder_of_mixed_formats_in_sorted_order(tmp_path):
    write_jsonl(tmp_path / "mix" / "b.jsonl", RECORDS)
    (tmp_path / "mix" / "a.txt").write_text("a text file")
    (tmp_path / "mix" / "notes.csv").write_text("not a corpus file")
    found = discover([tmp_path / "mix"])
    assert [f.path.name for f in found] == ["a.txt", "b.jsonl"]
    assert [d.id for d in iter_documents([tmp_path / "mix"])] == ["a.txt", "a", "b"]


def test_custom_id_and_text_fields(tmp_path):
    path = write_jsonl(tmp_path / "x.jsonl", [{"key": "k1", "body": "words here", "id": "x"}])
    docs = list(iter_documents([path], id_field="key", text_field="body"))
    assert docs[0].id == "k1" and docs[0].text == "words here"
    assert docs[0].metadata == {"id": "x"}


def test_missing_id_gets_file_and_line(tmp_path):
    path = write_jsonl(tmp_path / "x.jsonl", [{"text": "no id here"}])
    assert [d.id for d in iter_documents([path])] == ["x.jsonl:1"]


def test_skip_counter_counts_per_reason(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": "a", "text": "ok"}\n{bad\n{"id": "c"}\n')
    skips = SkipCounter()
    assert [d.id for d in iter_documents([path], skips=skips)] == ["a"]
    assert dict(skips.counts) == {"invalid_json": 1, "missing_text": 1}
