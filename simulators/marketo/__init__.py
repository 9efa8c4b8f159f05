"""The Marketo REST simulator (identity, leads, activities, HTTP-200 errors and limits),
mounted at `/marketo`."""

from __future__ import annotations

from simulators.marketo.platform import MarketoPlatform

__all__ = ["MarketoPlatform"]
