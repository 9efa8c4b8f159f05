"""/metrics parses with prometheus-client's own parser, and its numbers move as traffic is
driven through the gateway: operations, cache lookups, quota, dead letters, alerts, freshness."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.waiting import eventually

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]

UPSERT = """
mutation($input: CustomerInput!) {
  upsertCustomer(input: $input, targets: [HUBSPOT]) { results { status deadLetterId } }
}"""


async def scrape(gateway: httpx.AsyncClient) -> Samples:
    response = await gateway.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def total(samples: Samples, name: str, **labels: str) -> float:
    wanted = set(labels.items())
    return sum(v for (n, found), v in samples.items() if n == name and wanted <= found)


def value(samples: Samples, name: str, **labels: str) -> float:
    [found] = [v for (n, ls), v in samples.items() if n == name and ls == frozenset(labels.items())]
    return found


async def test_operation_cache_and_quota_metrics_move_with_reads(
    five: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    query = {
        "query": "query One($e: String!) { customer(email: $e) { email } }",
        "operationName": "One",
        "variables": {"e": "nobody-at-all@example.org"},
    }
    before = await scrape(five)

    # an email no platform holds (the store keeps people only): the first read asks the
    # platforms, the second is the cache's
    for _ in range(2):
        answer = (await five.post("/graphql", json=query)).json()
        assert answer == {"data": {"customer": None}}
    after = await scrape(five)

    ops = dict(operation="One", type="query", outcome="ok")
    assert (
        total(after, "mgw_operations_total", **ops) - total(before, "mgw_operations_total", **ops)
        == 2
    )
    count = "mgw_operation_seconds_count"
    assert total(after, count, operation="One") - total(before, count, operation="One") == 2
    lookups = "mgw_cache_lookups_total"
    assert total(after, lookups, result="miss") > total(before, lookups, result="miss")
    assert total(after, lookups, result="hit") > total(before, lookups, result="hit")
    calls = "mgw_upstream_calls_total"
    assert total(after, calls, platform="hubspot") > total(before, calls, platform="hubspot")
    for platform in ("hubspot", "salesforce", "shopify", "marketo", "mailchimp"):
        assert value(after, "mgw_breaker_state", platform=platform, state="closed") == 1
        assert value(after, "mgw_integration_up", platform=platform) == 1
    left = "mgw_rate_limit_remaining"
    assert value(after, left, platform="hubspot") < value(before, left, platform="hubspot")
    assert value(after, "mgw_job_queue_depth") >= 0


async def test_a_dead_letter_moves_the_gauge_and_fires_its_alert(
    five: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    before = await scrape(five)
    assert value(before, "mgw_dead_letters_open") == 0
    assert value(before, "mgw_alert_firing", alert="dead_letters", platform="") == 0

    await sim.post("/_sim/faults", json={"platform": "hubspot", "error_rate": 1.0, "status": 400})
    upsert = {"query": UPSERT, "variables": {"input": {"email": "dl@example.org"}}}
    response = await five.post("/graphql", json=upsert)
    assert response.json()["data"]["upsertCustomer"]["results"][0]["status"] == "DEAD_LETTERED"
    letters = "{ deadLetters { edges { node { correlationId } } } }"
    listed = (await five.post("/graphql", json={"query": letters})).json()["data"]
    [edge] = listed["deadLetters"]["edges"]
    assert edge["node"]["correlationId"] == response.headers["x-correlation-id"]
    after = await scrape(five)

    assert value(after, "mgw_dead_letters_open") == 1
    assert value(after, "mgw_alert_firing", alert="dead_letters", platform="") == 1
    alerts = (await five.get("/health/alerts")).json()["alerts"]
    [dead] = [a for a in alerts if a["name"] == "dead_letters"]
    assert dead["firing"] is True
    assert dead["runbook"] == "docs/runbooks/dead_letters.md"
    assert "dead_letters" in (await five.get("/health/ready")).json()["alerts_firing"]


async def test_freshness_appears_once_a_sync_succeeds(five: httpx.AsyncClient) -> None:
    assert ("mgw_data_freshness_seconds", frozenset({("platform", "hubspot")})) not in (
        await scrape(five)
    )
    trigger = "mutation { triggerSync(platform: HUBSPOT, full: true) { id } }"
    run = (await five.post("/graphql", json={"query": trigger})).json()["data"]["triggerSync"]
    statuses = ["QUEUED"]

    async def ended() -> bool:
        query = "query($id: ID!) { syncRun(id: $id) { status } }"
        answer = await five.post("/graphql", json={"query": query, "variables": {"id": run["id"]}})
        statuses.append(answer.json()["data"]["syncRun"]["status"])
        return statuses[-1] in ("SUCCEEDED", "FAILED")

    await eventually(ended, within=120, every=0.05)  # a bound for a hung sync, not a speed bar
    assert statuses[-1] == "SUCCEEDED"

    after = await scrape(five)

    assert 0 <= value(after, "mgw_data_freshness_seconds", platform="hubspot") < 60
    assert value(after, "mgw_alert_firing", alert="stale_data", platform="hubspot") == 0


def test_route_labels_name_each_webhook_route_by_its_template_and_nothing_else() -> None:
    from connectors.registry import specs
    from gateway.telemetry.middleware import _route

    for spec in specs():
        if spec.webhooks is not None:
            template = f"/webhooks/{spec.webhooks.route}"
            sent = template.replace("{secret}", "s3cr3t")  # a secret is never a label
            assert _route(sent) == template
    assert _route("/webhooks/mailchimp/s3cr3t") == "/webhooks/mailchimp/{secret}"
    assert _route("/webhooks/marketo") == "other"  # Marketo pushes nothing: no such route
    assert _route("/graphql") == "/graphql"
    assert _route("/anything/else") == "other"
