"""An instance migrated to Marketo's Activity Service: activities carry no `id` (the Swagger:
"may not be present, and should not be treated as unique") and `marketoGUID` identifies them.
Listing, counting, events and lead changes all still work."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock
from tests.connectors.marketo.conftest import TTL, held_leads, token_for

LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


@pytest.fixture
def marketo_app(clock: ManualClock) -> Any:
    config = SimConfig(people=60, rate_limits="off", token_ttl=TTL, modern_accounts=True)
    return create_app(config, clock=clock)


async def test_activities_come_without_an_id(http, creds) -> None:
    token = await token_for(http, creds)
    auth = {"Authorization": f"Bearer {token}"}
    since = {"sinceDatetime": "2020-01-01T00:00:00Z"}
    paging = await http.get("/rest/v1/activities/pagingtoken.json", params=since, headers=auth)
    params = {"activityTypeIds": "12", "nextPageToken": paging.json()["nextPageToken"]}
    body = (await http.get("/rest/v1/activities.json", params=params, headers=auth)).json()
    assert body["result"]
    assert all("id" not in a and len(a["marketoGUID"]) == 36 for a in body["result"])


async def test_leads_list_count_events_and_changes_without_activity_ids(http, marketo) -> None:
    holders = await held_leads(http)
    seen, after = [], None
    while True:
        page = await marketo.list_records(25, after)
        seen += [record.external_id for record in page.records]
        if page.next_after is None:
            break
        after = page.next_after
    assert sorted(seen) == sorted(holders.values())
    assert await marketo.count_records() == len(holders)

    events = await marketo.events_for_leads(list(holders.values())[:10], LONG_AGO)
    assert events
    assert len({event.id for event in events}) == len(events)
    changed = await marketo.changed_lead_ids_since(LONG_AGO)
    assert set(changed) == set(holders.values())
