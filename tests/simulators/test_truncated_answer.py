"""Over a real socket, the `truncate_rate` fault looks as a connection dying mid-answer does:
status 200 and a `Content-Length`, then fewer bytes and the connection closed — after the
platform applied the write."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from gateway.servers import free_port, wait_until_answers
from tests.conftest import SIM_TOKEN_KEY

pytestmark = pytest.mark.e2e
CONTACTS = "/hubspot/crm/v3/objects/contacts"


@pytest.fixture
def simulators() -> Iterator[str]:
    port = free_port()
    argv = [sys.executable, "-m", "gateway", "simulate", "--port", str(port), "--people", "5"]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        if not wait_until_answers(f"{url}/_sim/credentials", 60, lambda: process.poll() is None):
            pytest.fail(f"the simulators did not answer on port {port}")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_the_answer_stops_short_of_its_length_and_the_write_landed(simulators: str) -> None:
    with httpx.Client(base_url=simulators, timeout=10) as sim:
        token = sim.get("/_sim/credentials").json()["hubspot"][SIM_TOKEN_KEY]
        fault = {"platform": "hubspot", "truncate_rate": 1.0, "count": 1, "route": "batch/upsert"}
        sim.post("/_sim/faults", json=fault).raise_for_status()
        upsert = {
            "inputs": [
                {
                    "id": "cut@faults.example",
                    "idProperty": "email",
                    "properties": {"email": "cut@faults.example"},
                }
            ]
        }
        headers = {"Authorization": f"Bearer {token}"}
        with pytest.raises(httpx.RemoteProtocolError, match=r"incomplete|complete message body"):
            sim.post(f"{CONTACTS}/batch/upsert", json=upsert, headers=headers)
        writes = sim.get("/_sim/hubspot/writes").json()["writes"]
        assert [w["id"] for w in writes] == ["cut@faults.example"]
