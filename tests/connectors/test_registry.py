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
