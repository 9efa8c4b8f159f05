from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.services import Services
from tests.sync_jobs.sync_services import open_all


@pytest.fixture
async def services(sim_app: Any, sim: httpx.AsyncClient, tmp_path: Path) -> AsyncIterator[Services]:
    async with open_all(sim_app, sim, tmp_path) as opened:
        yield opened
