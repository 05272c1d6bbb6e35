"""Helpers of the write pass."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from nearcopy.pipeline.outputs import _needed_ids

ids_strategy = st.lists(st.text(st.characters(blacklist_characters="\n",
                                              blacklist_categories=("Cs",)), max_size=8),
                        min_size=1, max_size=30)


@given(ids_strategy, st.data())
def test_needed_ids_are_the_lines_at_those_indices(tmp_path_factory, ids, data):
    path = tmp_path_factory.mktemp("ids") / "ids.txt"
    path.write_bytes(("\n".join(ids) + "\n").encode("utf-8"))
    wanted = data.draw(st.lists(st.integers(0, len(ids) - 1), max_size=40))
    got = _needed_ids(path, np.array(wanted, dtype=np.int64))
    assert got == {i: ids[i] for i in wanted}


def test_runs_of_documents_kept_as_they_are_give_the_bytes_of_one_by_one(
        invoke, tmp_path, monkeypatch):
    """The write pass hands runs of kept, unclustered documents over as blocks
    (`_in_runs`); its outputs are those of the line-by-line pass, with one and two
    workers, and with copies of indexed documents among them (--against)."""
    import random

    from nearcopy.pipeline import job, outputs
    from tests.conftest import corpus_with_copies, mutate, random_text, write_jsonl

    rng = random.Random(4)
    docs, _ = corpus_with_copies(seed=4, bases=60)
    archive = [{"id": f"old{i}", "text": random_text(rng, 150)} for i in range(4)]
    docs += [{"id": f"copy-of-old{i}", "text": mutate(rng, archive[i]["text"], 0.01)}
             for i in range(4)]
    rng.shuffle(docs)
    index = tmp_path / "archive.db"
    assert invoke("index", "build", write_jsonl(tmp_path / "a.jsonl", archive), "--index",
                  index, "--no-clean", "--quiet").exit_code == 0
    corpus = write_jsonl(tmp_path / "c.jsonl", docs)
    monkeypatch.setattr(job, "MIN_PART_DOCUMENTS", 20)  # two workers write several parts
    monkeypatch.setattr(job, "PART_BYTES", 20_000)
    monkeypatch.setattr(outputs, "READ_BYTES", 5_000)  # runs cut by reads too
    runs = []
    in_runs = outputs._in_runs

    def recording(*args):
        for line, run in in_runs(*args):
            runs.append(run)
            yield line, run

    def run_all(tag):
        outs = []
        for workers in ("1", "2"):
            out = tmp_path / f"{tag}{workers}"
            result = invoke("dedup", corpus, "--out", out, "--against", index, "--quiet",
                            "--workers", workers)
            assert result.exit_code == 0, result.output
            outs.append({name: (out / name).read_bytes() for name in
                         ("kept.jsonl", "removed.jsonl", "clusters.jsonl", "examples.jsonl")})
        return outs

    monkeypatch.setattr(outputs, "_in_runs", recording)
    fast = run_all("fast")
    assert max(runs) > 1 and 0 in runs
    monkeypatch.setattr(outputs, "_lines_of",
                        lambda files, offsets, start, end, *rest:
                        outputs._one_by_one(files.lines_between(start, end)))
    assert run_all("slow") == fast
    assert fast[0] == fast[1]
