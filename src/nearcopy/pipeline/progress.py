"""Progress bars on stderr (tqdm) that stay quiet when asked to or when stderr is no terminal."""

from __future__ import annotations

import sys


class SilentBar:
    """What a bar offers the pipeline (`with`, `update`, `close`), doing nothing: without a
    terminal tqdm is not even imported (25 ms of every job's start-up, issue #4)."""

    def __enter__(self) -> SilentBar:
        return self

    def __exit__(self, *exc) -> None:
        return None

    def update(self, n: float = 1) -> None:
        return None

    def close(self) -> None:
        return None


def progress(total=None, desc: str = "", unit: str = "doc", enabled: bool = True):
    """A tqdm bar on a terminal; a silent bar otherwise."""
    if not (enabled and sys.stderr.isatty()):
        return SilentBar()
    from tqdm import tqdm

    tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked
    return tqdm(total=total, desc=desc, unit=unit, unit_scale=True, file=sys.stderr,
                leave=False, dynamic_ncols=True)
