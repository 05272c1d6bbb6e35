"""Every module imports (a broken import in a rarely used path fails here, not in the field)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import nearcopy

MODULES = sorted(m.name for m in pkgutil.walk_packages(nearcopy.__path__, "nearcopy."))


@pytest.mark.parametrize("name", MODULES)
def test_module_imports(name):
    importlib.import_module(name)
