"""`customerCreate(input)` and `customerUpdate(input)`: validated like Shopify, failures as
`userErrors` at HTTP 200, every accepted write bumping `updatedAt`, logged and announced.

Emails are stored trimmed and lower-cased, phones in E.164. `customerUpdate` refuses
`emailMarketingConsent`: Shopify changes an existing customer's consent only through
`customerEmailMarketingConsentUpdate(input: {customerId, emailMarketingConsent})`, whose
`userErrors` carry a `code` (`INVALID`, `INCLUSION`, ...).
"""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLResolveInfo

from simulators.core.clock import parse_iso_ms
from simulators.shopify.records import Customer, parse_gid
from simulators.shopify.resolvers import Context
from simulators.shopify.store import ShopStore, e164

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CONSENT_ON_UPDATE = (
    "To update emailMarketingConsent, please use the customerEmailMarketingConsentUpdate "
    "Mutation instead"
)
UserErrors = list[dict[str, Any]]


def _error(field: list[str] | None, message: str) -> dict[str, Any]:
    return {"field": field, "message": message}


def _check(store: ShopStore, values: dict[str, Any], current: Customer | None) -> UserErrors:
    errors: UserErrors = []
    email = values.get("email")
    if email is not None:
        if not EMAIL.match(email):
            errors.append(_error(["email"], "Email is invalid"))
        else:
            holder = store.by_mail(email)
            if holder is not None and holder is not current:
                errors.append(_error(["email"], "Email has already been taken"))
    phone = values.get("phone")
    if phone is not None:
        digits = sum(ch.isdigit() for ch in phone)
        if not 7 <= digits <= 15 or re.search(r"[^\d+\-(). ]", phone):
            errors.append(_error(["phone"], "Phone is invalid"))
        else:
            values["phone"] = e164(phone)
            taken = any(
                c.phone == values["phone"] and c is not current for c in store.customers.values()
            )
            if taken:
                errors.append(_error(["phone"], "Phone has already been taken"))
    return errors


def normalized(raw: Any, *, lower: bool = True) -> str | None:
    """A text value as Shopify stores it: trimmed (emails lower-cased); blank clears it."""
    text = raw.strip() if isinstance(raw, str) else None
    return (text.lower() if lower else text) if text else None


def _values(given: dict[str, Any]) -> dict[str, Any]:
    """The input's stored fields, normalised as Shopify stores them."""
    values: dict[str, Any] = {}
    for name in ("email", "firstName", "lastName", "phone", "note"):
        if name in given:
            values[name] = normalized(given[name], lower=name == "email")
    if "tags" in given:
        values["tags"] = sorted({t.strip() for t in given["tags"] or () if t.strip()})
    return values


def _apply(customer: Customer, values: dict[str, Any]) -> None:
    fields = {"firstName": "first_name", "lastName": "last_name"}
    for name, value in values.items():
        setattr(customer, fields.get(name, name), value)


def _done(ctx: Context, customer: Customer | None, errors: UserErrors) -> dict[str, Any]:
    rendered = None if customer is None else ctx.render.customer(customer)
    return {"customer": rendered, "userErrors": errors}


def _log(ctx: Context, name: str, customer: Customer, given: dict[str, Any], new: bool) -> None:
    ctx.store.record_write(
        ctx.clock,
        operation=name,
        route="POST /admin/api/2025-01/graphql.json",
        id=customer.gid,
        email=customer.email,
        input=given,
        new=new,
    )


def customer_create(
    _root: Any, info: GraphQLResolveInfo[Context], input: dict[str, Any]
) -> dict[str, Any]:
    ctx: Context = info.context
    values = _values(input)
    errors = _check(ctx.store, values, None)
    if not errors and not any(values.get(k) for k in ("email", "phone", "firstName", "lastName")):
        errors.append(_error(None, "A name, phone number, or email address must be present"))
    if errors:
        return _done(ctx, None, errors)
    now = ctx.store.now_ms(ctx.clock)
    customer = Customer(0, None, None, None, None, now, now, "NOT_SUBSCRIBED", None, None)
    _apply(customer, values)
    consent = input.get("emailMarketingConsent")
    if consent and customer.email:
        customer.consent_state = consent["marketingState"]
        customer.consent_level = consent.get("marketingOptInLevel") or "SINGLE_OPT_IN"
        customer.consent_updated_ms = now
    ctx.store.create(customer)
    ctx.store.lag_search(customer, now)
    _log(ctx, "customerCreate", customer, input, True)
    ctx.changed("customers/create", customer)
    return _done(ctx, customer, [])


def customer_update(
    _root: Any, info: GraphQLResolveInfo[Context], input: dict[str, Any]
) -> dict[str, Any]:
    ctx: Context = info.context
    number = parse_gid(str(input.get("id") or ""), "Customer")
    customer = None if number is None else ctx.store.customers.get(number)
    if customer is None:
        return _done(ctx, None, [_error(["id"], "Customer does not exist")])
    if "emailMarketingConsent" in input:
        return _done(ctx, None, [_error(["emailMarketingConsent"], _CONSENT_ON_UPDATE)])
    values = _values(input)
    errors = _check(ctx.store, values, customer)
    if errors:
        return _done(ctx, None, errors)
    old_email = customer.email
    _apply(customer, values)
    customer.updated_ms = ctx.store.now_ms(ctx.clock, customer.updated_ms)
    ctx.store.reindex_email(customer, old_email)
    ctx.store.lag_search(customer, customer.updated_ms)
    _log(ctx, "customerUpdate", customer, input, False)
    ctx.changed("customers/update", customer)
    return _done(ctx, customer, [])


# States only Shopify sets (an erased customer, an address found undeliverable).
_INTERNAL_STATES = {"REDACTED", "INVALID"}


def _consent_error(field: list[str], code: str, message: str) -> dict[str, Any]:
    return {"field": field, "code": code, "message": message}


def customer_email_marketing_consent_update(
    _root: Any, info: GraphQLResolveInfo[Context], input: dict[str, Any]
) -> dict[str, Any]:
    """Set an existing customer's email marketing state (and opt-in level, and when)."""
    ctx: Context = info.context
    number = parse_gid(str(input.get("customerId") or ""), "Customer")
    customer = None if number is None else ctx.store.customers.get(number)
    if customer is None:
        error = _consent_error(["customerId"], "INVALID", "Customer does not exist")
        return {"customer": None, "userErrors": [error]}
    consent = input["emailMarketingConsent"]
    state = consent["marketingState"]
    errors: UserErrors = []
    if not customer.email:
        message = "Customer must have an email address to update email marketing consent"
        errors.append(_consent_error(["customerId"], "INVALID", message))
    if state in _INTERNAL_STATES:
        message = f"Marketing state {state} cannot be set"
        errors.append(
            _consent_error(["emailMarketingConsent", "marketingState"], "INCLUSION", message)
        )
    if errors:
        return {"customer": None, "userErrors": errors}
    now = ctx.store.now_ms(ctx.clock, customer.updated_ms)
    at = consent.get("consentUpdatedAt")
    customer.consent_state = state
    customer.consent_level = (
        consent.get("marketingOptInLevel")
        or customer.consent_level
        or ("SINGLE_OPT_IN" if state == "SUBSCRIBED" else None)
    )
    customer.consent_updated_ms = parse_iso_ms(at) if isinstance(at, str) else now
    customer.updated_ms = now
    _log(ctx, "customerEmailMarketingConsentUpdate", customer, input, False)
    ctx.changed("customers/update", customer)
    return _done(ctx, customer, [])
