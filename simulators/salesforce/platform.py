"""The Salesforce simulator assembled: routes under `/services`, error handlers, the session
and daily-quota guard, and the hooks `/_sim` uses (credentials, ground-truth ids, raw records,
UI edits, the write log). No webhooks: Salesforce changes reach connectors by incremental
queries on `SystemModstamp`, which every write and UI edit bumps."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from simulators.core.platform import InvalidFields, PlatformContext, UnknownRecord
from simulators.salesforce.auth import OAuthEndpoints, SalesforceCredentials, Sessions
from simulators.salesforce.composite import Collections
from simulators.salesforce.errors import (
    OAuthError,
    RecordError,
    SalesforceError,
    error_response,
    handle_http_exception,
    handle_oauth_error,
    handle_record_error,
    handle_salesforce_error,
)
from simulators.salesforce.guard import DailyQuota, Guard
from simulators.salesforce.org import OrgEndpoints
from simulators.salesforce.query import QueryEndpoints
from simulators.salesforce.schema import CURRENCIES, CUSTOM_LEAD_STATUSES, LEAD_STATUSES
from simulators.salesforce.seed import seed
from simulators.salesforce.sobjects import SingleRecords
from simulators.salesforce.store import (
    API,
    EMAIL_OBJECTS,
    Record,
    Store,
    attributes,
    email_key,
    parse_ms,
)
from simulators.salesforce.values import check, decode


class SalesforcePlatform:
    name = "salesforce"

    def __init__(self, ctx: PlatformContext) -> None:
        self._ctx = ctx
        self.creds = SalesforceCredentials()
        # A newer org has its admins' own Lead Status picklist.
        self._statuses = CUSTOM_LEAD_STATUSES if ctx.modern else LEAD_STATUSES
        self.store = Store(
            ctx.clock, lead_statuses=self._statuses, multi_currency=ctx.multi_currency
        )
        self._external_ids: dict[str, str] = {}
        self._reseed()
        self.sessions = Sessions(self.creds, ctx.clock, ctx.token_ttl)
        self.quota = DailyQuota(ctx.clock, enforce=ctx.enforce_limits)
        oauth = OAuthEndpoints(self.sessions)
        self.queries = QueryEndpoints(self.store, ctx.clock)
        collections = Collections(self.store)
        single = SingleRecords(self.store)
        org = OrgEndpoints(self.quota)
        sobjects, composite = f"{API}/sobjects/{{sobject}}", f"{API}/composite/sobjects"
        self._routes: list[BaseRoute] = [
            Route("/services/oauth2/authorize", oauth.authorize, methods=["GET"]),
            Route("/services/oauth2/token", oauth.token, methods=["POST"]),
            Route("/services/data", org.versions, methods=["GET"]),
            Route(f"{API}/limits", org.limits, methods=["GET"]),
            Route(f"{API}/query", self.queries.query, methods=["GET"]),
            Route(f"{API}/query/{{locator}}", self.queries.more, methods=["GET"]),
            Route(composite, collections.create, methods=["POST"]),
            Route(composite, collections.update, methods=["PATCH"]),
            Route(f"{composite}/{{sobject}}", collections.read, methods=["GET", "POST"]),
            Route(f"{composite}/{{sobject}}/{{field}}", collections.upsert, methods=["PATCH"]),
            Route(sobjects, single.create, methods=["POST"]),
            Route(f"{sobjects}/describe", single.describe, methods=["GET"]),
            Route(f"{sobjects}/{{id}}", single.get, methods=["GET"]),
            Route(f"{sobjects}/{{id}}", single.update, methods=["PATCH"]),
            Route(f"{sobjects}/{{field}}/{{value}}", single.get_by_key, methods=["GET"]),
            Route(f"{sobjects}/{{field}}/{{value}}", single.upsert, methods=["PATCH"]),
        ]
        inner = Starlette(
            routes=self._routes,
            exception_handlers={
                SalesforceError: handle_salesforce_error,
                RecordError: handle_record_error,
                OAuthError: handle_oauth_error,
                HTTPException: handle_http_exception,
            },
        )
        self._app = Guard(inner, self.sessions, self.quota, ctx.stats)

    def _reseed(self) -> None:
        ctx = self._ctx
        seeded = seed(ctx.world.people, ctx.rng("seed"), ctx.rng("mess"), self._statuses)
        currencies = ctx.rng("currency")
        for name, records in seeded.tables.items():
            if self.store.multi_currency:  # deals in the org's currencies, the rest corporate
                for record in records:
                    money = name == "Opportunity" and currencies.random() < 0.4
                    record["CurrencyIsoCode"] = (
                        currencies.choice(CURRENCIES[1:]) if money else CURRENCIES[0]
                    )
            self.store.load(name, records, seeded.next_numbers[name])
        self.store.writes.clear()
        self._external_ids = seeded.external_ids

    @property
    def app(self) -> ASGIApp:
        return self._app

    @property
    def routes(self) -> Sequence[BaseRoute]:
        return self._routes

    def error_response(self, status: int) -> Response:
        return error_response(status)

    def drift(self, body: Any, rng: random.Random) -> Any:
        """Salesforce-shaped drift on every record of the answer: `Email` becomes the custom
        field `Email__c`, `Amount` or `NumberOfEmployees` turns into a string, or
        `SystemModstamp` into epoch milliseconds."""
        records = list(_records(body))
        changes = [
            (name, how)
            for name, how in (
                ("Email", "rename"),
                ("Amount", "string"),
                ("NumberOfEmployees", "string"),
                ("SystemModstamp", "epoch"),
            )
            if any(name in r for r in records)
        ]
        if not changes:
            return body
        name, how = rng.choice(changes)
        for record in records:
            if name not in record:
                continue
            if how == "rename":
                record[f"{name}__c"] = record.pop(name)
            elif how == "string" and record[name] is not None:
                record[name] = str(record[name])
            elif how == "epoch" and record[name] is not None:
                record[name] = parse_ms(record[name])
        return body

    def credentials(self) -> dict[str, str]:
        return self.creds.as_json()

    def external_ids(self) -> Mapping[str, str]:
        return dict(self._external_ids)

    def reset(self, *, reseed: bool) -> None:
        self.quota.reset()
        self.queries.reset()
        if reseed:
            self._reseed()

    def _held(self, email: str) -> Iterator[tuple[str, Record]]:
        for name in EMAIL_OBJECTS:
            for record in self.store.by_email(name, email):
                yield name, record

    def records(self, email: str) -> list[dict[str, Any]]:
        return [{"attributes": attributes(n, r["Id"]), **r} for n, r in self._held(email)]

    def mutate(self, email: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Edit the person's record as a user would in the UI: their Contact, else the Lead
        `/_sim/people` names (the oldest). Bumps `LastModifiedDate` and `SystemModstamp`."""
        held = list(self._held(email))
        if not held:
            raise UnknownRecord(email)
        wanted = self._external_ids.get(email_key(email))
        name, record = next(((n, r) for n, r in held if r["Id"] == wanted), held[0])
        obj = self.store.schema[name]
        try:
            values = check(
                obj, decode(obj, dict(fields)), self.store, creating=False, existing=record
            )
        except SalesforceError as exc:
            raise InvalidFields(exc.message) from exc
        except RecordError as exc:
            raise InvalidFields(f"{exc.code}: {exc.message}") from exc
        updated = self.store.update(name, record, values)
        return {"attributes": attributes(name, updated["Id"]), **updated}

    def revoke_tokens(self) -> int:
        return self.sessions.revoke()

    def writes(self) -> list[dict[str, Any]]:
        return list(self.store.writes)


def _records(body: Any) -> Iterator[dict[str, Any]]:
    if isinstance(body, dict) and isinstance(body.get("records"), list):
        yield from (r for r in body["records"] if isinstance(r, dict))
    elif isinstance(body, list):
        yield from (r for r in body if isinstance(r, dict) and "attributes" in r)
    elif isinstance(body, dict) and "attributes" in body:
        yield body
