"""The Salesforce REST simulator (OAuth, SOQL query, sObject Collections, daily API quota),
mounted at `/salesforce`."""

from __future__ import annotations

from simulators.salesforce.platform import SalesforcePlatform

__all__ = ["SalesforcePlatform"]
