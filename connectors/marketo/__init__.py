"""Marketo REST: leads as canonical customers, activities as behavioral events."""

from __future__ import annotations

from connectors.marketo.auth import ClientCredentials, client_credentials_auth
from connectors.marketo.client import MarketoConnector
from connectors.marketo.errors import RecordsSkippedError

__all__ = [
    "ClientCredentials",
    "MarketoConnector",
    "RecordsSkippedError",
    "client_credentials_auth",
]
