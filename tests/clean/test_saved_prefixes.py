"""The line gate's prefix sets, kept on disk between runs, equal the ones built afresh."""

from __future__ import annotations

from nearcopy.clean import CleanConfig, Cleaner
from nearcopy.clean.line_gate import saved_start_prefixes, start_prefixes


def test_saved_prefixes_equal_built_ones(tmp_path, monkeypatch):
    monkeypatch.setenv("NEARCOPY_CACHE_DIR", str(tmp_path))
    gate = Cleaner(CleanConfig())._gate
    assert gate is not None and gate.start is not None
    pattern = gate.start.pattern
    built = start_prefixes(pattern)
    assert saved_start_prefixes(pattern) == built  # computed and stored
    assert list(tmp_path.glob("start-prefixes-*.pickle"))
    assert saved_start_prefixes(pattern) == built  # read back
    assert saved_start_prefixes(r"(?i)home\s*>") == start_prefixes(r"(?i)home\s*>")


def test_saved_scan_tables_are_built_again_when_the_function_words_change(tmp_path, monkeypatch):
    """The scan tables hold the function words' counts, so stopwords.py is part of their key."""
    from pathlib import Path

    import numpy as np

    from nearcopy.clean import line_gate, stopwords

    monkeypatch.setenv("NEARCOPY_CACHE_DIR", str(tmp_path))
    args = (":|", (), ("javascript",), (), None)
    first = line_gate.saved_tables(*args)
    assert np.array_equal(first, line_gate.saved_tables(*args))
    assert len(list(tmp_path.glob("scan-tables-*.pickle"))) == 1
    edited = tmp_path / "stopwords.py"
    edited.write_bytes(Path(stopwords.__file__).read_bytes() + b"\n# another word list\n")
    monkeypatch.setattr(stopwords, "__file__", str(edited))
    line_gate.saved_tables(*args)
    assert len(list(tmp_path.glob("scan-tables-*.pickle"))) == 2
