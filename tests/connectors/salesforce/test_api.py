"""Queries read to the end: `nextRecordsUrl` followed as given, batch after batch."""

from __future__ import annotations

from canonical_schema import CustomerRecord, Platform
from connectors.salesforce.api import Api
from connectors.salesforce.mapping import CONTACT_FIELDS, LEAD_FIELDS
from connectors.salesforce.soql import in_chunks, select
from tests.connectors.salesforce.conftest import ground_truth


async def test_a_query_follows_next_records_url_to_the_end(http, salesforce, session) -> None:
    await salesforce.upsert_records(
        [
            CustomerRecord(platform=Platform.SALESFORCE, external_id="-", email=f"p{i}@example.com")
            for i in range(450)
        ]
    )
    await http.post("/_sim/reset")
    api = Api(http, session)

    rows = await api.query("SELECT Id, Email FROM Lead ORDER BY Id", batch_size=200)

    ids = [row["Id"] for row in rows]
    assert len(ids) == len(set(ids)) > 450
    assert ids == sorted(ids)
    stats = (await http.get("/_sim/stats")).json()["salesforce"]
    assert stats["requests"] == -(-len(ids) // 200)


async def test_many_emails_are_asked_in_several_short_queries(http, salesforce) -> None:
    truth = await ground_truth(http)
    asked = [*truth, *(f"nobody.{i}@nowhere.example" for i in range(1100))]
    await salesforce.records_by_email(["warm@up.example"])
    await http.post("/_sim/reset")

    found = await salesforce.records_by_email(asked)

    assert found.keys() == truth.keys()
    stats = (await http.get("/_sim/stats")).json()["salesforce"]
    chunks = [
        list(in_chunks(f"{select(fields, name)} WHERE Email IN (", asked))
        for name, fields in (("Contact", CONTACT_FIELDS), ("Lead", LEAD_FIELDS))
    ]
    assert all(len(c) > 1 for c in chunks)
    assert stats["requests"] == sum(map(len, chunks))
