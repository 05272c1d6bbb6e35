"""Render the page model with Jinja2 and write `report.html` atomically (old or new, never half)."""

from __future__ import annotations

import os
from pathlib import Path

from jinja2 import (Environment, FileSystemBytecodeCache, PackageLoader, StrictUndefined,
                    select_autoescape)

from nearcopy.errors import NearcopyError
from nearcopy.io.base import atomic_write
from nearcopy.native.aot import cache_dir
from nearcopy.report.page import build_page

REPORT_NAME = "report.html"


def _environment() -> Environment:
    """Jinja2 environment of the report templates. Their compiled code is cached on disk
    (checked against the template source on load): compiling them took 0.1 s of every
    job (issue #4)."""
    return Environment(loader=PackageLoader("nearcopy.report", "templates"),
                       autoescape=select_autoescape(["html", "j2"]),
                       bytecode_cache=_bytecode_cache(),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """The templates' compiled code beside the compiled kernels; None where it can't be
    written (then they are compiled each time, as before)."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return FileSystemBytecodeCache(str(folder)) if os.access(folder, os.W_OK) else None


def render_report(out_dir: str | os.PathLike) -> str:
    """The report page of `out_dir` as an HTML string.

    Example:
        >>> html = render_report("out/")  # doctest: +SKIP
        >>> "<svg" in html
        True
    """
    from nearcopy import __version__

    folder = Path(out_dir)
    if not folder.is_dir():
        raise NearcopyError(f"{folder} is not a folder; give the --out DIR of a nearcopy run")
    template = _environment().get_template("report.html.j2")
    page = build_page(folder)
    return template.render(page=page, s=page.summary, version=__version__)


def write_report(out_dir: str | os.PathLike) -> Path:
    """Write `out_dir/report.html` (under a temporary name, then renamed) and return its path.

    Example:
        >>> write_report("out/")  # doctest: +SKIP
        PosixPath('out/report.html')
    """
    html = render_report(out_dir)
    target = Path(out_dir) / REPORT_NAME
    with atomic_write(target) as handle:
        handle.write(html.encode("utf-8"))
    return target
