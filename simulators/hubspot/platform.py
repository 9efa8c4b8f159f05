"""The HubSpot simulator assembled: routes for every object type, associations and OAuth,
error handlers, the auth and rate-limit guard, and the hooks `/_sim` uses (credentials,
ground-truth ids, raw records, UI edits, the write log)."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from simulators.core.clock import Clock, parse_iso_ms
from simulators.core.platform import InvalidFields, PlatformContext, UnknownRecord
from simulators.hubspot.account import ACCOUNT_DETAILS, AccountInfo
from simulators.hubspot.association_api import AssociationReads
from simulators.hubspot.auth import HubSpotCredentials, Tokens
from simulators.hubspot.errors import (
    HubSpotError,
    OAuthError,
    error_response,
    handle_http_exception,
    handle_hubspot_error,
    handle_oauth_error,
)
from simulators.hubspot.guard import Guard
from simulators.hubspot.limits import RateLimits
from simulators.hubspot.oauth import OAuthEndpoints
from simulators.hubspot.objects import CONTACTS, MODERN_PORTAL_LACKS, ObjectType
from simulators.hubspot.portal import UI, Portal
from simulators.hubspot.preferences import BATCH_UNSUBSCRIBE_ALL, UNSUBSCRIBE_ALL, Preferences
from simulators.hubspot.reads import ObjectReads
from simulators.hubspot.search import ObjectSearch
from simulators.hubspot.webhooks import HubSpotWebhooks
from simulators.hubspot.writes import ObjectWrites

_V4 = "/crm/v4"


class HubSpotPlatform:
    name = "hubspot"

    def __init__(self, ctx: PlatformContext) -> None:
        clock = ctx.clock
        self.creds = HubSpotCredentials()
        webhooks = HubSpotWebhooks(
            ctx.webhooks,
            clock,
            secret=self.creds.client_secret,
            portal_id=self.creds.portal_id,
            app_id=self.creds.app_id,
        )
        lacking = MODERN_PORTAL_LACKS if ctx.modern else frozenset()
        self.portal = Portal(ctx.world, ctx.rng, clock, webhooks, lacking=lacking)
        self._contacts = self.portal.kinds[CONTACTS.name]
        self.tokens = Tokens(self.creds, clock, ctx.token_ttl)
        self.limits = RateLimits(clock, enforce=ctx.enforce_limits)
        oauth = OAuthEndpoints(self.tokens)
        associations = AssociationReads(self.portal, clock)
        preferences = Preferences(self.portal, clock)
        self._routes: list[BaseRoute] = [
            Route("/oauth/authorize", oauth.authorize, methods=["GET"]),
            Route("/oauth/v1/token", oauth.token, methods=["POST"]),
            *(r for kind in self.portal.kinds.values() for r in self._object_routes(kind, clock)),
            Route(
                f"{_V4}/objects/{{fromObjectType}}/{{objectId}}/associations/{{toObjectType}}",
                associations.list,
                methods=["GET"],
            ),
            Route(
                f"{_V4}/associations/{{fromObjectType}}/{{toObjectType}}/batch/read",
                associations.batch_read,
                methods=["POST"],
            ),
            Route(
                ACCOUNT_DETAILS, AccountInfo(self.creds.portal_id, clock).details, methods=["GET"]
            ),
            Route(BATCH_UNSUBSCRIBE_ALL, preferences.batch_unsubscribe_all, methods=["POST"]),
            Route(UNSUBSCRIBE_ALL, preferences.unsubscribe_all, methods=["POST"]),
        ]
        inner = Starlette(
            routes=self._routes,
            exception_handlers={
                HubSpotError: handle_hubspot_error,
                OAuthError: handle_oauth_error,
                HTTPException: handle_http_exception,
            },
        )
        self._app = Guard(inner, self.tokens, self.limits, ctx.stats)

    def _object_routes(self, kind: ObjectType, clock: Clock) -> list[Route]:
        base, one = f"/crm/v3/objects/{kind.name}", f"{{{kind.path_param}}}"
        store = self.portal.stores[kind.name]
        reads = ObjectReads(kind, store, self.portal.associations, clock)
        writes = ObjectWrites(kind, self.portal, clock)
        search = ObjectSearch(kind, store)
        return [
            Route(base, reads.list, methods=["GET"]),
            Route(base, writes.create, methods=["POST"]),
            Route(f"{base}/batch/read", reads.batch_read, methods=["POST"]),
            Route(f"{base}/batch/upsert", writes.batch_upsert, methods=["POST"]),
            Route(f"{base}/search", search.search, methods=["POST"]),
            Route(f"{base}/{one}", reads.get, methods=["GET"]),
            Route(f"{base}/{one}", writes.patch, methods=["PATCH"]),
        ]

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
        return self.portal.external_ids()

    def reset(self, *, reseed: bool) -> None:
        self.limits.reset()
        if reseed:
            self.portal.reseed()

    def records(self, email: str) -> list[dict[str, Any]]:
        contact = self.portal.contacts.by_key(email)
        return [] if contact is None else [contact.raw()]

    def mutate(self, email: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        contact = self.portal.contacts.by_key(email)
        if contact is None:
            raise UnknownRecord(email)
        unknown = sorted(set(fields) - (self._contacts.properties - self._contacts.computed))
        if unknown:
            raise InvalidFields(f"not editable in HubSpot: {', '.join(unknown)}")
        stage = fields.get("lifecyclestage")
        if stage is not None and stage not in CONTACTS.enums["lifecyclestage"]:
            raise InvalidFields(f"lifecyclestage {stage!r} is not an option")
        values = {k: None if v is None or v == "" else str(v) for k, v in fields.items()}
        new_email = values.get("email")
        if new_email:
            values["email"] = new_email = new_email.strip().lower()
            holder = self.portal.contacts.by_key(new_email)
            if holder is not None and holder is not contact:
                raise InvalidFields(f"email {new_email} belongs to contact {holder.id}")
        return self.portal.update(self._contacts, contact, values, source=UI).raw()

    def revoke_tokens(self) -> int:
        return self.tokens.revoke()

    def writes(self) -> list[dict[str, Any]]:
        return list(self.portal.writes)


def _records(body: Any) -> Iterator[dict[str, Any]]:
    if isinstance(body, dict):
        if isinstance(body.get("results"), list):
            yield from (r for r in body["results"] if isinstance(r, dict))
        elif "properties" in body:
            yield body
