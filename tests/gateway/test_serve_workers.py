"""`mgw serve --workers N`: several processes on one port share what replicas share, through
Redis, so without MGW_REDIS_URL it refuses to start rather than multiply the platforms'
budgets (a run with workers is tests/bench/test_harness.py's)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from gateway.cli import app


def test_several_workers_without_redis_refuse_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MGW_REDIS_URL", raising=False)
    monkeypatch.setenv("MGW_HUBSPOT__PRIVATE_APP_TOKEN", "pat-test")
    result = CliRunner().invoke(app, ["serve", "--platforms", "hubspot", "--workers", "2"])
    assert result.exit_code == 2
    assert "--workers 2 needs MGW_REDIS_URL" in " ".join(result.output.split())
