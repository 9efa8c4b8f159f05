"""The HubSpot simulator assembled: routes, error handlers, auth and rate-limit guard, and the
hooks `/_sim` uses (credentials, ground-truth ids, raw records, UI edits, the write log)."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from simulators.core.clock import parse_iso_ms
from simulators.core.people import LIFECYCLE_STAGES
from simulators.core.platform import InvalidFields, PlatformContext, UnknownRecord
from simulators.hubspot.auth import HubSpotCredentials, TokenEndpoint, Tokens
from simulators.hubspot.contacts import ContactReads
from simulators.hubspot.errors import (
    HubSpotError,
    OAuthError,
    error_response,
    handle_http_exception,
    handle_hubspot_error,
    handle_oauth_error,
)
from simulators.hubspot.guard import Guard, RateLimits
from simulators.hubspot.properties import CONTACT_PROPERTIES
from simulators.hubspot.search import ContactSearch
from simulators.hubspot.store import ContactStore
from simulators.hubspot.writes import ContactWrites

_CONTACTS = "/crm/v3/objects/contacts"
_UI_EDITABLE = CONTACT_PROPERTIES - {"hs_object_id", "lastmodifieddate"}


class HubSpotPlatform:
    name = "hubspot"

    def __init__(self, ctx: PlatformContext) -> None:
        people, seed, clock, stats = ctx.world.people, ctx.seed, ctx.clock, ctx.stats
        token_ttl, enforce_limits = ctx.token_ttl, ctx.enforce_limits
        self.creds = HubSpotCredentials()
        self.store = ContactStore(people, seed, clock)
        self.tokens = Tokens(self.creds, clock, token_ttl)
        self.limits = RateLimits(clock, enforce=enforce_limits)
        reads = ContactReads(self.store, clock)
        writes = ContactWrites(self.store, clock)
        search = ContactSearch(self.store)
        self._routes: list[BaseRoute] = [
            Route("/oauth/v1/token", TokenEndpoint(self.tokens).token, methods=["POST"]),
            Route(_CONTACTS, reads.list, methods=["GET"]),
            Route(f"{_CONTACTS}/batch/read", reads.batch_read, methods=["POST"]),
            Route(f"{_CONTACTS}/batch/upsert", writes.batch_upsert, methods=["POST"]),
            Route(f"{_CONTACTS}/search", search.search, methods=["POST"]),
            Route(f"{_CONTACTS}/{{contactId}}", reads.get, methods=["GET"]),
            Route(f"{_CONTACTS}/{{contactId}}", writes.patch, methods=["PATCH"]),
        ]
        inner = Starlette(
            routes=self._routes,
            exception_handlers={
                HubSpotError: handle_hubspot_error,
                OAuthError: handle_oauth_error,
                HTTPException: handle_http_exception,
            },
        )
        self._app = Guard(inner, self.tokens, self.limits, stats)

    @property
    def app(self) -> ASGIApp:
        return self._app

    @property
    def routes(self) -> Sequence[BaseRoute]:
        return self._routes

    def error_response(self, status: int) -> Response:
        return error_response(status)

    def drift(self, body: Any, rng: random.Random) -> Any:
        """HubSpot-shaped drift: `updatedAt` turns into epoch milliseconds, or `firstname` is
        renamed `first_name`, on every record of the answer."""
        retype = rng.random() < 0.5
        for record in _records(body):
            if retype and isinstance(record.get("updatedAt"), str):
                record["updatedAt"] = parse_iso_ms(record["updatedAt"])
            elif isinstance(record.get("properties"), dict) and "firstname" in record["properties"]:
                record["properties"]["first_name"] = record["properties"].pop("firstname")
        return body

    def credentials(self) -> dict[str, str]:
        return self.creds.as_json()

    def external_ids(self) -> Mapping[str, str]:
        return self.store.external_ids()

    def reset(self, *, reseed: bool) -> None:
        self.limits.reset()
        if reseed:
            self.store.reseed()

    def records(self, email: str) -> list[dict[str, Any]]:
        contact = self.store.by_email(email)
        return [] if contact is None else [contact.raw()]

    def mutate(self, email: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        contact = self.store.by_email(email)
        if contact is None:
            raise UnknownRecord(email)
        unknown = sorted(set(fields) - _UI_EDITABLE)
        if unknown:
            raise InvalidFields(f"not editable in HubSpot: {', '.join(unknown)}")
        stage = fields.get("lifecyclestage")
        if stage is not None and stage not in LIFECYCLE_STAGES:
            raise InvalidFields(f"lifecyclestage {stage!r} is not an option")
        values = {k: None if v is None or v == "" else str(v) for k, v in fields.items()}
        new_email = values.get("email")
        if new_email:
            values["email"] = new_email = new_email.lower()
            holder = self.store.by_email(new_email)
            if holder is not None and holder is not contact:
                raise InvalidFields(f"email {new_email} belongs to contact {holder.id}")
        return self.store.update(contact, values).raw()

    def writes(self) -> list[dict[str, Any]]:
        return list(self.store.writes)


def _records(body: Any) -> Iterator[dict[str, Any]]:
    if isinstance(body, dict):
        if isinstance(body.get("results"), list):
            yield from (r for r in body["results"] if isinstance(r, dict))
        elif "properties" in body:
            yield body
