"""The Shopify simulator assembled: routes, auth, the cost bucket, webhooks, and the hooks
`/_sim` uses (credentials, ground-truth ids, raw records, UI edits, the write log)."""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp

from simulators.core.invariants import BrokenInvariant
from simulators.core.platform import InvalidFields, PlatformContext, UnknownRecord
from simulators.shopify.auth import OAuthEndpoints, ShopifyCredentials, Tokens
from simulators.shopify.bulk import RESULTS_PATH, BulkOperations
from simulators.shopify.cost import CostBucket
from simulators.shopify.endpoint import GraphQLEndpoint
from simulators.shopify.errors import http_error
from simulators.shopify.mutations import EMAIL, normalized
from simulators.shopify.records import SHOP_DOMAIN, Customer, Order, Visit
from simulators.shopify.render import Renderer, customer_payload, order_payload
from simulators.shopify.schema import API_VERSION
from simulators.shopify.store import ShopStore, e164
from simulators.shopify.webhooks import ShopifyWebhooks

GRAPHQL = f"/admin/api/{API_VERSION}/graphql.json"
# `/_sim/shopify/mutate` fields: the admin's (REST) names, or the GraphQL ones.
_UI_FIELDS = {
    "email": "email",
    "first_name": "first_name",
    "firstName": "first_name",
    "last_name": "last_name",
    "lastName": "last_name",
    "phone": "phone",
    "note": "note",
    "tags": "tags",
    "email_marketing_consent": "consent",
    "emailMarketingConsent": "consent",
}
_CONSENT_STATES = {"subscribed", "unsubscribed", "not_subscribed", "pending"}


async def _http_exception(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, HTTPException):
        raise BrokenInvariant("expected isinstance(exc, HTTPException)")
    return http_error(exc.status_code if exc.status_code != 405 else 404)


