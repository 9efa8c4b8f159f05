"""A sixth platform is one spec and one registration: this test defines "Pigeon" (a tiny
people API served by a Starlette app in the test), registers its spec, and reads a customer
from it through the graph — no file outside this test changes.

The one thing a real sixth platform adds beyond its folders and its registry line is its
member of the `Platform` enum (`canonical_schema/enums.py`, part of the public schema);
here the test adds that member for its own duration."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import httpx
import pytest
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from cache.rate_rules import LimitSettings
from canonical_schema import CustomerRecord, Platform, normalize_email
from connectors.base import RecordPage
from connectors.credentials import Credentials
from connectors.errors import ErrorShape
from connectors.http import call_json
from connectors.registry import registered
from connectors.spec import Capability, PlatformSpec
from gateway.app import create_app
from gateway.settings import Settings

PEOPLE = {
    "ada@pigeon.test": {
        "id": "p1",
        "email": "Ada@Pigeon.test",
        "given": "Ada",
        "family": "Lovelace",
    }
}
TOKEN = "pigeon-token"


async def people(request: Request) -> JSONResponse:
    """`GET /v1/people?email=a&email=b` (bearer token): the people with those emails."""
    if request.headers.get("authorization") != f"Bearer {TOKEN}":
        return JSONResponse({"error": "unauthorized"}, status_code=401)
    wanted = {normalize_email(e) for e in request.query_params.getlist("email")}
    return JSONResponse({"people": [p for key, p in PEOPLE.items() if key in wanted]})


PIGEON_API = Starlette(routes=[Route("/v1/people", people)])


@pytest.fixture
def pigeon() -> Iterator[Platform]:
    """`Platform.PIGEON`, for this test only."""
    member = str.__new__(Platform, "pigeon")
    member._name_, member._value_ = "PIGEON", "pigeon"
    Platform._member_map_["PIGEON"] = member
    Platform._value2member_map_["pigeon"] = member
    Platform._member_names_.append("PIGEON")
    try:
        yield member
    finally:
        Platform._member_names_.remove("PIGEON")
        del Platform._member_map_["PIGEON"], Platform._value2member_map_["pigeon"]


class PigeonSettings(BaseModel):
    base_url: str = "http://pigeon.test"
    token: str = TOKEN
    missing: ClassVar[str] = "MGW_PIGEON__TOKEN"

    @property
    def configured(self) -> bool:
        return bool(self.token)

    @property
    def credential(self) -> str:
        return self.token


class PigeonConnector:
    def __init__(self, platform: Platform, http: httpx.AsyncClient, token: str) -> None:
        self.platform = platform
        self._http = http
        self._token = token

    async def records_by_email(self, emails: Sequence[str]) -> dict[str, CustomerRecord]:
        request = self._http.build_request(
            "GET",
            "/v1/people",
            params=[("email", email) for email in emails],
            headers={"authorization": f"Bearer {self._token}"},
        )
        body = await call_json(self._http, self.platform, request, SHAPE)
        found = {}
        for person in body["people"]:
            record = CustomerRecord(
                platform=self.platform,
                external_id=person["id"],
                email=normalize_email(person["email"]),
                first_name=person["given"],
                last_name=person["family"],
            )
            found[record.email] = record
        return found

    async def list_records(self, limit: int, after: str | None) -> RecordPage:
        return RecordPage([], None)

    async def count_records(self) -> int:
        return len(PEOPLE)


SHAPE = ErrorShape(
    (), code=lambda body: None, message=lambda body: None, correlation_id=lambda b, h: None
)


def pigeon_spec(platform: Platform) -> PlatformSpec:
    def connect(
        options: PigeonSettings, http: httpx.AsyncClient, creds: Credentials, *, phone_region: str
    ) -> Any:
        return PigeonConnector(platform, http, options.token)  # its people have no phones

    return PlatformSpec(
        platform=platform,
        settings=PigeonSettings,
        connect=connect,
        api_base=lambda options: options.base_url,
        capabilities=frozenset({Capability.CUSTOMERS}),
        errors=SHAPE,
        write_shape=lambda record, current: {},
        limits=LimitSettings(requests=10, window_seconds=1),
        entities="people",
    )


async def test_a_registered_sixth_platform_is_read_through_the_graph(
    pigeon: Platform, database_url: str
) -> None:
    with registered(pigeon_spec(pigeon)):
        settings = Settings(platforms="pigeon", database_url=database_url)
        app = create_app(settings, transport=httpx.ASGITransport(app=PIGEON_API))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as client:
                query = '{ customer(email: "ADA@pigeon.test") { email displayName } }'
                answer = (await client.post("/graphql", json={"query": query})).json()
    assert answer == {
        "data": {"customer": {"email": "ada@pigeon.test", "displayName": "Ada Lovelace"}}
    }
