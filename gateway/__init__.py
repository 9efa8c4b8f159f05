"""The service: ASGI app factory, settings, CLI (`mgw`), and the routes around the graph."""
