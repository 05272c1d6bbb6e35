"""Progress bars: a real tqdm bar on a terminal, a silent stand-in otherwise."""

from __future__ import annotations

import io
import sys

from nearcopy.pipeline.progress import SilentBar, progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_terminal_gives_a_silent_bar(monkeypatch):
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    with progress(desc="read") as bar:
        bar.update(5)
    assert isinstance(bar, SilentBar)


def test_quiet_gives_a_silent_bar_even_on_a_terminal(monkeypatch):
    monkeypatch.setattr(sys, "stderr", _Terminal())
    assert isinstance(progress(desc="read", enabled=False), SilentBar)


def test_terminal_gives_a_tqdm_bar_that_draws(monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with progress(total=10, desc="read") as bar:
        bar.update(10)
    assert not isinstance(bar, SilentBar)
    assert "read" in terminal.getvalue()
