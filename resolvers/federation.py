"""The schema as an Apollo Federation 2 subgraph, and as a standalone SDL file.

The served schema is a federation subgraph: `Customer` is an entity keyed by `id` and by
`email`, `Company` by `id` (their `resolve_reference` answer `_entities`), and
`_service { sdl }` answers the subgraph SDL a supergraph composer reads. That SDL uses
`@link` and `@key` without defining them, as federation expects; `standalone_sdl` adds their
definitions (and the scalars they take) so schema.graphql is also a complete GraphQL
document any tool can build (docs/adr/0011-federation.md).
"""

from __future__ import annotations

from graphql import (
    GraphQLNamedType,
    get_named_type,
    is_specified_directive,
    print_directive,
    print_type,
)
from strawberry import Schema


def standalone_sdl(schema: Schema) -> str:
    """The subgraph SDL, followed by the definitions of the directives it applies."""
    text = schema.as_str().rstrip("\n")
    compiled = schema._schema
    extra: list[str] = []
    printed: set[str] = set()
    for directive in compiled.directives:
        if is_specified_directive(directive):
            continue
        extra.append(print_directive(directive))
        for argument in directive.args.values():
            named: GraphQLNamedType = get_named_type(argument.type)
            if named.name in printed or _defined(text, named.name):
                continue
            printed.add(named.name)
            extra.append(print_type(named))
    return "\n\n".join([text, *extra]) + "\n"


def _defined(text: str, name: str) -> bool:
    return any(
        line.startswith((f"scalar {name}", f"enum {name} ", f"input {name} "))
        for line in text.splitlines()
    ) or name in {"String", "Boolean", "Int", "Float", "ID"}
