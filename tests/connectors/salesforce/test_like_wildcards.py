"""`company(domain: "%.%")` reached Salesforce as `Website LIKE '%%.%%'` and read every Account
(issue 19): a domain's `%` and `_` are escaped, so the query matches what it names and nothing
more, and Salesforce (the simulator, as strict as SOQL) honours `\\%` and `\\_`."""

from __future__ import annotations

from typing import Any

import httpx

from connectors.salesforce import SalesforceConnector
from connectors.salesforce.soql import contains_literal


async def accounts_answered(http: httpx.AsyncClient, work: Any) -> int:
    """How many Account records Salesforce sent back while `work` ran."""
    answered = 0

    async def count(response: httpx.Response) -> None:
        nonlocal answered
        if "/query" in response.request.url.path:
            await response.aread()
            answered += len(response.json().get("records", []))

    http.event_hooks["response"].append(count)
    try:
        await work
    finally:
        http.event_hooks["response"].remove(count)
    return answered


async def test_a_domain_of_wildcards_reads_no_account(
    salesforce: SalesforceConnector, http: httpx.AsyncClient
) -> None:
    every = await salesforce.query("SELECT Id FROM Account")
    assert len(every) > 1

    for wildcards in ("%.%", "%", "_%._%", "%.com"):
        read = await accounts_answered(http, salesforce.accounts_by_domain([wildcards]))
        assert read == 0, wildcards


async def test_a_real_domain_still_finds_its_account(
    salesforce: SalesforceConnector, http: httpx.AsyncClient
) -> None:
    websites = await salesforce.query("SELECT Website FROM Account WHERE Website != null")
    website = str(websites[0]["Website"])
    domain = website.split("//")[-1].removeprefix("www.").split("/")[0].lower()

    found = await salesforce.accounts_by_domain([domain])

    assert domain in found


async def test_escaped_wildcards_match_only_themselves(salesforce: SalesforceConnector) -> None:
    unescaped = await salesforce.query("SELECT Id FROM Account WHERE Name LIKE '%'")
    escaped = await salesforce.query(
        f"SELECT Id FROM Account WHERE Name LIKE {contains_literal('%')}"
    )
    underscore = await salesforce.query("SELECT Id FROM Account WHERE Name LIKE '\\_%'")

    assert unescaped
    assert escaped == []  # no seeded Account has a % in its name
    assert underscore == []  # nor starts with an underscore
