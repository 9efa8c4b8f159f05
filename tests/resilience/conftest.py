from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.resilience.harness import make_template


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store with its tables made, copied by every cell (most of a cell's setup time)."""
    where = tmp_path_factory.mktemp("template") / "template.db"
    # A thread of its own: the session may already run an event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(make_template, where).result()
