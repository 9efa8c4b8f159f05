"""HubSpot CRM v3: contacts as canonical customers (read and upsert), companies, deals and
their associations; private-app or OAuth credentials.

    client.py    HubSpotConnector: contacts, incremental changes, upserts; delegates to crm
    crm.py       companies, deals and associations v4, in batch reads
    api.py       one call through the error table; batches in chunks of 100
    changes.py   the keyset cursor of `records_changed_since`
    auth.py      PrivateAppAuth, hubspot_oauth, exchange_code, authorize_url
    mapping.py   contact <-> CustomerRecord, the CRM record shape (pure)
    entities.py  company <-> Company, deal <-> Deal (pure)
    errors.py    the error table, rate-limit waits, UpsertRejected
"""

from __future__ import annotations

from connectors.hubspot.auth import PrivateAppAuth, exchange_code, hubspot_oauth
from connectors.hubspot.client import HubSpotConnector
from connectors.hubspot.crm import Page
from connectors.hubspot.errors import UpsertRejected

__all__ = [
    "HubSpotConnector",
    "Page",
    "PrivateAppAuth",
    "UpsertRejected",
    "exchange_code",
    "hubspot_oauth",
]
