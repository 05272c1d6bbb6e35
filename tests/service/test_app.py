"""The API in-process: shapes of answers, and a 4xx JSON error for every kind of bad input."""

from __future__ import annotations

import pytest

from nearcopy.index import Index
from nearcopy.service.app import create_app
from nearcopy.service.schemas import Limits
from tests.service.asgi_client import AppClient
from tests.service.conftest import make_index

TOKEN = "t0ken-for-tests-0123456789"
LIMITS = Limits(max_body_bytes=64 * 1024, max_batch=4, max_text_chars=20_000)


@pytest.fixture
def texts(tmp_path):
    return make_index(tmp_path / "i.db")


@pytest.fixture
def client(tmp_path, texts):
    index = Index.open(tmp_path / "i.db")
    with AppClient(create_app(index, limits=LIMITS)) as c:
        yield c
    index.close()


def test_add_query_get_delete(client, texts):
    r = client.post("/v1/documents", json={"id": "new", "text": texts[3], "metadata": {"a": 1}})
    assert r.status_code == 200
    [res] = r.json()["results"]
    assert res["status"] == "added" and res["copies"][0] == {"id": "d3", "similarity": 1.0,
                                                             "method": "exact"}
    again = client.post("/v1/documents", json={"documents": [{"id": "new", "text": texts[3]}]})
    assert again.json()["results"][0]["status"] == "exists"
    q = client.post("/v1/query", json={"text": texts[4], "limit": 1})
    assert q.json() == {"copies": [{"id": "d4", "similarity": 1.0, "method": "exact"}],
                        "dropped": None}
    doc = client.get("/v1/documents/new").json()
    assert doc["metadata"] == {"a": 1} and doc["copies"][0]["id"] == "d3"
    assert client.delete("/v1/documents/new").json() == {"id": "new", "deleted": True}
    assert client.get("/v1/documents/new").status_code == 404
    assert client.get("/v1/stats").json()["documents"] == 20
    assert client.get("/openapi.json").json()["openapi"].startswith("3.")


BAD = [
    ("invalid json", b"{not json", 400, "invalid_json"),
    ("non-utf8 bytes", b'{"id": "x", "text": "\xff\xfe"}', 400, "invalid_json"),
    ("lone surrogate", b'{"id": "x", "text": "\\ud800 abc"}', 400, "invalid_json"),
    ("array body", b"[1, 2]", 422, "invalid_request"),
    ("missing text", b'{"id": "x"}', 422, "invalid_request"),
    ("missing id", b'{"text": "abc"}', 422, "invalid_request"),
    ("wrong type", b'{"id": "x", "text": 5}', 422, "invalid_request"),
    ("empty text", b'{"id": "x", "text": "   "}', 422, "invalid_request"),
    ("unknown field", b'{"id": "x", "text": "a", "txt": 1}', 422, "invalid_request"),
    ("control char id", b'{"id": "a\\u0000b", "text": "a"}', 422, "invalid_request"),
    ("empty batch", b'{"documents": []}', 422, "invalid_request"),
    ("bad limit", b'{"documents": [{"id": "x", "text": "a"}], "limit": 0}', 422,
     "invalid_request"),
    ("batch over limit", b'{"documents": [' + b",".join(
        b'{"id": "%d", "text": "a"}' % i for i in range(5)) + b"]}", 413, "batch_too_large"),
    ("huge document", b'{"id": "x", "text": "' + b"a " * 15_000 + b'"}', 413, "text_too_long"),
    ("body over limit", b'{"id": "x", "text": "' + b"a" * 70_000 + b'"}', 413,
     "body_too_large"),
]


@pytest.mark.parametrize("name,body,status,code", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_a_json_4xx(client, name, body, status, code):
    r = client.post("/v1/documents", content=body, headers={"content-type": "application/json"})
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    if "id" not in name and "batch" not in name and "limit" not in name:
        query = body.replace(b'"id": "x", ', b"")
        r = client.post("/v1/query", content=query)
        assert r.status_code == status, r.text
        assert r.json()["error"]["code"] == code
    assert client.get("/healthz").status_code == 200


def test_unknown_route_and_method_are_json(client):
    assert client.get("/v1/nothing").json()["error"]["code"] == "not_found"
    r = client.put("/v1/query")
    assert r.status_code == 405 and r.json()["error"]["code"] == "method_not_allowed"


def test_token_required_except_healthz(tmp_path, texts):
    index = Index.open(tmp_path / "i.db")
    with AppClient(create_app(index, token=TOKEN)) as c:
        assert c.get("/healthz").status_code == 200
        assert c.get("/v1/stats").status_code == 401
        assert c.get("/openapi.json").status_code == 401
        wrong = c.get("/v1/stats", headers={"Authorization": "Bearer " + TOKEN[:-1] + "X"})
        assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "unauthorized"
        ok = c.get("/v1/stats", headers={"Authorization": f"Bearer {TOKEN}"})
        assert ok.status_code == 200
    index.close()
