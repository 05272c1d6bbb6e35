"""The `nearcopy` command: a group of small commands over the library.

Errors that nearcopy raises on purpose become one line on stderr and exit code 1
(usage errors exit 2); `--debug` shows the traceback instead.
"""

from __future__ import annotations

import logging
import sys

import click

from nearcopy import __version__
from nearcopy.errors import NearcopyError


class NearcopyGroup(click.Group):
    """Maps NearcopyError (and a few OS errors) to a one-line message."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except NearcopyError as exc:
            if ctx.meta.get("nearcopy.debug"):
                raise
            click.echo(f"nearcopy: error: {exc}", err=True)
            ctx.exit(1)
        except (OSError, MemoryError) as exc:
            if ctx.meta.get("nearcopy.debug"):
                raise
            click.echo(f"nearcopy: error: {exc}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("nearcopy: interrupted; finished outputs were kept, none half-written",
                       err=True)
            ctx.exit(130)


@click.group(cls=NearcopyGroup, context_settings={"help_option_names": ["-h", "--help"],
                                                   "max_content_width": 100})
@click.version_option(__version__, prog_name="nearcopy")
@click.option("--debug", is_flag=True, help="Show full tracebacks and debug logging.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Find exact, near and partial copies in large text collections, and clean them up.

    \b
    Typical session:
      nearcopy run data/*.jsonl --out out/     # clean, then find copies
      open out/report.html                     # what was removed, and why
      nearcopy explain out/ DOC_ID             # why one document was removed

    Inputs: .jsonl(.gz/.zst), .parquet, .warc(.gz), .html and folders of .txt files.
    """
    ctx.meta["nearcopy.debug"] = debug
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING,
                        format="nearcopy: %(levelname)s: %(message)s", stream=sys.stderr)


def _register() -> None:
    from nearcopy.cli.dedup import dedup_command, run_command

    from nearcopy.cli.compare import compare_command
    from nearcopy.cli.index import index_group, serve_command
    from nearcopy.cli.report import explain_command, report_command
    from nearcopy.cli.spans import spans_command

    main.add_command(run_command, "run")
    main.add_command(dedup_command, "dedup")
    main.add_command(report_command, "report")
    main.add_command(explain_command, "explain")
    main.add_command(spans_command, "spans")
    main.add_command(compare_command, "compare")
    main.add_command(index_group, "index")
    main.add_command(serve_command, "serve")
    try:
        from nearcopy.cli.clean import clean_command
    except ImportError:  # pragma: no cover - during development of the cleaning stage
        return
    main.add_command(clean_command, "clean")


_register()

if __name__ == "__main__":  # pragma: no cover
    main()
