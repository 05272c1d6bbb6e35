"""Fixtures of the service tests: an index on disk, the in-process app, a real server process."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from nearcopy.config import DedupConfig
from nearcopy.document import Document
from nearcopy.index import Index
from tests.conftest import random_text

START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_index(path: Path, docs: int = 20) -> list[str]:
    rng = random.Random(2)
    texts = [random_text(rng) for _ in range(docs)]
    with Index.create(path, DedupConfig(), cleaning="none") as idx:
        idx.insert([Document(f"d{i}", t) for i, t in enumerate(texts)])
    return texts


class ServerProcess:
    """`python -m nearcopy.service` on 127.0.0.1 and a free port; killed on stop."""

    def __init__(self, index: Path, *args: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cmd = [sys.executable, "-m", "nearcopy.service", "--index", str(index),
               "--port", str(self.port), *args]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def wait_ready(self) -> ServerProcess:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.proc.stderr.read().decode()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.TransportError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("server did not start in time")

    def kill9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill9()
        self.proc.stdout.close()
        self.proc.stderr.close()


@pytest.fixture
def index_path(tmp_path) -> Path:
    path = tmp_path / "index.db"
    make_index(path)
    return path


@pytest.fixture
def server(index_path):
    srv = ServerProcess(index_path).wait_ready()
    yield srv
    srv.stop()
