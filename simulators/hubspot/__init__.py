"""The HubSpot CRM v3 simulator (contacts, OAuth, rate limits), mounted at `/hubspot`."""

from __future__ import annotations

from simulators.hubspot.platform import HubSpotPlatform

__all__ = ["HubSpotPlatform"]
