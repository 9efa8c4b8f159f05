"""HubSpot CRM v3: contacts as canonical customers."""

from __future__ import annotations

from connectors.hubspot.auth import PrivateAppAuth
from connectors.hubspot.client import HubSpotConnector

__all__ = ["HubSpotConnector", "PrivateAppAuth"]
