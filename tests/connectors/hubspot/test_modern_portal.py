"""A newer portal, without the legacy `hubspotscore`: HubSpot leaves an asked-for property the
portal lacks out of `properties` without a word, and every read still works (missing is null)."""

from __future__ import annotations

import pytest

from connectors.exceptions import InvalidUpstreamDataError
from simulators import SimConfig

from .conftest import raw


@pytest.fixture
def sim_config() -> SimConfig:
    return SimConfig(seed=7, people=120, rate_limits="off", modern_accounts=True)


async def test_the_portal_leaves_out_what_it_lacks(sim, hubspot_token) -> None:
    params = {"limit": 5, "properties": "email,hubspotscore,firstname"}
    body = await raw(sim, hubspot_token, "GET", "/crm/v3/objects/contacts", params=params)
    assert all("hubspotscore" not in r["properties"] for r in body["results"])
    assert all("firstname" in r["properties"] for r in body["results"])


async def test_contacts_read_list_and_change_without_the_property(sim, hubspot) -> None:
    page = await hubspot.list_records(20, None)
    assert len(page.records) == 20
    assert all(record.lead_score is None for record in page.records)
    emails = [record.email for record in page.records]
    found = await hubspot.records_by_email(emails)
    assert sorted(found) == sorted(emails)
    changed = await hubspot.records_changed_since(page.records[0].updated_at, limit=10)
    assert changed.records


async def test_a_core_property_missing_is_still_drift(sim, hubspot) -> None:
    await sim.post("/_sim/faults", json={"platform": "hubspot", "drift_rate": 1.0})
    with pytest.raises(InvalidUpstreamDataError):  # updatedAt retyped, or firstname renamed
        await hubspot.list_records(5, None)
