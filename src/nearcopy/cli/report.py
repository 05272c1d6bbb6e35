"""`nearcopy report DIR` (rebuild report.html) and `nearcopy explain DIR ID` (why one document)."""

from __future__ import annotations

from pathlib import Path

import click


_DIR = click.Path(exists=True, file_okay=False, path_type=Path)


@click.command()
@click.argument("out_dir", metavar="DIR", type=_DIR)
@click.option("--open", "open_page", is_flag=True, help="Open the page in the default browser.")
def report_command(out_dir: Path, open_page: bool) -> None:
    """Write DIR/report.html again from the outputs of `run`, `dedup` or `clean` in DIR.

    \b
    One self-contained page: summary, plots, the largest clusters and borderline
    pairs side by side, the resolved configuration. Opens without network.
    Example:  nearcopy report out/ --open
    """
    from nearcopy.report import write_report  # Jinja2: imported only when needed

    path = write_report(out_dir)
    click.echo(str(path))
    if open_page:
        click.launch(str(path))


@click.command()
@click.argument("out_dir", metavar="DIR", type=_DIR)
@click.argument("doc_id", metavar="ID")
def explain_command(out_dir: Path, doc_id: str) -> None:
    """Say why document ID was removed or changed in the run that wrote DIR.

    \b
    Prints the rule or the copy it was removed for, the similarity and the
    threshold, its cluster, and the lines cleaning removed with their rules.
    Example:  nearcopy explain out/ ncd-00002
    """
    from nearcopy.report import explain

    click.echo(explain(out_dir, doc_id))
