"""A platform's own words (its routes, its messages) reach no client in serve (issue 19):
a failed write's `WriteResult.error` and an integration's `authProblem`, over GraphQL and
/health/integrations, are one fixed sentence per kind of failure; the words go to the log
under the correlation id."""

from __future__ import annotations

import logging

import httpx
import pytest

from gateway.telemetry.logs import CorrelationFilter
from tests.edge.conftest import MakeApp, Served, in_process

UPSERT = """mutation($input: CustomerInput!) {
  upsertCustomer(input: $input, targets: [MAILCHIMP]) { results { platform status error } } }"""
NEW = {"email": "worded.person@example.org", "firstName": "Worded"}
REFUSED_WRITES = {"platform": "mailchimp", "error_rate": 1.0, "status": 400, "route": "PUT"}


async def test_a_failed_write_says_one_sentence_and_logs_the_platforms_words(
    served: Served, sim: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    await sim.post("/_sim/faults", json=REFUSED_WRITES)
    caplog.set_level(logging.INFO, logger="mgw.graphql")
    caplog.handler.addFilter(CorrelationFilter())  # as the gateway's own log handler does

    response = await served.post(UPSERT, {"input": NEW})

    [result] = response.json()["data"]["upsertCustomer"]["results"]
    assert result["status"] == "DEAD_LETTERED"
    assert result["error"] == "Mailchimp refused the request."
    assert "/mailchimp/" not in response.text
    assert "answered" not in response.text
    correlation = response.headers["x-correlation-id"]
    logged = [r for r in caplog.records if "masked for the client" in r.getMessage()]
    assert logged
    assert all("PUT" in r.getMessage() for r in logged)
    assert {getattr(r, "correlation_id", None) for r in logged} == {correlation}


async def test_the_demo_keeps_the_platforms_words(
    make_app: MakeApp, sim: httpx.AsyncClient
) -> None:
    await sim.post("/_sim/faults", json=REFUSED_WRITES)
    async with in_process(make_app("demo")) as demo:
        body = (
            await demo.post("/graphql", json={"query": UPSERT, "variables": {"input": NEW}})
        ).json()
    [result] = body["data"]["upsertCustomer"]["results"]
    assert "PUT" in result["error"]


INTEGRATIONS = "{ integrations { platform authValid authProblem } }"


async def test_a_refused_credential_is_one_sentence_over_graphql_and_health(
    served: Served, sim: httpx.AsyncClient
) -> None:
    await sim.post("/_sim/faults", json={"platform": "marketo", "error_rate": 1.0, "status": 401})
    await served.post('{ customer(email: "a@b.co") { email } }')

    body = (await served.post(INTEGRATIONS)).json()
    health = await served.client.get("/health/integrations", headers=served.headers())

    [marketo] = [i for i in body["data"]["integrations"] if i["platform"] == "MARKETO"]
    expected = (
        "Marketo refused the credentials: check them, or reconnect with `mgw connect marketo`"
    )
    assert marketo == {"platform": "MARKETO", "authValid": False, "authProblem": expected}
    [entry] = [i for i in health.json()["integrations"] if i["platform"] == "MARKETO"]
    assert entry["auth_problem"] == expected
    for text in (str(body), health.text):
        assert "/identity/" not in text
        assert "/rest/" not in text
        assert "answered" not in text
