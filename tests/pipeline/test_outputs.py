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
