"""The Marketo simulator assembled: identity and REST routes, the HTTP-200 error handling,
the token and limits guard, and the hooks `/_sim` uses. Marketo sends no change webhooks:
connectors see changes through `activities/leadchanges.json`."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from simulators.core.invariants import BrokenInvariant
from simulators.core.platform import InvalidFields, PlatformContext, UnknownRecord
from simulators.marketo.activities import ActivityRoutes
from simulators.marketo.auth import IdentityEndpoint, MarketoCredentials, Tokens
from simulators.marketo.bulk import BulkLeadExports
from simulators.marketo.envelope import MarketoError, error_response, failure, message
from simulators.marketo.fields import WRITABLE, RecordSkipped, checked_values, iso_s
from simulators.marketo.guard import Guard, Limits
from simulators.marketo.leads import LeadRoutes
from simulators.marketo.store import LeadStore

_UI_SOURCE = "Person Detail Page"


async def _marketo_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, MarketoError):
        raise BrokenInvariant("expected isinstance(exc, MarketoError)")
    return exc.response()


async def _http_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):
        raise BrokenInvariant("expected isinstance(exc, HTTPException)")
    if exc.status_code == 405:
        return failure(605, message(605, request.method))
    return failure(610)


class MarketoPlatform:
    name = "marketo"

    def __init__(self, ctx: PlatformContext) -> None:
        self.creds = MarketoCredentials()
        self.store = LeadStore(ctx)
        self.tokens = Tokens(self.creds, ctx.clock, ctx.token_ttl)
        self.limits = Limits(ctx.clock, enforce=ctx.enforce_limits)
        identity = IdentityEndpoint(self.tokens).token
        leads = LeadRoutes(self.store)
        # A newer instance is on the Activity Service: its activities carry no `id`.
        acts = ActivityRoutes(self.store, activity_service=ctx.modern)
        self.exports = BulkLeadExports(self.store, ctx.clock)
        export = "/bulk/v1/leads/export"
        self._routes: list[BaseRoute] = [
            Route("/identity/oauth/token", identity, methods=["GET", "POST"]),
            Route("/rest/v1/leads.json", leads.get_many, methods=["GET"]),
            Route("/rest/v1/leads.json", leads.post, methods=["POST"]),
            Route("/rest/v1/lead/{leadId}.json", leads.get_one, methods=["GET"]),
            Route("/rest/v1/activities.json", acts.activities, methods=["GET"]),
            Route("/rest/v1/activities/types.json", acts.types, methods=["GET"]),
            Route("/rest/v1/activities/pagingtoken.json", acts.paging_token, methods=["GET"]),
            Route("/rest/v1/activities/leadchanges.json", acts.lead_changes, methods=["GET"]),
            Route(f"{export}.json", self.exports.listing, methods=["GET"]),
            Route(f"{export}/create.json", self.exports.create, methods=["POST"]),
            Route(f"{export}/{{exportId}}/enqueue.json", self.exports.enqueue, methods=["POST"]),
            Route(f"{export}/{{exportId}}/status.json", self.exports.status, methods=["GET"]),
            Route(f"{export}/{{exportId}}/file.json", self.exports.file, methods=["GET"]),
            Route(f"{export}/{{exportId}}/cancel.json", self.exports.cancel, methods=["POST"]),
        ]
        inner = Starlette(
            routes=self._routes,
            exception_handlers={MarketoError: _marketo_error, HTTPException: _http_error},
        )
        self._app = Guard(inner, self.tokens, self.limits, ctx.stats)

    @property
    def app(self) -> ASGIApp:
        return self._app

    @property
    def routes(self) -> Sequence[BaseRoute]:
        return self._routes

    def error_response(self, status: int) -> Response:
        return error_response(status)

    def drift(self, body: Any, rng: random.Random) -> Any:
        """Marketo-shaped drift on every record of `result`: numbers retyped to strings
        (`leadScore`, `leadId`), or `updatedAt`/`activityDate` renamed."""
        retype = rng.random() < 0.5
        for record in _results(body):
            if retype:
                for key in ("leadScore", "leadId"):
                    if isinstance(record.get(key), int):
                        record[key] = str(record[key])
            else:
                for old, new in (("updatedAt", "updated_at"), ("activityDate", "activity_date")):
                    if old in record:
                        record[new] = record.pop(old)
        return body

    def credentials(self) -> dict[str, str]:
        """The LaunchPoint service's credentials, and the day the instance's first lead was
        created (what its admin would set as `leads_created_since`)."""
        first = min((lead.created_ms for lead in self.store.leads.values()), default=0)
        day = iso_s(first - first % 86_400_000)
        return {**self.creds.as_json(), "leads_created_since": day}

    def external_ids(self) -> Mapping[str, str]:
        return self.store.external_ids()

    def reset(self, *, reseed: bool) -> None:
        self.limits.reset()
        if reseed:
            self.store.reseed()
            self.exports.jobs.clear()

    def records(self, email: str) -> list[dict[str, Any]]:
        return [self.store.raw(lead) for lead in self.store.by_email(email)]

    def mutate(self, email: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        leads = self.store.by_email(email)
        if not leads:
            raise UnknownRecord(email)
        unknown = sorted(set(fields) - WRITABLE)
        if unknown:
            raise InvalidFields(f"not editable in Marketo: {', '.join(unknown)}")
        try:
            values = checked_values(dict(fields), "email")
        except RecordSkipped as exc:
            raise InvalidFields(exc.reason["message"]) from exc
        return self.store.raw(self.store.update(leads[0], values, _UI_SOURCE))

    def writes(self) -> list[dict[str, Any]]:
        return list(self.store.writes)


def _results(body: Any) -> Iterator[dict[str, Any]]:
    if isinstance(body, dict) and isinstance(body.get("result"), list):
        yield from (r for r in body["result"] if isinstance(r, dict))
