"""Shopify's error bodies. The Admin API runs graphql-ruby, so GraphQL errors read the way
graphql-ruby writes them; graphql-core's validation messages are translated here, in one table.

- HTTP errors: `{"errors": "<text>"}` (401 invalid token, 404, 5xx ...)
- GraphQL errors at HTTP 200: `{"errors": [{message, locations, path, extensions{code ...}}]}`
  e.g. `Field 'foo' doesn't exist on type 'Customer'` (`undefinedField`),
  `Parse error on "}" (RCURLY) at [1, 15]`, `Throttled` (`THROTTLED`), `MAX_COST_EXCEEDED`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    InlineFragmentNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    Source,
    ValueNode,
)
from graphql.language import Lexer, TokenKind
from starlette.responses import JSONResponse, Response

INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
RATE_DOCS = "https://shopify.dev/api/usage/rate-limits"
_HTTP_TEXT = {
    400: "Bad Request",
    401: INVALID_TOKEN,
    402: "Unavailable Shop",
    403: "Forbidden",
    404: "Not Found",
    406: "Not Acceptable",
    423: "Locked",
    429: "Exceeded 2 calls per second for api client. Reduce request rates to resume "
    "uninterrupted service.",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_RUBY_TOKEN = {
    TokenKind.BRACE_L: "LCURLY",
    TokenKind.BRACE_R: "RCURLY",
    TokenKind.PAREN_L: "LPAREN",
    TokenKind.PAREN_R: "RPAREN",
    TokenKind.BRACKET_L: "LBRACKET",
    TokenKind.BRACKET_R: "RBRACKET",
    TokenKind.COLON: "COLON",
    TokenKind.DOLLAR: "VAR_SIGN",
    TokenKind.AT: "DIR_SIGN",
    TokenKind.SPREAD: "ELLIPSIS",
    TokenKind.EQUALS: "EQUALS",
    TokenKind.BANG: "BANG",
    TokenKind.PIPE: "PIPE",
    TokenKind.AMP: "AMP",
    TokenKind.NAME: "IDENTIFIER",
    TokenKind.INT: "INT",
    TokenKind.FLOAT: "FLOAT",
    TokenKind.STRING: "STRING",
    TokenKind.BLOCK_STRING: "STRING",
}


def http_error(status: int, text: str | None = None) -> Response:
    headers = {"Retry-After": "2.0"} if status == 429 else None
    body = {"errors": text or _HTTP_TEXT.get(status, "Internal Server Error")}
    return JSONResponse(body, status_code=status, headers=headers)


def _locations(error: GraphQLError) -> list[dict[str, int]]:
    return [{"line": loc.line, "column": loc.column} for loc in error.locations or ()]


def parse_error(query: str, error: GraphQLError) -> dict[str, Any]:
    """graphql-ruby's parse error for what graphql-core's lexer finds at the error position."""
    locations = _locations(error)
    position = next(iter(error.positions or ()), 0)
    lexer = Lexer(Source(query))
    try:
        token = lexer.advance()
        while token.kind != TokenKind.EOF and token.start < position:
            token = lexer.advance()
    except GraphQLError:
        text, kind = query[position : position + 1], "error"
    else:
        if token.kind == TokenKind.EOF:
            return {"message": "Unexpected end of document", "locations": locations}
        text, kind = token.value or token.kind.value, _RUBY_TOKEN.get(token.kind, "error")
    where = f"[{locations[0]['line']}, {locations[0]['column']}]" if locations else "[1, 1]"
    return {"message": f'Parse error on "{text}" ({kind}) at {where}', "locations": locations}


def _paths(document: DocumentNode) -> dict[int, list[str]]:
    """graphql-ruby's error paths (`["query", "customers", "nodes", "foo"]`) by AST node id."""
    paths: dict[int, list[str]] = {}

    def value(node: ValueNode, path: list[str]) -> None:
        paths[id(node)] = path
        if isinstance(node, ObjectValueNode):
            for item in node.fields:
                paths[id(item)] = [*path, item.name.value]
                value(item.value, [*path, item.name.value])

    def walk(selection_set: SelectionSetNode | None, path: list[str]) -> None:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                here = [*path, selection.name.value]
                paths[id(selection)] = here
                for argument in selection.arguments or ():
                    paths[id(argument)] = [*here, argument.name.value]
                    value(argument.value, [*here, argument.name.value])
                walk(selection.selection_set, here)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                walk(
                    selection.selection_set,
                    [*path, f"... on {condition.name.value}" if condition else "..."],
                )

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            name = definition.name.value if definition.name else ""
            walk(definition.selection_set, [f"{definition.operation.value} {name}".strip()])
        elif isinstance(definition, FragmentDefinitionNode):
            walk(definition.selection_set, [f"fragment {definition.name.value}"])
    return paths


