"""The spokes: one folder per platform, each turning that platform's API into canonical models.

A connector takes an `httpx.AsyncClient` (base URL and transport chosen by its caller), an
`httpx.Auth`, and speaks its platform's API; `mapping.py` in each folder is pure. Every failure
leaves a connector as one of the exceptions in `connectors.exceptions`.
"""

from __future__ import annotations

from connectors.base import CustomerSink, CustomerSource, RecordPage, UpsertResult

__all__ = ["CustomerSink", "CustomerSource", "RecordPage", "UpsertResult"]
