"""The simulators' fault kinds the matrix is built from: bursts that end by themselves, faults
on one route only, `Retry-After` on injected errors, and connection resets after the work."""

from __future__ import annotations

import httpx
import pytest

CONTACTS = "/hubspot/crm/v3/objects/contacts"


@pytest.fixture
async def hs(sim: httpx.AsyncClient, hubspot_token: str) -> httpx.AsyncClient:
    sim.headers["Authorization"] = f"Bearer {hubspot_token}"
    return sim


async def test_a_burst_faults_count_calls_then_the_platform_recovers(hs: httpx.AsyncClient) -> None:
    fault = {"platform": "hubspot", "error_rate": 1.0, "status": 503, "count": 2}
    assert (await hs.post("/_sim/faults", json=fault)).status_code == 200
    statuses = [(await hs.get(CONTACTS)).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
    assert (await hs.get("/_sim/faults")).json()["faults"] == {}


async def test_retry_after_is_sent_with_injected_errors(hs: httpx.AsyncClient) -> None:
    fault = {"platform": "hubspot", "error_rate": 1.0, "status": 429, "retry_after": 0.3}
    await hs.post("/_sim/faults", json=fault)
    answer = await hs.get(CONTACTS)
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "0.3"
    await hs.post("/_sim/faults", json={**fault, "retry_after": None})
    assert "retry-after" not in (await hs.get(CONTACTS)).headers  # HubSpot sends none


async def test_a_fault_on_one_route_after_some_calls(hs: httpx.AsyncClient) -> None:
    fault = {
        "platform": "hubspot",
        "error_rate": 1.0,
        "status": 500,
        "route": "batch/read",
        "after": 1,
    }
    await hs.post("/_sim/faults", json=fault)
    assert (await hs.get(CONTACTS)).status_code == 200  # another route
    batch = {"inputs": [{"id": "1"}], "properties": ["email"]}
    assert (await hs.post(f"{CONTACTS}/batch/read", json=batch)).status_code < 300  # let by
    assert (await hs.post(f"{CONTACTS}/batch/read", json=batch)).status_code == 500


async def test_a_reset_drops_the_answer_after_the_platform_did_the_work(
    hs: httpx.AsyncClient,
) -> None:
    fault = {"platform": "hubspot", "reset_rate": 1.0, "count": 1, "route": "batch/upsert"}
    await hs.post("/_sim/faults", json=fault)
    upsert = {
        "inputs": [
            {
                "id": "reset@faults.example",
                "idProperty": "email",
                "properties": {"email": "reset@faults.example"},
            }
        ]
    }
    with pytest.raises(ConnectionResetError):
        await hs.post(f"{CONTACTS}/batch/upsert", json=upsert)
    writes = (await hs.get("/_sim/hubspot/writes")).json()["writes"]
    assert [w["id"] for w in writes] == ["reset@faults.example"]  # it landed all the same


async def test_a_truncated_answer_stops_halfway_after_the_platform_did_the_work(
    hs: httpx.AsyncClient,
) -> None:
    fault = {"platform": "hubspot", "truncate_rate": 1.0, "count": 1, "route": "batch/upsert"}
    await hs.post("/_sim/faults", json=fault)
    upsert = {
        "inputs": [
            {
                "id": "cut@faults.example",
                "idProperty": "email",
                "properties": {"email": "cut@faults.example"},
            }
        ]
    }
    # In-process the cut is this error; over a socket, the connection closing before the
    # promised Content-Length (tests/simulators/test_truncated_answer.py).
    with pytest.raises(ConnectionResetError):
        await hs.post(f"{CONTACTS}/batch/upsert", json=upsert)
    writes = (await hs.get("/_sim/hubspot/writes")).json()["writes"]
    assert [w["id"] for w in writes] == ["cut@faults.example"]  # it landed all the same


async def test_bad_fault_kinds_are_refused(sim: httpx.AsyncClient) -> None:
    for bad in (
        {"count": 0},
        {"retry_after": -1},
        {"reset_rate": 2},
        {"truncate_rate": -0.1},
        {"after": -1},
    ):
        answer = await sim.post("/_sim/faults", json={"platform": "hubspot", **bad})
        assert answer.status_code == 400, bad
