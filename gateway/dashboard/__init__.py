"""The operations dashboard at `/dashboard` (docs/adr/0054-observability.md)."""

from __future__ import annotations

from gateway.dashboard.routes import dashboard_routes

__all__ = ["dashboard_routes"]
