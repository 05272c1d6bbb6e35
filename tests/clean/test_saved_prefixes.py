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
