"""Contract: every route the Marketo simulator serves exists in Adobe's Swagger, and its real
answers validate against that operation's `responses.200.schema` (refs resolved against the
Swagger's `definitions`).

Two readings of the Swagger, both stated here:
- `Attribute.value` is typed `object` because the spec was generated from Java's `Object`: the
  real API sends strings and numbers there, so it is validated as any JSON value.
- Failures (HTTP 200, `success:false`) carry no `result`, as the real API answers; they are
  validated against the same schema without `result` among the required keys.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest
from starlette.applications import Starlette
from starlette.routing import Route

from simulators import SimConfig

SPEC_DIR = Path(__file__).resolve().parents[2] / "simulators" / "marketo" / "spec"
ENVELOPE = {"requestId", "success", "errors", "warnings"}


@cache
def swagger(name: str) -> dict[str, Any]:
    spec: dict[str, Any] = json.loads((SPEC_DIR / name).read_text())
    return spec


def _spec_for(path: str) -> dict[str, Any]:
    return swagger(
        "swagger-identity.json" if path.startswith("/identity/") else "swagger-mapi.json"
    )


def response_schema(method: str, path: str, *, failed: bool = False) -> dict[str, Any]:
    spec = _spec_for(path)
    definitions = copy.deepcopy(spec["definitions"])
    if "Attribute" in definitions:
        definitions["Attribute"]["properties"]["value"] = {"description": "any JSON value"}
    ref = spec["paths"][path][method.lower()]["responses"]["200"]["schema"]["$ref"]
    if failed:
        name = ref.rsplit("/", 1)[1]
        target = definitions[name]
        target["required"] = [k for k in target["required"] if k != "result"]
    return {"$ref": ref, "definitions": definitions}


def assert_valid(method: str, path: str, body: Any, *, failed: bool = False) -> None:
    validator = jsonschema_rs.Draft4Validator(response_schema(method, path, failed=failed))
    errors = [str(e) for e in validator.iter_errors(body)]
    assert not errors, f"{method} {path}: {errors[:3]}"


@pytest.fixture
def config() -> SimConfig:
    return SimConfig(people=60)


def served(app: Starlette) -> set[tuple[str, str]]:
    routes = app.state.sim.platforms["marketo"].routes
    return {
        (method, route.path)
        for route in routes
        if isinstance(route, Route)
        for method in (route.methods or ()) - {"HEAD"}
    }


def test_every_served_route_is_in_the_swagger(app: Starlette) -> None:
    for method, path in served(app):
        operations = _spec_for(path)["paths"].get(path)
        assert operations is not None, f"{path} is not in the Swagger"
        assert method.lower() in operations, f"{method} {path} is not in the Swagger"


async def test_every_route_answers_to_its_schema(
    app: Starlette, mk: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    """Drive each served operation with realistic calls, validating every answer."""
    checked: set[tuple[str, str]] = set()

    async def check(method: str, path: str, response: httpx.Response) -> dict[str, Any]:
        assert response.status_code == 200
        body: dict[str, Any] = response.json()
        if not path.startswith("/identity/"):
            assert set(body) >= ENVELOPE
            assert body["success"] is True, body
        assert_valid(method, path, body)
        checked.add((method, path))
        return body

    creds = (await sim.get("/_sim/credentials")).json()["marketo"]
    identity = {"grant_type": "client_credentials", **creds}
    for method in ("GET", "POST"):
        answer = await mk.request(method, "/identity/oauth/token", params=identity)
        await check(method, "/identity/oauth/token", answer)

    people = (await sim.get("/_sim/people")).json()["people"]
    held = [p for p in people if "marketo" in p["external_ids"]]
    emails = ",".join(p["email"] for p in held)
    leads_path = "/rest/v1/leads.json"
    all_fields = "email,firstName,lastName,phone,company,leadScore,leadStatus,updatedAt,createdAt"
    query = {"filterType": "email", "filterValues": emails, "fields": all_fields, "batchSize": "5"}
    body = await check("GET", leads_path, await mk.get(leads_path, params=query))
    assert "nextPageToken" in body
    sync = {
        "action": "createOrUpdate",
        "input": [
            {"email": held[0]["email"], "leadScore": 12, "lastName": None},
            {"email": "contract@example.com", "firstName": "C"},
            {"email": "contract2@example.com", "bogus": 1},
        ],
    }
    body = await check("POST", leads_path, await mk.post(leads_path, json=sync))
    assert [r["status"] for r in body["result"]] == ["updated", "created", "skipped"]
    lead_id = held[0]["external_ids"]["marketo"]
    await check("GET", "/rest/v1/lead/{leadId}.json", await mk.get(f"/rest/v1/lead/{lead_id}.json"))

    await check(
        "GET", "/rest/v1/activities/types.json", await mk.get("/rest/v1/activities/types.json")
    )
    paging = "/rest/v1/activities/pagingtoken.json"
    token = (
        await check("GET", paging, await mk.get(paging, params={"sinceDatetime": "2020-01-01"}))
    )["nextPageToken"]
    for path, params in (
        ("/rest/v1/activities.json", {"activityTypeIds": "1,2,6,10,11,12,13,22"}),
        ("/rest/v1/activities/leadchanges.json", {"fields": "leadScore,leadStatus,lastName,email"}),
    ):
        page_token, types = token, set()
        while True:
            answer = await mk.get(path, params={**params, "nextPageToken": page_token})
            body = await check("GET", path, answer)
            types |= {row["activityTypeId"] for row in body["result"]}
            page_token = body["nextPageToken"]
            if not body["moreResult"]:
                break
        assert types >= ({12, 13} if "leadchanges" in path else {1, 2, 6, 10, 11, 12, 13, 22})

    export, job = "/bulk/v1/leads/export", "/bulk/v1/leads/export/{exportId}"
    window = {"startAt": "2025-12-01T00:00:00Z", "endAt": "2025-12-31T00:00:00Z"}
    create = {"fields": ["id", "email"], "filter": {"createdAt": window}}
    export_ids = []
    for _ in range(2):
        answer = await mk.post(f"{export}/create.json", json=create)
        export_ids.append((await check("POST", f"{export}/create.json", answer))["result"][0])
    first, second = (e["exportId"] for e in export_ids)
    answer = await mk.post(f"{export}/{first}/enqueue.json")
    await check("POST", f"{job}/enqueue.json", answer)
    answer = await mk.get(f"{export}/{first}/status.json")
    assert (await check("GET", f"{job}/status.json", answer))["result"][0]["status"] == "Completed"
    await check("GET", f"{export}.json", await mk.get(f"{export}.json"))
    await check("POST", f"{job}/cancel.json", await mk.post(f"{export}/{second}/cancel.json"))
    file = await mk.get(f"{export}/{first}/file.json")  # the file itself: CSV, not JSON
    assert file.status_code == 200
    assert file.text.startswith("id,email\n")
    checked.add(("GET", f"{job}/file.json"))

    assert checked == served(app)


async def test_failures_validate_against_the_envelope(
    mk: httpx.AsyncClient, sim: httpx.AsyncClient
) -> None:
    json_type = {"Content-Type": "application/json"}
    paging, leads = "/rest/v1/activities/pagingtoken.json", "/rest/v1/leads.json"
    cases = [
        ("GET", leads, await mk.get(leads)),
        ("POST", leads, await mk.post(leads, content=b"{", headers=json_type)),
        ("GET", "/rest/v1/activities.json", await mk.get("/rest/v1/activities.json")),
        ("GET", paging, await sim.get(f"/marketo{paging}")),  # no token: 600
    ]
    for method, path, response in cases:
        assert response.status_code == 200
        body = response.json()
        assert body["success"] is False
        assert set(body) == ENVELOPE
        assert_valid(method, path, body, failed=True)
        assert all(set(e) == {"code", "message"} and e["code"].isdigit() for e in body["errors"])
