"""ASGI middleware of the security layer."""
