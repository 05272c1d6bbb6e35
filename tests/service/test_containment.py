"""Partial copies through the HTTP API (in-process): the same verdicts as `Index.query`."""

from __future__ import annotations

import random

import pytest

from nearcopy.config import DedupConfig
from nearcopy.document import Document
from nearcopy.index import Index
from nearcopy.service.app import create_app
from tests.index.test_containment import in_junk, story, truncated
from tests.service.asgi_client import AppClient


@pytest.fixture
def stories() -> list[str]:
    rng = random.Random(31)
    return [story(rng) for _ in range(8)]


@pytest.fixture
def client(tmp_path, stories):
    with Index.create(tmp_path / "i.db", DedupConfig(), cleaning="none") as index:
        index.insert([Document(f"s{i}", t) for i, t in enumerate(stories)])
        with AppClient(create_app(index)) as c:
            yield c


def test_truncated_copy_is_contained(client, stories):
    r = client.post("/v1/query", json={"text": truncated(stories[1])})
    assert r.json() == {"copies": [{"id": "s1", "similarity": 1.0, "method": "contained"}],
                        "dropped": None}


def test_text_inside_junk_contains_the_stored_story(client, stories):
    r = client.post("/v1/query", json={"text": in_junk(stories[6])})
    assert r.json()["copies"] == [{"id": "s6", "similarity": 1.0, "method": "contains"}]


def test_added_partial_copy_reports_it(client, stories):
    r = client.post("/v1/documents", json={"id": "cut", "text": truncated(stories[4])})
    [res] = r.json()["results"]
    assert res["status"] == "added"
    assert res["copies"] == [{"id": "s4", "similarity": 1.0, "method": "contained"}]
    # and the stored partial copy is found from the other side
    found = client.post("/v1/query", json={"text": stories[4]}).json()["copies"]
    assert {(c["id"], c["method"]) for c in found} == {("s4", "exact"), ("cut", "contains")}


def test_same_names_different_story_is_not_a_copy(client):
    r = client.post("/v1/query", json={"text": story(random.Random(77))})
    assert r.json()["copies"] == []


def test_openapi_lists_the_containment_methods(client):
    schema = client.get("/openapi.json").json()["components"]["schemas"]["Match"]
    assert {"contained", "contains"} <= set(schema["properties"]["method"]["enum"])
