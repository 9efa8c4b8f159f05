"""schema.graphql is what the code serves, and (once the graph issue lands) keeps the contract."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from resolvers import sdl

ROOT = Path(__file__).resolve().parent.parent
CONTRACT_CHECK = ROOT.parent / "shared" / "tools" / "contract_check.py"


def test_exported_schema_matches_the_served_one() -> None:
    exported = (ROOT / "schema.graphql").read_text()
    assert exported == sdl(), "schema.graphql is stale: run `mgw schema export`"


@pytest.mark.skipif(not CONTRACT_CHECK.exists(), reason="../shared/tools/contract_check.py absent")
def test_served_schema_keeps_the_public_contract() -> None:
    result = subprocess.run(
        [sys.executable, str(CONTRACT_CHECK), str(ROOT / "schema.graphql")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout
