from __future__ import annotations

from gateway.cli import app

app(prog_name="mgw")
