"""Which platforms feed what: the capabilities of the registered platforms, for the layers
above the hub (a field's partial answer names the platforms that feed it)."""

from __future__ import annotations

from canonical_schema import Platform
from connectors.registry import UnknownPlatform, spec_of, with_capability
from connectors.spec import Capability

__all__ = ["Capability", "display_name", "ids_encode_pii", "with_capability"]


def ids_encode_pii(platform: Platform) -> bool:
    """Whether `platform`'s record ids encode personal data (its spec says)."""
    return spec_of(platform).ids_encode_pii


def display_name(platform: str) -> str:
    """A platform's name as people write it (HubSpot), from its enum name (HUBSPOT)."""
    try:
        return spec_of(Platform[platform]).name
    except (KeyError, UnknownPlatform):
        return platform.title()
