"""Fuzz the real server with its own OpenAPI schema (schemathesis): no 5xx, answers as declared."""

from __future__ import annotations

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.service.conftest import ServerProcess, make_index

pytestmark = pytest.mark.service
TOKEN = "fuzz-token-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory):
    path = tmp_path_factory.mktemp("fuzz") / "index.db"
    make_index(path)
    (path.parent / "token").write_text(TOKEN + "\n")
    server = ServerProcess(path, "--token-file", str(path.parent / "token")).wait_ready()
    yield server
    server.stop()


#: a body over a limit is refused with 413 (Content Too Large), which is a rejection too
CONFIG = schemathesis.config.SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {
    "expected-statuses": ["400", "401", "404", "405", "413", "422"]}}})
MODES = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]


@pytest.mark.parametrize("mode", MODES, ids=["valid", "invalid"])
def test_api_conforms_to_its_schema(fuzz_server, mode):
    """Every operation, with generated valid and invalid requests (the pytest plugin of
    schemathesis does not run under pytest 9, so hypothesis drives each operation)."""
    api = schemathesis.openapi.from_url(fuzz_server.url + "/openapi.json", headers=AUTH,
                                        config=CONFIG)
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) == 6
    for operation in operations:
        if mode == MODES[1] and operation.method == "get" and "{" not in operation.path:
            continue  # no parameters, no body: nothing invalid to generate
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=15, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(headers=AUTH, timeout=30)

        check()


def test_real_server_needs_the_token(fuzz_server):
    assert httpx.get(fuzz_server.url + "/healthz").status_code == 200
    assert httpx.get(fuzz_server.url + "/v1/stats").status_code == 401
    assert httpx.get(fuzz_server.url + "/v1/stats", headers=AUTH).status_code == 200
