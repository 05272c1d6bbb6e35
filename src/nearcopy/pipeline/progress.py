"""Progress bars on stderr (tqdm) that stay quiet when asked to or when stderr is no terminal."""

from __future__ import annotations

import sys

from tqdm import tqdm

tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked


def progress(total=None, desc: str = "", unit: str = "doc", enabled: bool = True):
    """A tqdm bar on a terminal; a disabled (silent) bar otherwise."""
    show = enabled and sys.stderr.isatty()
    return tqdm(total=total, desc=desc, unit=unit, unit_scale=True, disable=not show,
                file=sys.stderr, leave=False, dynamic_ncols=True)
