"""Documentation stays in step with the code: every command and config key is documented."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

from nearcopy.config import DedupConfig, InputConfig, RunConfig

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _generator():
    spec = importlib.util.spec_from_file_location("gen", DOCS / "generate_cli_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_up_to_date():
    gen = _generator()
    assert (DOCS / "cli-reference.md").read_text() == gen.render(), \
        "run: python docs/generate_cli_reference.py"


def test_every_command_is_documented():
    gen = _generator()
    reference = (DOCS / "cli-reference.md").read_text()
    for path in gen.command_paths(gen.main):
        assert f"## nearcopy {' '.join(path)}" in reference


def test_every_config_key_is_documented():
    text = (DOCS / "config.md").read_text()
    for cls in (RunConfig, DedupConfig, InputConfig):
        for field in dataclasses.fields(cls):
            if field.name in ("dedup", "input"):
                continue
            assert f"`{field.name}`" in text, f"{cls.__name__}.{field.name} missing in docs/config.md"


def test_every_cleaning_rule_is_documented():
    from nearcopy.clean import list_rules

    text = (DOCS / "cleaning.md").read_text()
    for name, _, _ in list_rules():
        assert f"`{name}`" in text, f"rule {name} missing in docs/cleaning.md"