class ShopifyPlatform:
    name = "shopify"

    def __init__(self, ctx: PlatformContext) -> None:
        self.ctx = ctx
        self.creds = ShopifyCredentials()
        self.store = ShopStore(ctx.world, ctx.rng)
        self.tokens = Tokens(self.creds, ctx.clock, ctx.token_ttl)
        self.bucket = CostBucket(ctx.clock, enforce=ctx.enforce_limits)
        self.hooks = ShopifyWebhooks(ctx.webhooks, self.creds.client_secret, ctx.clock)
        oauth = OAuthEndpoints(self.tokens)
        self.bulk = BulkOperations(ctx.clock)
        graphql = GraphQLEndpoint(
            self.store, self.tokens, self.bucket, ctx.clock, self._changed, self.bulk
        )
        self._routes: list[BaseRoute] = [
            Route(GRAPHQL, graphql.handle, methods=["POST"]),
            Route(f"{RESULTS_PATH}/{{number}}/{{name}}", self.bulk.result, methods=["GET"]),
            Route("/admin/oauth/access_token", oauth.access_token, methods=["POST"]),
            Route("/admin/oauth/authorize", oauth.authorize, methods=["GET"]),
        ]
        self._app = Starlette(
            routes=self._routes, exception_handlers={HTTPException: _http_exception}
        )

    def _changed(self, topic: str, customer: Customer) -> None:
        self.hooks.send(topic, customer_payload(customer))

    @property
    def app(self) -> ASGIApp:
        return self._app

    @property
    def routes(self) -> Sequence[BaseRoute]:
        return self._routes

    def error_response(self, status: int) -> Response:
        return http_error(status)

    def drift(self, body: Any, rng: random.Random) -> Any:
        """Shopify-shaped drift on every customer of the answer: `amountSpent.amount` turns
        into a JSON number, or `emailMarketingConsent` is renamed `emailMarketingConsentState`."""
        retype = rng.random() < 0.5
        for node in _customers(body):
            spent = node.get("amountSpent")
            if retype and isinstance(spent, dict) and isinstance(spent.get("amount"), str):
                spent["amount"] = float(spent["amount"])
            elif not retype and "emailMarketingConsent" in node:
                node["emailMarketingConsentState"] = node.pop("emailMarketingConsent")
        return body

    def credentials(self) -> dict[str, str]:
        return {
            "shop": self.creds.shop,
            "shop_domain": self.creds.shop_domain,
            "api_version": API_VERSION,
            "access_token": self.creds.access_token,
            "client_id": self.creds.client_id,
            "client_secret": self.creds.client_secret,
            "refresh_token": self.tokens.latest_refresh,
            "webhook_secret": self.creds.client_secret,
        }

    def external_ids(self) -> Mapping[str, str]:
        return self.store.external_ids()

    def reset(self, *, reseed: bool) -> None:
        self.bucket.reset()
        self.bulk.reset()
        if reseed:
            self.store.reseed()

    def _raw(self, customer: Customer) -> dict[str, Any]:
        node = Renderer(self.store).customer(customer)
        node["orders"] = [self.store.orders[i].name for i in customer.order_ids]
        return node

    def records(self, email: str) -> list[dict[str, Any]]:
        customer = self.store.by_mail(email)
        return [] if customer is None else [self._raw(customer)]

    def mutate(self, email: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        customer = self.store.by_mail(email)
        if customer is None:
            raise UnknownRecord(email)
        unknown = sorted(set(fields) - set(_UI_FIELDS))
        if unknown:
            raise InvalidFields(f"not editable in Shopify: {', '.join(unknown)}")
        values = {_UI_FIELDS[k]: v for k, v in fields.items()}
        old_email = customer.email
        self._edit(customer, values)
        customer.updated_ms = self.store.now_ms(self.ctx.clock, customer.updated_ms)
        self.store.reindex_email(customer, old_email)
        self._changed("customers/update", customer)
        return self._raw(customer)

    def _edit(self, customer: Customer, values: dict[str, Any]) -> None:
        if "email" in values:
            new = normalized(values["email"])
            holder = None if new is None else self.store.by_mail(new)
            if new is not None and (not EMAIL.match(new) or holder not in (None, customer)):
                raise InvalidFields(f"email {new!r} is invalid or taken")
            customer.email = new
        consent = values.pop("consent", None)
        if consent is not None:
            state = str(consent.get("state") if isinstance(consent, dict) else consent).lower()
            if state not in _CONSENT_STATES:
                raise InvalidFields(f"email_marketing_consent state {state!r} is not an option")
            customer.consent_state = state.upper()
            customer.consent_updated_ms = self.store.now_ms(self.ctx.clock)
        for name in ("first_name", "last_name", "note"):
            if name in values:
                setattr(customer, name, normalized(values[name], lower=False))
        if "phone" in values:
            customer.phone = e164(normalized(values["phone"], lower=False))
        if "tags" in values:
            tags = values["tags"]
            listed = tags.split(",") if isinstance(tags, str) else list(tags or ())
            customer.tags = sorted({str(t).strip() for t in listed if str(t).strip()})

    def place_order(
        self, email: str, total: str, utm_campaign: str | None, processed_ms: int | None = None
    ) -> dict[str, Any]:
        customer = self.store.by_mail(email)
        if customer is None:
            raise UnknownRecord(email)
        try:
            cents = round(Decimal(total) * 100)
        except (InvalidOperation, ValueError) as exc:
            raise InvalidFields(f"total {total!r} is not an amount") from exc
        if cents <= 0:
            raise InvalidFields("an order's total is positive")
        now = self.store.now_ms(self.ctx.clock)
        if processed_ms is not None and processed_ms > now:
            raise InvalidFields("an order cannot be processed in the future")
        processed = now if processed_ms is None else processed_ms - processed_ms % 1000
        visit = None
        if utm_campaign:
            page = f"https://{SHOP_DOMAIN}/?utm_campaign={utm_campaign}&utm_source=newsletter"
            visit = Visit(
                processed - 60_000, "email", page, None, utm_campaign, "newsletter", "email"
            )
        order_id = max(self.store.orders, default=5_600_000_000_000) + 1
        number = self.store.next_order_number
        self.store.next_order_number += 1
        order = Order(
            order_id,
            number,
            customer.id,
            now,
            now,
            cents,
            "PAID",
            visit,
            None if processed_ms is None else processed,
        )
        self.store.orders[order_id] = order
        customer.order_ids.append(order_id)
        customer.orders_count += 1
        customer.spent_cents += cents
        customer.updated_ms = self.store.now_ms(self.ctx.clock, customer.updated_ms)
        self.hooks.send("orders/create", order_payload(order, customer))
        return Renderer(self.store).order(order) | {"customer": customer.gid}

    def revoke_tokens(self) -> int:
        return self.tokens.revoke()

    def writes(self) -> list[dict[str, Any]]:
        return list(self.store.writes)


def _customers(body: Any) -> Iterator[dict[str, Any]]:
    """Every customer node in a decoded answer (any dict with `amountSpent` or consent)."""
    if isinstance(body, dict):
        if "amountSpent" in body or "emailMarketingConsent" in body:
            yield body
        for value in list(body.values()):
            yield from _customers(value)
    elif isinstance(body, list):
        for item in body:
            yield from _customers(item)
