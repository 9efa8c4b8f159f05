"""upsertCustomer, deadLetters, replayDeadLetter, discardDeadLetter through the graph, over all
five in-process simulators, with the in-process job runner and fast retry delays."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest

from canonical_schema import Platform
from gateway.app import create_app
from gateway.settings import Settings
from gateway.simulated import with_simulators
from sync_jobs.settings import JobSettings

SIM_BASE = "http://sim.test"
Post = Callable[..., Awaitable[dict[str, Any]]]

UPSERT = """
mutation($input: CustomerInput!, $targets: [Platform!], $key: String) {
  upsertCustomer(input: $input, targets: $targets, idempotencyKey: $key) {
    results { platform status externalId error deadLetterId }
  }
}"""
LETTERS = """
query($platform: Platform) {
  deadLetters(first: 10, platform: $platform) {
    totalCount edges { cursor node { id platform operation payload error attempts correlationId } }
  }
}"""
REPLAY = "mutation($id: ID!) { replayDeadLetter(id: $id) { platform status externalId } }"
DISCARD = "mutation($id: ID!) { discardDeadLetter(id: $id) }"


@pytest.fixture
async def post(sim_app: object, sim: httpx.AsyncClient, database_url: str) -> AsyncIterator[Post]:
    credentials = (await sim.get("/_sim/credentials")).json()
    # A mutation answers once its writes are done; on a loaded machine that may be late.
    jobs = JobSettings(retry_delays_seconds=[0.01, 0.01, 0.01], write_deadline_seconds=30.0)
    settings = with_simulators(
        Settings(database_url=database_url, jobs=jobs), SIM_BASE, credentials
    )
    app = create_app(settings, transport=httpx.ASGITransport(app=sim_app))  # type: ignore[arg-type]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as client:

            async def send(query: str, **variables: object) -> dict[str, Any]:
                response = await client.post(
                    "/graphql", json={"query": query, "variables": variables}
                )
                body: dict[str, Any] = response.json()
                return body

            yield send


async def writes(sim: httpx.AsyncClient, platform: Platform) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = (await sim.get(f"/_sim/{platform.value}/writes")).json()["writes"]
    return found


def results(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    assert "errors" not in body, body
    return {r["platform"]: r for r in body["data"]["upsertCustomer"]["results"]}


NEW = {
    "email": "New.Person@Example.org",
    "firstName": "Nova",
    "lastName": "Quinn",
    "phone": "+1 415 555 0123",
    "lifecycleStage": "LEAD",
    "emailConsent": "SUBSCRIBED",
}


async def test_a_new_person_is_written_once_to_every_platform(
    post: Post, sim: httpx.AsyncClient
) -> None:
    answered = results(await post(UPSERT, input=NEW))

    assert {r["status"] for r in answered.values()} == {"WRITTEN"}
    assert set(answered) == {p.name for p in Platform}
    for platform in Platform:
        log = await writes(sim, platform)
        assert len(log) == 1, (platform, log)
        assert (
            str(log[0].get("objectId", log[0].get("id"))) == answered[platform.name]["externalId"]
        )
    held = await sim.get("/_sim/hubspot/records", params={"email": "new.person@example.org"})
    assert held.json()["records"][0]["properties"]["firstname"] == "Nova"


async def test_writing_what_a_platform_already_holds_is_skipped(
    post: Post, sim: httpx.AsyncClient
) -> None:
    results(await post(UPSERT, input=NEW))
    again = results(await post(UPSERT, input=NEW))

    assert {r["status"] for r in again.values()} == {"SKIPPED"}
    assert all(r["externalId"] for r in again.values())
    for platform in Platform:
        assert len(await writes(sim, platform)) == 1


async def test_an_idempotency_key_answers_the_first_result_without_writing_again(
    post: Post, sim: httpx.AsyncClient
) -> None:
    first = results(await post(UPSERT, input=NEW, targets=["HUBSPOT"], key="k-1"))
    second = results(await post(UPSERT, input=NEW, targets=["HUBSPOT"], key="k-1"))
    conflict = await post(
        UPSERT, input={**NEW, "firstName": "Other"}, targets=["HUBSPOT"], key="k-1"
    )

    assert second == first
    assert first["HUBSPOT"]["status"] == "WRITTEN"
    assert len(await writes(sim, Platform.HUBSPOT)) == 1
    assert conflict["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_CONFLICT"


@pytest.mark.parametrize(
    "bad",
    [
        {"email": "not-an-email"},
        {"email": "a@b.co", "firstName": "   "},
        {"email": "a@b.co", "phone": "call me"},
        {"email": "a@b.co", "emailConsent": "CLEANED"},
    ],
)
async def test_bad_input_writes_nothing(
    post: Post, sim: httpx.AsyncClient, bad: dict[str, str]
) -> None:
    body = await post(UPSERT, input=bad)

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    for platform in Platform:
        assert await writes(sim, platform) == []


async def test_a_transient_failure_retries_then_dead_letters_and_replays(
    post: Post, sim: httpx.AsyncClient
) -> None:
    await sim.post("/_sim/faults", json={"platform": "marketo", "error_rate": 1.0, "status": 503})
    failed = results(await post(UPSERT, input=NEW, targets=["MARKETO", "HUBSPOT"]))

    assert failed["HUBSPOT"]["status"] == "WRITTEN"
    assert failed["MARKETO"]["status"] == "DEAD_LETTERED"  # 4 tries, 10 ms apart
    listed = (await post(LETTERS, platform="MARKETO"))["data"]["deadLetters"]
    letter = listed["edges"][0]["node"]
    assert listed["totalCount"] == 1
    assert letter["id"] == failed["MARKETO"]["deadLetterId"]
    assert letter["attempts"] == 4
    assert letter["operation"] == "upsertCustomer"
    assert letter["payload"]["request"]["input"]["email"] == "new.person@example.org"
    assert letter["payload"]["lastResponse"]["status"] == 503

    await sim.delete("/_sim/faults")
    replayed = (await post(REPLAY, id=letter["id"]))["data"]["replayDeadLetter"]

    assert replayed["status"] == "WRITTEN"
    assert len(await writes(sim, Platform.MARKETO)) == 1
    assert (await post(LETTERS))["data"]["deadLetters"]["totalCount"] == 0


async def test_a_refused_write_goes_to_the_dead_letter_queue_at_once(
    post: Post, sim: httpx.AsyncClient
) -> None:
    await sim.post("/_sim/faults", json={"platform": "hubspot", "error_rate": 1.0, "status": 400})
    failed = results(await post(UPSERT, input=NEW, targets=["HUBSPOT"]))
    letter = (await post(LETTERS))["data"]["deadLetters"]["edges"][0]["node"]

    assert failed["HUBSPOT"]["status"] == "DEAD_LETTERED"
    assert letter["attempts"] == 1
    assert "answered 400" in letter["error"]
    assert (await post(DISCARD, id=letter["id"]))["data"]["discardDeadLetter"] is True
    assert (await post(DISCARD, id=letter["id"]))["data"]["discardDeadLetter"] is False
    assert (await post(LETTERS))["data"]["deadLetters"]["totalCount"] == 0
