"""The platforms this build connects to: the one table of them.

Adding a platform is one folder under `connectors/` exporting a `PlatformSpec` from its
`spec.py`, and one line here (docs/architecture.md, "Adding a sixth platform").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from canonical_schema import Platform
from connectors.hubspot.spec import SPEC as HUBSPOT
from connectors.mailchimp.spec import SPEC as MAILCHIMP
from connectors.marketo.spec import SPEC as MARKETO
from connectors.salesforce.spec import SPEC as SALESFORCE
from connectors.shopify.spec import SPEC as SHOPIFY
from connectors.spec import Capability, PlatformSpec

_SPECS: list[PlatformSpec] = [
    HUBSPOT,
    SALESFORCE,
    SHOPIFY,
    MARKETO,
    MAILCHIMP,
]


class UnknownPlatform(KeyError):
    """No spec is registered for the platform."""


def specs() -> tuple[PlatformSpec, ...]:
    """Every registered platform's spec, in registry order."""
    return tuple(_SPECS)


def platforms() -> tuple[Platform, ...]:
    return tuple(spec.platform for spec in _SPECS)


def spec_of(platform: Platform) -> PlatformSpec:
    for spec in _SPECS:
        if spec.platform == platform:
            return spec
    raise UnknownPlatform(platform)


def with_capability(capability: Capability) -> tuple[Platform, ...]:
    """The registered platforms that have `capability`."""
    return tuple(spec.platform for spec in _SPECS if spec.can(capability))


@contextmanager
def registered(spec: PlatformSpec) -> Iterator[PlatformSpec]:
    """`spec` registered for the duration (a platform defined outside this table, such as
    a test's)."""
    _SPECS.append(spec)
    try:
        yield spec
    finally:
        _SPECS.remove(spec)
