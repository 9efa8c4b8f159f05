"""Salesforce REST: Contacts and Leads as canonical customers, Accounts and Opportunities as
companies and deals."""

from __future__ import annotations

from connectors.salesforce.auth import SalesforceSession
from connectors.salesforce.client import ChangeSet, SalesforceConnector

__all__ = ["ChangeSet", "SalesforceConnector", "SalesforceSession"]
