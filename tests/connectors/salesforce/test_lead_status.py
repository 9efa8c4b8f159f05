"""A Lead's `Status` is the org's own restricted picklist: a write sets a value the org has
(read through `describe`), and a stage that fits none of them is refused before it is sent."""

from __future__ import annotations

import pytest

from canonical_schema import CustomerRecord, LifecycleStage, Platform
from connectors.salesforce.lead_status import LeadStatuses
from simulators import SimConfig, create_app
from simulators.core.clock import ManualClock
from tests.connectors.salesforce.conftest import raw_records

API = "/salesforce/services/data/v60.0"


@pytest.fixture
def sim_app(clock: ManualClock) -> object:
    config = SimConfig(seed=7, people=60, rate_limits="off", modern_accounts=True)
    return create_app(config, clock=clock)


def lead(email: str, stage: LifecycleStage) -> CustomerRecord:
    return CustomerRecord(
        platform=Platform.HUBSPOT, external_id="1", email=email, lifecycle_stage=stage
    )


async def test_the_orgs_own_statuses_are_written(http, salesforce) -> None:
    stages = {
        "new@example.com": (LifecycleStage.LEAD, "New"),
        "working@example.com": (LifecycleStage.SALES_QUALIFIED_LEAD, "Working"),
        "gone@example.com": (LifecycleStage.OTHER, "Unqualified"),
    }
    await salesforce.upsert_records([lead(e, stage) for e, (stage, _) in stages.items()])
    for email, (_, status) in stages.items():
        [held] = await raw_records(http, email)
        assert held["Status"] == status


async def test_the_simulator_describes_the_orgs_picklist(http, creds) -> None:
    token = (
        await http.post(
            "/salesforce/services/oauth2/token",
            data={
                "grant_type": "refresh_token",
                **{k: creds[k] for k in ("client_id", "client_secret", "refresh_token")},
            },
        )
    ).json()["access_token"]
    body = (
        await http.get(
            f"{API}/sobjects/Lead/describe", headers={"Authorization": f"Bearer {token}"}
        )
    ).json()
    statuses = LeadStatuses.from_describe(body)
    assert statuses.values == ("New", "Working", "Nurturing", "Qualified", "Unqualified")
    assert statuses.default == "New"


def test_a_stage_no_value_fits_is_refused_before_it_is_sent() -> None:
    org = LeadStatuses(("Fresh", "Contacted", "Customer"), "Fresh")
    assert org.for_stage(LifecycleStage.LEAD) == "Fresh"
    assert org.for_stage(LifecycleStage.SALES_QUALIFIED_LEAD) is None
    assert org.for_stage(LifecycleStage.OTHER) is None
