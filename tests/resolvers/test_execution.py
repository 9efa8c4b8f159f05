"""The plain-leaves execution answers exactly what graphql-core's ordinary execution answers:
same data, same key order, same errors at the same paths, scope checks included."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import strawberry

from access.principal import INTERNAL, Principal
from access.scopes import READ_PII
from resolvers.execution import PlainLeavesExecution
from resolvers.permissions import needs

SECRET = READ_PII


@strawberry.enum
class Stage(enum.Enum):
    LEAD = "lead"
    CUSTOMER = "customer"


@strawberry.type
class Person:
    name: str
    email: str = strawberry.field(extensions=needs(SECRET))
    stage: Stage | None
    score: int | None
    seen: datetime
    broken: str  # a non-null field a bad source leaves null

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    async def later(self) -> int:
        return len(self.name)


@strawberry.type
class Team:
    title: str
    members: list[Person]
    lead: Person | None
    spares: list[Person | None]


@strawberry.type
class Query:
    @strawberry.field
    def teams(self) -> list[Team]:
        seen = datetime(2026, 3, 4, tzinfo=UTC)
        ada = Person(
            name="ada", email="a@x.io", stage=Stage.CUSTOMER, score=9, seen=seen, broken="b"
        )
        bad = Person(name="cy", email="c@x.io", stage=None, score=1, seen=seen, broken=None)  # type: ignore[arg-type]
        return [
            Team(title="one", members=[ada, ada], lead=ada, spares=[None, ada]),
            Team(title="two", members=[], lead=None, spares=[]),
            Team(title="three", members=[bad], lead=bad, spares=[bad]),
        ]

    @strawberry.field
    def people(self) -> list[Person]:
        seen = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        return [
            Person(name="ada", email="ada@x.io", stage=Stage.LEAD, score=3, seen=seen, broken="b"),
            Person(name="bo", email="bo@x.io", stage=None, score=None, seen=seen, broken="b"),
        ]

    @strawberry.field
    def bad(self) -> list[Person]:
        seen = datetime(2026, 1, 2, tzinfo=UTC)
        return [Person(name="cy", email="c@x.io", stage=None, score=1, seen=seen, broken=None)]  # type: ignore[arg-type]


@dataclass
class Context:
    principal: Principal


ORDINARY = strawberry.Schema(Query)
PLAIN = strawberry.Schema(Query, execution_context_class=PlainLeavesExecution)
NO_SECRET = Principal("t", frozenset(), "api_key")

QUERIES = [
    "{ people { name email stage score seen } }",
    "{ people { score later name shout email __typename } }",
    "{ people { n: name ...F e: email } } fragment F on Person { stage seen name }",
    "query($s: Boolean!) { people { name @include(if: $s) score @skip(if: $s) stage } }",
    "{ bad { name broken score } }",
    "{ people { name } bad { score broken } }",
    "{ teams { title members { name email stage } lead { seen score } spares { name } } }",
    "{ teams { title members { name later } lead { shout } } }",
    "{ teams { t: title lead { ...F } members { ...F } } } fragment F on Person { name score }",
    "{ teams { members { name broken } } }",
    "{ teams { lead { name broken } spares { broken } } }",
    "{ teams { title lead { __typename name } } }",
]


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("principal", [INTERNAL, NO_SECRET], ids=["granted", "lacking"])
async def test_same_answer_as_ordinary_execution(query: str, principal: Principal) -> None:
    variables = {"s": True}
    ordinary = await ORDINARY.execute(query, variables, context_value=Context(principal))
    plain = await PLAIN.execute(query, variables, context_value=Context(principal))
    assert _shape(plain) == _shape(ordinary)


async def test_a_caller_without_the_scope_gets_forbidden_at_each_path() -> None:
    result = await PLAIN.execute("{ people { name email } }", context_value=Context(NO_SECRET))
    assert result.data is None  # email is non-null: the null reaches the list's parent
    assert result.errors
    assert result.errors[0].extensions == {"code": "FORBIDDEN", "scope": SECRET, "scopes": [SECRET]}
    assert result.errors[0].path == ["people", 0, "email"]


async def test_granted_leaves_and_resolvers_keep_the_query_order() -> None:
    query = "{ people { later email shout stage seen } }"
    result = await PLAIN.execute(query, context_value=Context(INTERNAL))
    assert result.errors is None
    assert result.data == {
        "people": [
            {
                "later": 3,
                "email": "ada@x.io",
                "shout": "ADA",
                "stage": "LEAD",
                "seen": "2026-01-02T03:04:05+00:00",
            },
            {
                "later": 2,
                "email": "bo@x.io",
                "shout": "BO",
                "stage": None,
                "seen": "2026-01-02T03:04:05+00:00",
            },
        ]
    }
    assert list(result.data["people"][0]) == ["later", "email", "shout", "stage", "seen"]


def _shape(result: Any) -> tuple[Any, Any]:
    data = result.data
    ordered = _keys(data)
    errors = sorted(
        (e.message, tuple(e.path or ()), str(e.extensions)) for e in result.errors or ()
    )
    return (data, ordered), errors


def _keys(value: Any) -> Any:
    if isinstance(value, dict):
        return [(k, _keys(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_keys(v) for v in value]
    return value


class CountingExecution(PlainLeavesExecution):
    fields = 0

    def execute_field(self, *args: Any, **kwargs: Any) -> Any:
        CountingExecution.fields += 1
        return super().execute_field(*args, **kwargs)


async def test_a_plain_subtree_is_completed_without_executing_its_fields() -> None:
    counting = strawberry.Schema(Query, execution_context_class=CountingExecution)
    query = "{ teams { title members { name email stage } lead { seen score } } }"
    CountingExecution.fields = 0
    result = await counting.execute(query, context_value=Context(INTERNAL))
    assert result.errors is None
    assert CountingExecution.fields == 1  # `teams` itself; every field below is plain
    CountingExecution.fields = 0
    await counting.execute(query, context_value=Context(NO_SECRET))
    assert CountingExecution.fields > 1  # `email` needs a scope: the ordinary road reports it