Translate = Callable[[re.Match[str], list[Any]], tuple[str, dict[str, Any]]]


_TABLE: list[tuple[re.Pattern[str], Translate]] = [
    (
        re.compile(r"Cannot query field '(\w+)' on type '(\w+)'"),
        lambda m, _: (
            f"Field '{m[1]}' doesn't exist on type '{m[2]}'",
            {"code": "undefinedField", "typeName": m[2], "fieldName": m[1]},
        ),
    ),
    (
        re.compile(r"Unknown argument '(\w+)' on field '\w+\.(\w+)'"),
        lambda m, _: (
            f"Field '{m[2]}' doesn't accept argument '{m[1]}'",
            {
                "code": "argumentNotAccepted",
                "name": m[2],
                "typeName": "Field",
                "argumentName": m[1],
            },
        ),
    ),
    (
        re.compile(r"Expected value of type '(\w+)!?' not to include unknown field '(\w+)'"),
        lambda m, _: (
            f"InputObject '{m[1]}' doesn't accept argument '{m[2]}'",
            {
                "code": "argumentNotAccepted",
                "name": m[1],
                "typeName": "InputObject",
                "argumentName": m[2],
            },
        ),
    ),
    (
        re.compile(r"Field '(\w+)' is not defined by type '(\w+)'"),
        lambda m, _: (
            f"InputObject '{m[2]}' doesn't accept argument '{m[1]}'",
            {
                "code": "argumentNotAccepted",
                "name": m[2],
                "typeName": "InputObject",
                "argumentName": m[1],
            },
        ),
    ),
    (
        re.compile(r"Field '(\w+)' of type '(.+)' must have a selection of subfields"),
        lambda m, _: (
            f"Field must have selections (field '{m[1]}' returns {m[2]} but has no selections. "
            f"Did you mean '{m[1]} {{ ... }}'?)",
            {"code": "selectionMismatch", "nodeName": f"field '{m[1]}'", "typeName": m[2]},
        ),
    ),
    (
        re.compile(r"Field '(\w+)' must not have a selection since type '(.+)' has no subfields"),
        lambda m, _: (
            f"Selections can't be made on scalars (field '{m[1]}' returns {m[2]} "
            "but has selections)",
            {"code": "selectionMismatch", "nodeName": f"field '{m[1]}'", "typeName": m[2]},
        ),
    ),
    (
        re.compile(r"Argument '\w+\.(\w+)\((\w+):\)' of type '.+' is required"),
        lambda m, _: (
            f"Field '{m[1]}' is missing required arguments: {m[2]}",
            {
                "code": "missingRequiredArguments",
                "className": "Field",
                "name": m[1],
                "arguments": m[2],
            },
        ),
    ),
    (
        re.compile(r"Variable '\$(\w+)' is never used"),
        lambda m, _: (
            f"Variable ${m[1]} is declared but not used",
            {"code": "variableNotUsed", "variableName": m[1]},
        ),
    ),
    (
        re.compile(r"Variable '\$(\w+)' is not defined"),
        lambda m, _: (
            f"Variable ${m[1]} is used but not declared",
            {"code": "variableNotDefined", "variableName": m[1]},
        ),
    ),
    (
        re.compile(r"Unknown type '(\w+)'"),
        lambda m, _: (
            f"No such type {m[1]}, so it can't be a fragment condition",
            {"code": "undefinedType", "typeName": m[1]},
        ),
    ),
    (
        re.compile(
            r"(?:(\w+) cannot represent|Value '.*' does not exist in '(\w+)' enum"
            r"|Expected value of type '(\w+!?)')"
        ),
        lambda m, nodes: _bad_literal(m[1] or m[2] or m[3], nodes),
    ),
]


