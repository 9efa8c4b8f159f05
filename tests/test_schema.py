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
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout


def test_every_type_and_field_says_what_it_is() -> None:
    """GraphiQL shows these descriptions: an engineer exploring the graph reads nothing else."""
    from graphql import GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

    from resolvers import schema

    undescribed = []
    for name, kind in schema._schema.type_map.items():
        if name.startswith("_") or not isinstance(
            kind, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType
        ):
            continue
        if not kind.description and name not in ("Query", "Mutation", "Subscription"):
            undescribed.append(name)
        undescribed += [
            f"{name}.{field}"
            for field, definition in kind.fields.items()
            if not field.startswith("_") and not definition.description
        ]
    assert undescribed == []
