"""Fixtures of the index tests: a small index on disk and texts with known copies."""

from __future__ import annotations

import random

import pytest

from nearcopy.config import DedupConfig
from nearcopy.document import Document
from nearcopy.index import Index
from tests.conftest import mutate, random_text


@pytest.fixture
def texts() -> list[str]:
    rng = random.Random(7)
    return [random_text(rng) for _ in range(30)]


@pytest.fixture
def index(tmp_path, texts):
    """30 unrelated documents d0..d29, text as given (no cleaning)."""
    idx = Index.create(tmp_path / "index.db", DedupConfig(), cleaning="none")
    idx.insert([Document(f"d{i}", t) for i, t in enumerate(texts)])
    yield idx
    idx.close()


@pytest.fixture
def near_copy(texts) -> str:
    return mutate(random.Random(3), texts[5], 0.02)
