"""Candidates from spilled sketches (pipeline/spilled.py) equal those from arrays in memory."""

from __future__ import annotations

import random

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nearcopy.dedup import containment, decide, lsh
from nearcopy.dedup.sketch import SketchParams, sketch_texts
from nearcopy.executors.local import LocalExecutor
from nearcopy.pipeline import spilled
from nearcopy.pipeline.spool import SketchStore, Spool

PARAMS = SketchParams(num_perm=64)
SAMPLE_MOD = 4


def _corpus(seed: int = 0, families: int = 60) -> list[str]:
    """Families of texts: an original, near copies, a half copy, plus empty texts."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(400)]
    texts = []
    for _ in range(families):
        base = [rng.choice(words) for _ in range(rng.randint(30, 120))]
        texts.append(" ".join(base))
        for _ in range(rng.randint(0, 3)):
            copy = list(base)
            for _ in range(rng.randint(0, 8)):
                copy[rng.randrange(len(copy))] = rng.choice(words)
            texts.append(" ".join(copy))
        if rng.random() < 0.3:
            texts.append(" ".join(base[: len(base) // 2] + [rng.choice(words) for _ in range(9)]))
        if rng.random() < 0.1:
            texts.append("")
    return texts


def _spill(folder, texts, batch=37) -> spilled.SpilledSketches:
    folder.mkdir()
    store = SketchStore(folder, PARAMS.num_perm)
    for i in range(0, len(texts), batch):
        store.append(sketch_texts(texts[i:i + batch], PARAMS, keep_sets=False,
                                  sample_mod=SAMPLE_MOD))
    return store.finish(samples=True)


def _in_memory(sk: spilled.SpilledSketches) -> decide.Sketches:
    return decide.Sketches(np.array(sk.exact_hashes), np.array(sk.lengths),
                           np.array(sk.signatures), np.array(sk.sample_values),
                           np.array(sk.sample_counts))


@pytest.mark.parametrize("small_parts", [False, True])
@pytest.mark.parametrize("workers", [1, 2])
def test_spilled_candidates_equal_in_memory_ones(tmp_path, monkeypatch, small_parts, workers):
    if small_parts:  # many chunks and posting partitions, even on this small corpus
        monkeypatch.setattr(spilled, "CHUNK_ROWS", 7)
        monkeypatch.setattr(spilled, "CHUNK_VALUES", 50)
        monkeypatch.setattr(spilled, "PART_KEYS", 100)
    sk = _spill(tmp_path / "sk", _corpus())
    assert isinstance(sk.signatures, np.memmap)
    memory = _in_memory(sk)
    active = (memory.signatures[:, 0] != decide.EMPTY_SIGNATURE) & (np.arange(len(sk)) % 5 != 3)
    assert np.array_equal(sk.nonempty, memory.signatures[:, 0] != decide.EMPTY_SIGNATURE)
    expected = decide._candidates(memory, active, 16, 4, 8, True, 2)
    with LocalExecutor(workers) as executor:
        finder = spilled.SpilledCandidates(tmp_path / "cand", executor, parallel=workers > 1)
        got = finder(sk, active, 16, 4, 8, True, 2)
    assert expected[0].size > 0 and expected[2].size > 0  # the corpus has both kinds
    for want, have in zip(expected, got):
        assert np.array_equal(want, have)
    assert not (tmp_path / "cand").exists()  # its files are removed


def test_find_copies_gives_the_same_decisions_spilled_or_not(tmp_path):
    sk = _spill(tmp_path / "sk", _corpus(seed=3))
    with LocalExecutor(1) as executor:
        finder = spilled.SpilledCandidates(tmp_path / "cand", executor, parallel=False)
        a = decide.find_copies(sk, None, threshold=0.5, num_bands=16, rows=4,
                               candidates=finder)
    b = decide.find_copies(_in_memory(sk), None, threshold=0.5, num_bands=16, rows=4)
    for name in ("labels", "representative", "method", "similarity", "pair_left", "pair_right"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_too_many_bands_for_the_signature_is_a_config_error(tmp_path):
    sk = _spill(tmp_path / "sk", _corpus(families=3))
    finder = spilled.SpilledCandidates(tmp_path / "cand", LocalExecutor(1), parallel=False)
    with pytest.raises(Exception, match="exceeds num_perm"):
        finder(sk, np.ones(len(sk), dtype=bool), 20, 4, 8, False, 2)


def test_an_empty_corpus_spills_and_finds_nothing(tmp_path):
    sk = SketchStore(tmp_path, PARAMS.num_perm).finish(samples=True)
    finder = spilled.SpilledCandidates(tmp_path / "cand", LocalExecutor(1), parallel=False)
    got = finder(sk, np.zeros(0, dtype=bool), 16, 4, 8, True, 2)
    assert all(part.size == 0 for part in got)


sorted_distinct = st.lists(st.integers(0, 2**64 - 1), max_size=60).map(
    lambda xs: np.unique(np.array(xs, dtype=np.uint64)))


@settings(max_examples=200, deadline=None)
@given(sorted_distinct, sorted_distinct)
def test_merge_pairs_is_the_sorted_union(a, b):
    assert np.array_equal(lsh.merge_pairs(a, b), np.union1d(a, b))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 4)), max_size=40),
       st.lists(st.tuples(st.integers(0, 30), st.integers(1, 4)), max_size=40))
def test_merged_counts_are_summed(a, b):
    def part(items):
        d = {}
        for k, c in items:
            d[k] = d.get(k, 0) + c
        keys = sorted(d)
        return np.array(keys, dtype=np.uint64), np.array([d[k] for k in keys], dtype=np.int64)
    (pa, ca), (pb, cb) = part(a), part(b)
    pairs, counts = containment._merge_counted(pa, ca, pb, cb)
    want = part(a + b)
    assert np.array_equal(pairs, want[0]) and np.array_equal(counts, want[1])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), max_size=80), st.integers(0, 6))
def test_partition_keys_groups_by_top_bits_stably(keys, bits):
    keys = np.array(keys, dtype=np.uint64)
    out = np.empty_like(keys)
    bounds = containment.partition_keys(keys, out, bits)
    assert bounds[0] == 0 and bounds[-1] == keys.size
    for p in range(1 << bits):
        group = keys[(keys >> np.uint64(64 - bits)) == p] if bits else keys
        assert np.array_equal(out[bounds[p]:bounds[p + 1]], group)


def test_patching_rows_rewrites_their_signatures_and_samples(tmp_path):
    texts = _corpus(seed=5, families=10)
    rows = np.array([0, 3, 4, len(texts) - 1])
    changed = list(texts)
    for row in rows:
        changed[row] = f"replaced text {row} " * (3 + row % 4)
    changed[4] = ""  # now empty: its signature and samples go
    sk = _spill(tmp_path / "a", texts)
    batch = sketch_texts([changed[r] for r in rows], PARAMS, keep_sets=False,
                         sample_mod=SAMPLE_MOD)
    sk.patch(rows, [batch])
    want = _spill(tmp_path / "b", changed)
    for name in ("exact_hashes", "lengths", "signatures", "sample_values", "sample_counts",
                 "nonempty"):
        assert np.array_equal(np.asarray(getattr(sk, name)), np.asarray(getattr(want, name))), name
    assert (tmp_path / "a" / "samples.u32").read_bytes() == \
        (tmp_path / "b" / "samples.u32").read_bytes()


def test_spool_lines_at_offsets_in_any_order_over_many_files(tmp_path):
    """Records appended by this process and part files adopted whole, read back by global
    offset in any order (one file open at a time)."""
    spool = Spool(tmp_path / "spool.jsonl")
    offsets, records = [], []
    for k in range(30):
        if k % 3:
            recs = [{"id": f"p{k}-{i}", "text": "x" * (k + i)} for i in range(k % 5 + 1)]
            part = tmp_path / f"part{k}"
            lines = [orjson.dumps(r) + b"\n" for r in recs]
            part.write_bytes(b"".join(lines))
            start = spool.append_file(part, len(recs))
            for line, rec in zip(lines, recs):
                offsets.append(start)
                records.append(rec)
                start += len(line)
        else:
            rec = {"id": f"own{k}", "text": "own"}
            offsets.append(spool.append(rec))
            records.append(rec)
    spool.close()
    order = list(range(len(offsets)))
    random.Random(1).shuffle(order)
    assert spool.read_at(np.array([offsets[i] for i in order])) == [records[i] for i in order]
    assert [orjson.loads(line) for line in spool.raw_lines()] == records
    files = spool.files()
    middle = offsets[len(offsets) // 2]
    assert [orjson.loads(line) for line in files.lines_between(middle, files.size)] == \
        records[len(offsets) // 2:]


def test_spool_reads_borrowed_input_ranges_and_notices_a_changed_input(tmp_path):
    """A part can be a byte range of an input file: reads stop at the part's end (not the
    file's), and a changed input is a clear error, not wrong records."""
    from nearcopy.errors import InputFormatError

    lines = [orjson.dumps({"id": f"d{i}", "text": "t" * i}) + b"\n" for i in range(10)]
    source = tmp_path / "input.jsonl"
    source.write_bytes(b"".join(lines))
    cut = [0, *np.cumsum([len(line) for line in lines]).tolist()]
    spool = Spool(tmp_path / "spool.jsonl")
    first = spool.append_file(source, 3, start=cut[2], end=cut[5], borrowed=True)
    own = spool.append({"id": "own", "text": "own"})
    last = spool.append_file(source, 2, start=cut[7], end=cut[9], borrowed=True)
    want = [*lines[2:5], orjson.dumps({"id": "own", "text": "own"}) + b"\n", *lines[7:9]]
    assert list(spool.raw_lines()) == want
    files = spool.files()
    assert list(files.lines_between(first + len(lines[2]), own)) == lines[3:5]
    assert files.lines_at([last + len(lines[7]), first, own]) == [lines[8], lines[2], want[3]]
    spool.close()
    source.write_bytes(b"".join(lines) + lines[0])  # the input grows while the job runs
    with pytest.raises(InputFormatError, match="input changed"):
        spool.files()