def _bad_literal(type_name: str, nodes: list[Any]) -> tuple[str, dict[str, Any]]:
    from graphql import print_ast

    shown = print_ast(nodes[0]) if nodes else "?"
    return (
        f"Argument has an invalid value ({shown}). Expected type '{type_name}'.",
        {"code": "argumentLiteralsIncompatible", "typeName": "CoercionError"},
    )


def validation_errors(document: DocumentNode, errors: list[GraphQLError]) -> list[dict[str, Any]]:
    paths = _paths(document)
    out = []
    for error in errors:
        nodes = list(error.nodes or ())
        message, extensions = error.message, {"code": "validationError"}
        for pattern, translate in _TABLE:
            match = pattern.search(error.message)
            if match:
                message, extensions = translate(match, nodes)
                break
        entry: dict[str, Any] = {"message": message}
        if error.locations:
            entry["locations"] = _locations(error)
        path = next((paths[id(n)] for n in nodes if id(n) in paths), None)
        if path:
            entry["path"] = path
        entry["extensions"] = extensions
        out.append(entry)
    return out


def variable_error(
    error: GraphQLError, declared: dict[str, str], raw: dict[str, Any]
) -> dict[str, Any]:
    """graphql-ruby's `Variable $input of type CustomerInput! was provided invalid value for
    bogus (Field is not defined on CustomerInput)`, with `extensions.problems`."""
    match = re.search(
        r"Variable '\$(\w+)' has invalid value(?: at \.([\w.]+))?: (.*)", error.message
    )
    name = match[1] if match else "?"
    path: list[str] = match[2].split(".") if match and match[2] else []
    explanation = match[3].rstrip(".") if match else error.message
    unknown = re.search(r"type '(\w+)!?' not to include unknown field '(\w+)'", explanation)
    required = re.search(r"to include required field '(\w+)'", explanation)
    if unknown:
        explanation, path = f"Field is not defined on {unknown[1]}", [*path, unknown[2]]
    elif required:
        explanation, path = "Expected value to not be null", [*path, required[1]]
    elif "non-null" in explanation:
        explanation = "Expected value to not be null"
    message = f"Variable ${name} of type {declared.get(name, '?')} was provided invalid value"
    if path:
        message += f" for {'.'.join(path)} ({explanation})"
    entry: dict[str, Any] = {"message": message}
    if error.locations:
        entry["locations"] = _locations(error)
    entry["extensions"] = {
        "value": raw.get(name),
        "problems": [{"path": path, "explanation": explanation}],
    }
    return entry


def throttled() -> dict[str, Any]:
    return {"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": RATE_DOCS}}


def max_cost_exceeded(cost: int, limit: int) -> dict[str, Any]:
    message = (
        f"Query cost is {cost}, which exceeds the single query max cost limit ({limit}).\n\n"
        "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"
        "cost of a query is calculated.\n\n"
        "To query larger amounts of data with fewer limits, bulk operations should be used "
        "instead.\nSee https://shopify.dev/api/usage/bulk-operations/queries for usage details.\n"
    )
    return {
        "message": message,
        "extensions": {"code": "MAX_COST_EXCEEDED", "cost": cost, "maxCost": limit},
    }
