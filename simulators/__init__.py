"""Faithful, hostile local stand-ins for the platform APIs the gateway talks to.

Imports nothing of the rest of the project. `create_app(SimConfig(...))` serves every
simulated platform under its own prefix plus the `/_sim` control API.
"""

from __future__ import annotations

from simulators.app import SimConfig, create_app

__all__ = ["SimConfig", "create_app"]
