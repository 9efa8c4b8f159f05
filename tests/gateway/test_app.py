"""The gateway over real sockets when the platform is down, and the HTTP rules of /graphql."""

from __future__ import annotations

import httpx

from connectors.hubspot.settings import HubSpotSettings
from gateway.app import create_app
from gateway.servers import free_port
from gateway.settings import Settings


async def test_a_platform_that_is_down_is_a_typed_error_not_a_500() -> None:
    dead = f"http://127.0.0.1:{free_port()}/hubspot"
    app = create_app(Settings(hubspot=HubSpotSettings(base_url=dead, private_app_token="pat-x")))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            response = await client.post(
                "/graphql", json={"query": '{ customer(email: "a@b.co") { email } }'}
            )
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"customer": None}
    [error] = body["errors"]
    assert error["path"] == ["customer"]
    correlation_id = error["extensions"].pop("correlationId")  # the operation's, no upstream id
    assert error["extensions"] == {
        "code": "UPSTREAM_UNAVAILABLE",
        "platform": "HUBSPOT",
        "retryable": True,
    }
    assert len(correlation_id) == 32
    assert "Traceback" not in error["message"]


async def test_graphiql_in_a_browser_and_health(gateway) -> None:
    page = await gateway.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    health = await gateway.get("/healthz")
    assert health.json() == {"status": "ok", "platforms": ["HUBSPOT"]}


async def test_a_body_that_is_not_json_is_a_400(gateway) -> None:
    response = await gateway.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "Traceback" not in response.text


async def test_request_errors_are_400_for_graphql_response_json_clients(gateway) -> None:
    response = await gateway.post(
        "/graphql",
        json={"query": "{ customer(email: "},
        headers={"accept": "application/graphql-response+json"},
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/graphql-response+json"
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"


async def test_request_errors_are_200_for_legacy_json_clients(gateway) -> None:
    response = await gateway.post("/graphql", json={"query": "{ nope }"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_field_errors_keep_200_and_data(gateway) -> None:
    response = await gateway.post(
        "/graphql",
        json={"query": "{ customers(first: 0) { totalCount } }"},
        headers={"accept": "application/graphql-response+json"},
    )
    assert response.status_code == 200
    assert response.json()["data"] is None
