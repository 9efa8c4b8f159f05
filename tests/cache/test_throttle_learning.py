"""The limiter learns from HubSpot's rate-limit headers: when another app on the same account
spends the budget, the gateway stops itself before the platform has to refuse it."""

from __future__ import annotations

import httpx

from cache.limits import MemoryLimiter
from cache.throttle import ThrottledTransport, Window
from canonical_schema import Platform
from gateway.limits import effective, rules
from simulators import SimConfig, create_app

LIST = "/hubspot/crm/v3/objects/contacts"


async def test_calls_spent_elsewhere_are_counted_so_the_platform_never_says_429() -> None:
    sim_app = create_app(SimConfig(people=20, rate_limits="real"))
    sim = httpx.AsyncClient(transport=httpx.ASGITransport(app=sim_app), base_url="http://sim")
    token = (await sim.get("/_sim/credentials")).json()["hubspot"]["private_app_token"]
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(90):  # another app on the same account
        assert (await sim.get(LIST, headers=headers)).status_code == 200

    hubspot_rules = rules(Platform.HUBSPOT, effective(Platform.HUBSPOT, {}), token)
    throttled = ThrottledTransport(
        httpx.ASGITransport(app=sim_app), MemoryLimiter(), hubspot_rules, max_wait=0
    )
    async with httpx.AsyncClient(transport=throttled, base_url="http://sim") as gateway:
        answers = [await gateway.get(LIST, headers=headers) for _ in range(12)]

    assert [a.status_code for a in answers] == [200] * 10 + [429] * 2
    assert all(a.headers["x-mgw-throttled"].endswith(":window") for a in answers[10:])
    stats = (await sim.get("/_sim/stats")).json()["hubspot"]
    assert "429" not in stats["responses_by_status"]
    await sim.aclose()


def test_salesforce_usage_is_read_from_sforce_limit_info() -> None:
    [day] = rules(Platform.SALESFORCE, effective(Platform.SALESFORCE, {}), "secret")
    assert isinstance(day, Window)
    answered = httpx.Response(200, headers={"Sforce-Limit-Info": "api-usage=14990/15000"})
    assert day.learn(answered) == 14990
    assert day.learn(httpx.Response(200)) is None
