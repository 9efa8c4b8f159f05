"""The registry is the one table of platforms: settings sections, limits, the integration map
and OAuth flows all come from each platform's spec."""

from __future__ import annotations

from canonical_schema import Platform
from connectors.registry import platforms, spec_of, specs, with_capability
from connectors.spec import Capability
from gateway.settings import Settings


def test_every_platform_of_the_enum_has_exactly_one_spec() -> None:
    assert sorted(platforms()) == sorted(Platform)
    assert len({spec.key for spec in specs()}) == len(specs())


def test_settings_hold_a_section_per_registered_platform_of_its_spec_model() -> None:
    settings = Settings(hubspot={"private_app_token": "pat-1"})
    for spec in specs():
        assert isinstance(settings.platform_settings(spec.platform), spec.settings)
    assert settings.platform_settings(Platform.HUBSPOT).configured
    assert settings.connected_platforms() == (Platform.HUBSPOT,)


def test_capabilities_name_who_feeds_what() -> None:
    assert set(with_capability(Capability.COMPANIES)) == {Platform.HUBSPOT, Platform.SALESFORCE}
    assert with_capability(Capability.ORDERS) == (Platform.SHOPIFY,)
    assert set(with_capability(Capability.WEBHOOKS)) == {
        Platform.HUBSPOT,
        Platform.SHOPIFY,
        Platform.MAILCHIMP,
    }
    assert all(spec.can(Capability.CUSTOMERS) for spec in specs())


def test_a_limit_override_keeps_the_documented_defaults_it_does_not_name() -> None:
    from cache.rate_rules import LimitSettings

    spec = spec_of(Platform.HUBSPOT)
    tuned = spec.effective_limits({"hubspot": LimitSettings(requests=190)})
    assert (tuned.requests, tuned.window_seconds, tuned.search_per_second) == (190, 10, 4)


METHODS = {
    Capability.CUSTOMERS: ("records_by_email", "list_records", "count_records"),
    Capability.WRITES: ("upsert_records",),
    Capability.COMPANIES: (
        "companies_of",
        "companies_by_id",
        "companies_by_domain",
        "company_people",
    ),
    Capability.DEALS: ("deals_of", "deals_of_companies", "deals_by_id", "deal_companies"),
    Capability.ORDERS: ("is_order_id", "orders_for_customers", "orders_by_id"),
    Capability.EVENTS: ("events_of",),
    Capability.CAMPAIGNS: ("campaigns",),
}
DEMO = {
    "private_app_token": "pat",
    "client_id": "id",
    "client_secret": "secret",
    "refresh_token": "refresh",
    "access_token": "token",
    "api_key": "key-us1",
    "list_id": "list",
}


async def test_each_connector_can_do_what_its_spec_says_and_no_more() -> None:
    import httpx

    from connectors.base import CompanySource, DealSource, EventSource, OrderSource
    from connectors.credentials import Credentials

    protocols = {
        Capability.COMPANIES: CompanySource,
        Capability.DEALS: DealSource,
        Capability.ORDERS: OrderSource,
        Capability.EVENTS: EventSource,
    }
    async with httpx.AsyncClient(base_url="http://platform.test") as http:
        for spec in specs():
            assert spec.simulated is not None
            connector = spec.connect(spec.simulated("http://sim.test", DEMO), http, Credentials())
            assert connector.platform is spec.platform
            for capability, methods in METHODS.items():
                has = all(callable(getattr(connector, name, None)) for name in methods)
                assert has is spec.can(capability), (spec.key, capability)
            for capability, protocol in protocols.items():
                assert isinstance(connector, protocol) is spec.can(capability), (
                    spec.key,
                    capability,
                )
            assert (spec.webhooks is not None) is spec.can(Capability.WEBHOOKS)
            assert (spec.feed is not None) is spec.can(Capability.CHANGES)
