"""The real server process on 127.0.0.1: concurrency, kill -9 durability, auth and startup checks."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import threading
import time

import httpx
import pytest

from nearcopy.index import Index
from tests.conftest import random_text
from tests.service.conftest import ServerProcess

pytestmark = pytest.mark.service


def _adder(url: str, name: str, acked: list, stop: threading.Event, errors: list) -> None:
    """Add documents one by one until stopped; remember each acknowledged id."""
    rng = random.Random(name)
    with httpx.Client(base_url=url, timeout=10) as client:
        for n in range(10_000):
            if stop.is_set():
                return
            doc_id = f"{name}-{n}"
            try:
                r = client.post("/v1/documents", json={"id": doc_id, "text": random_text(rng, 80)})
            except httpx.TransportError:
                return  # the server was killed mid-request: not acknowledged
            if r.status_code != 200:
                errors.append(r.text)
                return
            if r.json()["results"][0]["status"] == "added":
                acked.append(doc_id)


def test_kill9_loses_no_acknowledged_document(index_path):
    server = ServerProcess(index_path).wait_ready()
    acked: list[str] = []
    errors: list[str] = []
    stop = threading.Event()
    threads = [threading.Thread(target=_adder, args=(server.url, f"c{i}", acked, stop, errors))
               for i in range(6)]
    try:
        for t in threads:
            t.start()
        deadline = time.monotonic() + 20
        while len(acked) < 150 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill9()  # in the middle of the stream of adds
    finally:
        stop.set()
        for t in threads:
            t.join(15)
        server.stop()
    assert not errors and len(acked) >= 150
    conn = sqlite3.connect(index_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    restarted = ServerProcess(index_path).wait_ready()
    try:
        with httpx.Client(base_url=restarted.url, timeout=10) as client:
            missing = [i for i in acked if client.get(f"/v1/documents/{i}").status_code != 200]
            assert missing == []
            r = client.post("/v1/documents", json={"id": "after", "text": random_text(
                random.Random(9))})
            assert r.status_code == 200 and r.json()["results"][0]["status"] == "added"
    finally:
        restarted.stop()


def test_concurrent_readers_and_writers_see_no_errors(server):
    failures: list[str] = []

    def client_loop(k: int) -> None:
        rng = random.Random(k)
        with httpx.Client(base_url=server.url, timeout=30) as client:
            for n in range(25):
                text = random_text(rng, 80)
                calls = [("POST", "/v1/documents", {"id": f"w{k}-{n}", "text": text}),
                         ("POST", "/v1/query", {"text": text}),
                         ("GET", f"/v1/documents/w{k}-{n}", None), ("GET", "/v1/stats", None)]
                for method, path, body in calls:
                    r = client.request(method, path, json=body)
                    if r.status_code != 200 or "locked" in r.text:
                        failures.append(f"{method} {path}: {r.status_code} {r.text[:200]}")

    threads = [threading.Thread(target=client_loop, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == []
    stats = httpx.get(server.url + "/v1/stats").json()
    assert stats["documents"] == 20 + 8 * 25


def _start_fails(*args: str) -> str:
    proc = subprocess.run([sys.executable, "-m", "nearcopy.service", *args],
                          capture_output=True, text=True, timeout=30, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stderr


def test_refuses_public_bind_without_token(index_path):
    err = _start_fails("--index", str(index_path), "--host", "0.0.0.0", "--port", "1")
    assert "refusing to listen on 0.0.0.0 without a token" in err


def test_foreign_or_corrupt_index_is_a_clear_error(tmp_path, index_path):
    foreign = tmp_path / "foreign.db"
    foreign.write_bytes(b"PK\x03\x04 not an index at all" * 10)
    assert "not a nearcopy index" in _start_fails("--index", str(foreign), "--port", "1")
    assert "no index at" in _start_fails("--index", str(tmp_path / "nope.db"), "--port", "1")


def test_index_usable_by_library_after_server(server, index_path):
    httpx.post(server.url + "/v1/documents", json={"id": "lib", "text": random_text(
        random.Random(4))}).raise_for_status()
    with Index.open(index_path) as idx:  # a second process-level reader/writer is fine
        assert idx.get("lib") is not None
