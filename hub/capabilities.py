"""Which platforms feed what: the capabilities of the registered platforms, for the layers
above the hub (a field's partial answer names the platforms that feed it)."""

from __future__ import annotations

from connectors.registry import with_capability
from connectors.spec import Capability

__all__ = ["Capability", "with_capability"]
