"""The simulators driven by the platforms' own client libraries, over a real socket: what real
client code sends must get the answers the real platforms give (issue 20).

hubspot-api-client, simple-salesforce, marketorestpython and mailchimp-marketing build their
base URLs for the real hosts (https, fixed host names); each is pointed at the simulator by
setting the host the library keeps, never by patching it. Shopify has no official Python
client: gql validates the connector's own documents against Shopify's official 2025-01 schema
and sends them.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import mailchimp_marketing
import pytest
import uvicorn
from gql import Client, gql
from gql.transport.httpx import HTTPXTransport
from graphql import GraphQLSchema, build_client_schema, get_introspection_query, validate
from hubspot import HubSpot
from hubspot.crm.companies import ApiException as CompanyApiException
from hubspot.crm.companies import BatchReadInputSimplePublicObjectId
from hubspot.crm.contacts import SimplePublicObjectInputForCreate
from mailchimp_marketing.api_client import ApiClientError
from marketorestpython.client import MarketoClient
from simple_salesforce import Salesforce

from connectors.shopify import queries
from gateway.servers import free_port
from simulators import SimConfig, create_app

SPEC = (
    Path(__file__).parents[2] / "simulators" / "shopify" / "spec" / "admin_schema_2025-01.json.gz"
)


@pytest.fixture(scope="module")
def served() -> Iterator[dict[str, Any]]:
    """The simulators under uvicorn in a thread of their own (the libraries block)."""
    app = create_app(SimConfig(seed=7, people=60, rate_limits="off"))
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            pytest.fail("the simulators did not start")
        threading.Event().wait(0.02)
    base = f"http://127.0.0.1:{port}"
    credentials = httpx.get(f"{base}/_sim/credentials").json()
    people = httpx.get(f"{base}/_sim/people", params={"limit": 1000}).json()["people"]
    yield {"base": base, "credentials": credentials, "people": people}
    server.should_exit = True
    thread.join(timeout=10)


def held(served: dict[str, Any], platform: str) -> list[str]:
    return [p["email"] for p in served["people"] if platform in p["external_ids"]]


# -- HubSpot ------------------------------------------------------------------------------------


@pytest.fixture
def hubspot(served: dict[str, Any]) -> HubSpot:
    token = served["credentials"]["hubspot"]["private_app_token"]
    return HubSpot(access_token=token, host=f"{served['base']}/hubspot")


def test_hubspot_client_creates_and_pages_contacts(hubspot: HubSpot) -> None:
    page = hubspot.crm.contacts.basic_api.get_page(limit=5, properties=["email", "firstname"])
    assert len(page.results) == 5
    assert all("email" in c.properties for c in page.results)
    made = hubspot.crm.contacts.basic_api.create(
        SimplePublicObjectInputForCreate(properties={"email": "sdk@example.com", "firstname": "S"})
    )  # POST /crm/v3/objects/contacts: 201, not 405
    assert made.properties["email"] == "sdk@example.com"


def test_hubspot_client_is_refused_domain_as_id_property(hubspot: HubSpot) -> None:
    company = hubspot.crm.companies.basic_api.get_page(limit=1, properties=["domain"]).results[0]
    body = BatchReadInputSimplePublicObjectId(
        inputs=[{"id": company.properties["domain"]}], properties=["name"], id_property="domain"
    )
    with pytest.raises(CompanyApiException) as refused:
        hubspot.crm.companies.batch_api.read(body)
    assert refused.value.status == 400


# -- Mailchimp ----------------------------------------------------------------------------------


@pytest.fixture
def mailchimp(served: dict[str, Any]) -> mailchimp_marketing.Client:
    creds = served["credentials"]["mailchimp"]
    client = mailchimp_marketing.Client()
    client.set_config({"api_key": creds["api_key"], "server": creds["api_key"].split("-")[-1]})
    client.api_client.host = f"{served['base']}/mailchimp/3.0"
    return client


def test_mailchimp_client_reads_members_and_meets_compliance_state(
    served: dict[str, Any], mailchimp: mailchimp_marketing.Client
) -> None:
    list_id = served["credentials"]["mailchimp"]["list_id"]
    members = mailchimp.lists.get_list_members_info(list_id, count=50)["members"]
    assert members
    gone = next(m for m in members if m["status"] == "unsubscribed")
    body = {"email_address": gone["email_address"], "status_if_new": "subscribed"}
    with pytest.raises(ApiClientError) as refused:
        mailchimp.lists.set_list_member(list_id, gone["id"], {**body, "status": "subscribed"})
    assert refused.value.status_code == 400
    assert "Member In Compliance State" in refused.value.text


# -- Salesforce ---------------------------------------------------------------------------------


@pytest.fixture
def salesforce(served: dict[str, Any]) -> Salesforce:
    creds = served["credentials"]["salesforce"]
    form = {k: creds[k] for k in ("client_id", "client_secret", "refresh_token")}
    form["grant_type"] = "refresh_token"
    token = httpx.post(f"{served['base']}/salesforce/services/oauth2/token", data=form).json()
    sf = Salesforce(
        instance_url=token["instance_url"], session_id=token["access_token"], version="60.0"
    )
    sf.base_url = f"{served['base']}/salesforce/services/data/v60.0/"
    return sf


def test_salesforce_client_counts_and_describes(
    served: dict[str, Any], salesforce: Salesforce
) -> None:
    everyone = salesforce.query_all("SELECT Id FROM Contact")["totalSize"]
    assert salesforce.query("SELECT COUNT() FROM Contact")["totalSize"] == everyone > 0
    lead = salesforce.Lead  # an SFType keeps its own https URL: pointed at the simulator too
    lead.base_url = f"{salesforce.base_url}sobjects/Lead/"
    statuses = [
        v["value"]
        for f in lead.describe()["fields"]
        if f["name"] == "Status"
        for v in f["picklistValues"]
    ]
    assert "Working - Contacted" in statuses


# -- Marketo ------------------------------------------------------------------------------------


def test_marketo_client_reads_leads_by_email(served: dict[str, Any]) -> None:
    creds = served["credentials"]["marketo"]
    client = MarketoClient("000-AAA-000", creds["client_id"], creds["client_secret"])
    client.host = f"{served['base']}/marketo"
    email = held(served, "marketo")[0]
    leads = client.execute(
        method="get_multiple_leads_by_filter_type",
        filterType="email",
        filterValues=[email],
        fields=["email", "firstName"],
    )
    assert [lead["email"].lower() for lead in leads] == [email]


def test_marketo_client_runs_a_bulk_lead_export(served: dict[str, Any]) -> None:
    """marketorestpython's bulk export: create, enqueue, status until Completed, the CSV."""
    creds = served["credentials"]["marketo"]
    client = MarketoClient("000-AAA-000", creds["client_id"], creds["client_secret"])
    client.host = f"{served['base']}/marketo"
    start = datetime.fromisoformat(creds["leads_created_since"])
    window = {
        "createdAt": {
            "startAt": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "endAt": (start + timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    }
    job = client.execute(method="create_leads_export_job", fields=["id", "email"], filters=window)[
        0
    ]
    assert job["status"] == "Created"
    assert client.execute(method="enqueue_leads_export_job", job_id=job["exportId"])
    for _ in range(50):
        status = client.execute(method="get_leads_export_job_status", job_id=job["exportId"])
        if status[0]["status"] == "Completed":
            break
        threading.Event().wait(0.1)
    assert status[0]["status"] == "Completed"
    file = client.execute(method="get_leads_export_job_file", job_id=job["exportId"])
    lines = file.decode().splitlines()
    assert lines[0] == "id,email"
    assert len(lines) - 1 == status[0]["numberOfRecords"] > 0


# -- Shopify ------------------------------------------------------------------------------------


@cache
def official_schema() -> GraphQLSchema:
    """Shopify's own 2025-01 schema (it breaks one graphql-core rule about deprecations on
    interface fields, so it is taken as it is)."""
    with gzip.open(SPEC, "rt", encoding="utf-8") as handle:
        return build_client_schema(json.load(handle)["data"], assume_valid=True)


def test_gql_validates_against_the_simulators_own_introspection(served: dict[str, Any]) -> None:
    """The schema gql reads from the simulator (introspection) is Shopify's whole, so a valid
    query of fields outside the connector's documents (`node`, `shop`, the count's precision)
    validates against it. Shopify's schema breaks one graphql-core rule (deprecations on
    interface fields), so it is built `assume_valid`, against the real API as here."""
    shop = served["credentials"]["shopify"]
    transport = HTTPXTransport(
        url=f"{served['base']}/shopify/admin/api/2025-01/graphql.json",
        headers={"X-Shopify-Access-Token": shop["access_token"]},
        timeout=120,
    )
    with Client(transport=transport) as session:
        introspection = session.execute(gql(get_introspection_query()))
    fetched = build_client_schema(introspection, assume_valid=True)  # type: ignore[arg-type]
    assert set(fetched.type_map) == set(official_schema().type_map)
    document = gql(
        """{ shop { name currencyCode } customersCount { count precision }
             node(id: "gid://shopify/Customer/1") { id ... on Customer { email } } }"""
    )
    with Client(transport=transport, schema=fetched) as session:
        answer = session.execute(document)  # validated by gql first
    assert answer["shop"]["currencyCode"] == "USD"
    assert answer["customersCount"]["precision"] == "EXACT"


@pytest.mark.parametrize(
    "document",
    [queries.CUSTOMERS, queries.CUSTOMERS_COUNT, queries.CUSTOMER_BY_EMAIL, queries.CUSTOMER_IDS],
)
def test_the_connectors_shopify_documents_are_valid_against_the_official_schema(
    served: dict[str, Any], document: str
) -> None:
    shop = served["credentials"]["shopify"]
    transport = HTTPXTransport(
        url=f"{served['base']}/shopify/admin/api/2025-01/graphql.json",
        headers={"X-Shopify-Access-Token": shop["access_token"]},
        timeout=120,  # the simulator builds its schema on its first query; the machine is shared
    )
    email = held(served, "shopify")[0]
    variables = {"first": 5, "email": email}
    request = gql(document)
    assert validate(official_schema(), request.document) == []
    definition = request.document.definitions[0]
    declared = definition.variable_definitions or ()  # type: ignore[attr-defined]
    needed = {v.variable.name.value for v in declared}
    request.variable_values = {k: v for k, v in variables.items() if k in needed}
    with Client(transport=transport) as session:
        answer = session.execute(request)
    assert answer


def test_salesforce_answers_a_trailing_slash_once_and_lists_versions_openly(
    served: dict[str, Any], salesforce: Salesforce
) -> None:
    base = f"{served['base']}/salesforce/services/data"
    assert httpx.get(base).status_code == 200  # the version list needs no token
    headers = {"Authorization": f"Bearer {salesforce.session_id}"}
    first = httpx.get(f"{base}/v60.0/limits/", headers=headers)
    second = httpx.get(f"{base}/v60.0/limits", headers=headers)
    assert first.status_code == second.status_code == 200  # no 307 to follow
    used = [
        int(r.headers["Sforce-Limit-Info"].split("=")[1].split("/")[0]) for r in (first, second)
    ]
    assert used[1] == used[0] + 1  # one call each
