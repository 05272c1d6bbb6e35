"""Regenerate docs/cli-reference.md from the commands' own --help.

    python docs/generate_cli_reference.py          # rewrite the file
    python docs/generate_cli_reference.py --check  # exit 1 if it is out of date (a test runs this)
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from click.testing import CliRunner

from nearcopy.cli.main import main

TARGET = Path(__file__).with_name("cli-reference.md")


def _commands(group: click.Group) -> dict[str, click.Command]:
    """The group's commands by name (the main group imports each one on request)."""
    ctx = click.Context(group)
    return {name: group.get_command(ctx, name) for name in group.list_commands(ctx)}


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, command in sorted(_commands(group).items()):
        paths.append(prefix + (name,))
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, prefix + (name,)))
    return paths


def _forget_help_options(group: click.Group) -> None:
    """click caches each command's help option on first use; a command first invoked on
    its own (as some tests do) would keep its standalone option names (no -h)."""
    for command in _commands(group).values():
        if hasattr(command, "_help_option"):
            command._help_option = None
        if isinstance(command, click.Group):
            _forget_help_options(command)


def render() -> str:
    _forget_help_options(main)
    runner = CliRunner()
    parts = ["# CLI reference", "",
             "Generated from `--help` by `python docs/generate_cli_reference.py`; "
             "do not edit by hand.", "", "## nearcopy", "", "```",
             runner.invoke(main, ["--help"], terminal_width=100).output.rstrip(), "```", ""]
    for path in command_paths(main):
        text = runner.invoke(main, [*path, "--help"], terminal_width=100).output.rstrip()
        parts += [f"## nearcopy {' '.join(path)}", "", "```", text, "```", ""]
    return "\n".join(parts)


def main_cli() -> int:
    text = render()
    if "--check" in sys.argv:
        if not TARGET.exists() or TARGET.read_text() != text:
            print("docs/cli-reference.md is out of date: run python docs/generate_cli_reference.py")
            return 1
        return 0
    TARGET.write_text(text)
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main_cli())
