"""The SOQL subset the simulator understands, parsed into a `Query`, with Salesforce's errors:

    SELECT f1, f2 | COUNT() FROM Contact|Lead|Account|Opportunity
      [WHERE cond [AND|OR cond]...]      cond: field op literal | field [NOT] IN (literals)
                                          | field LIKE 'a%' | ( cond ... )
      [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST]] [LIMIT n]

Literals: 'strings', numbers, true/false, null, dates (2026-01-01) and datetimes
(2026-01-01T00:00:00Z, with optional fraction and offset), typed against the field as SOQL
does. Anything else is 400 `MALFORMED_QUERY`; an unknown field `INVALID_FIELD`; an unknown
object `INVALID_TYPE`, each with the query excerpt, a caret and `ERROR at Row:r:Column:c`.
Mixing AND and OR without parentheses is malformed, as in SOQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from simulators.core.invariants import BrokenInvariant
from simulators.salesforce.errors import SalesforceError
from simulators.salesforce.ids import normalize
from simulators.salesforce.schema import SOBJECTS, Schema, SObject, sobject
from simulators.salesforce.store import sf_datetime

_TOKEN = re.compile(
    r"""(?P<ws>\s+)
    |(?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2}))
    |(?P<date>\d{4}-\d{2}-\d{2})
    |(?P<number>-?\d+(?:\.\d+)?)
    |(?P<string>'(?:[^'\\]|\\.)*')
    |(?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<op><=|>=|!=|<>|=|<|>)
    |(?P<punct>[,()])""",
    re.VERBOSE,
)
_TEXT_TYPES = {"string", "email", "phone", "url", "picklist", "id", "reference"}
_NO_COLUMN = (
    "No such column '{name}' on entity '{entity}'. If you are attempting to use a custom field, "
    "be sure to append the '__c' after the custom field name. Please reference your WSDL or the "
    "describe call for the appropriate names."
)
_NO_TYPE = (
    "sObject type '{name}' is not supported. If you are attempting to use a custom object, be "
    "sure to append the '__c' after the entity name. Please reference your WSDL or the describe "
    "call for the appropriate names."
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    at: int


@dataclass(frozen=True)
class Condition:
    field: str
    op: str  # = != < <= > >= IN NOT IN LIKE
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Group:
    op: str  # AND | OR
    parts: tuple[Condition | Group, ...]


@dataclass(frozen=True)
class Query:
    sobject: SObject
    fields: tuple[str, ...]
    where: Condition | Group | None
    order: tuple[str, bool, bool] | None  # field, descending, nulls first
    limit: int | None
    count: bool = False  # SELECT COUNT(): the answer is `totalSize` alone, no records


def _tokens(text: str) -> list[Token]:
    out, at = [], 0
    while at < len(text):
        match = _TOKEN.match(text, at)
        if match is None:
            out.append(Token("bad", text[at], at))
            break
        kind = match.lastgroup or "bad"
        if kind != "ws":
            out.append(Token(kind, match.group(), at))
        at = match.end()
    out.append(Token("eof", "<EOF>", len(text)))
    return out


class _Parser:
    def __init__(self, text: str, schema: Schema) -> None:
        self.schema = schema
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0
        self.object: SObject | None = None

    def fail(self, code: str, message: str, token: Token | None = None) -> SalesforceError:
        at = (token or self.tokens[self.pos]).at
        row = self.text.count("\n", 0, at) + 1
        line_start = self.text.rfind("\n", 0, at) + 1
        line_end = self.text.find("\n", at)
        line = self.text[line_start : None if line_end < 0 else line_end]
        col = at - line_start + 1
        excerpt = f"\n{line}\n{' ' * (col - 1)}^\nERROR at Row:{row}:Column:{col}\n{message}"
        return SalesforceError(400, code, excerpt)

    def unexpected(self) -> SalesforceError:
        return self.fail("MALFORMED_QUERY", f"unexpected token: '{self.tokens[self.pos].text}'")

    def peek(self, *words: str) -> bool:
        token = self.tokens[self.pos]
        return token.kind == "ident" and token.text.upper() in words

    def take(self, kind: str, text: str | None = None) -> Token:
        token = self.tokens[self.pos]
        if token.kind != kind or (text is not None and token.text.upper() != text):
            raise self.unexpected()
        self.pos += 1
        return token

    def word(self, text: str) -> Token:
        return self.take("ident", text)

    def field(self) -> str:
        token = self.take("ident")
        if self.object is None:
            raise BrokenInvariant("expected self.object is not None")
        found = self.object.field(token.text)
        if found is None:
            message = _NO_COLUMN.format(name=token.text, entity=self.object.name)
            raise self.fail("INVALID_FIELD", message, token)
        return found.name

    def query(self) -> Query:
        self.word("SELECT")
        count = self.peek("COUNT") and self.tokens[self.pos + 1].text == "("
        if count:
            self.pos += 1
            self.take("punct", "(")
            self.take("punct", ")")
            names = []
        else:
            names = [self.take("ident")]
        while self.tokens[self.pos].kind == "punct" and self.tokens[self.pos].text == ",":
            self.pos += 1
            names.append(self.take("ident"))
        self.word("FROM")
        name = self.take("ident")
        self.object = sobject(name.text, self.schema)
        if self.object is None:
            raise self.fail("INVALID_TYPE", _NO_TYPE.format(name=name.text), name)
        fields = self._select(names)
        where = order = limit = None
        if self.peek("WHERE"):
            self.pos += 1
            where = self.expression()
        if self.peek("ORDER"):
            self.pos += 1
            self.word("BY")
            order = self.ordering()
        if self.peek("LIMIT"):
            self.pos += 1
            token = self.take("number")
            if not token.text.isdigit():
                raise self.fail("MALFORMED_QUERY", f"unexpected token: '{token.text}'", token)
            limit = int(token.text)
        if self.tokens[self.pos].kind != "eof":
            raise self.unexpected()
        if count and order is not None:
            raise self.fail("MALFORMED_QUERY", "ORDER BY is not allowed with COUNT()")
        return Query(self.object, fields, where, order, limit, count)

    def _select(self, names: list[Token]) -> tuple[str, ...]:
        fields: list[str] = []
        for token in names:
            saved, self.pos = self.pos, self.tokens.index(token)
            canonical = self.field()
            self.pos = saved
            if canonical in fields:
                raise self.fail("MALFORMED_QUERY", f"duplicate field selected: {token.text}", token)
            fields.append(canonical)
        return tuple(fields)

    def ordering(self) -> tuple[str, bool, bool]:
        name = self.field()
        descending = False
        if self.peek("ASC", "DESC"):
            descending = self.tokens[self.pos].text.upper() == "DESC"
            self.pos += 1
        nulls_first = not descending
        if self.peek("NULLS"):
            self.pos += 1
            if not self.peek("FIRST", "LAST"):
                raise self.unexpected()
            nulls_first = self.tokens[self.pos].text.upper() == "FIRST"
            self.pos += 1
        return name, descending, nulls_first

    def expression(self) -> Condition | Group:
        parts = [self.term()]
        joiner: str | None = None
        while self.peek("AND", "OR"):
            word = self.tokens[self.pos].text.upper()
            if joiner is not None and word != joiner:
                raise self.unexpected()
            joiner = word
            self.pos += 1
            parts.append(self.term())
        return parts[0] if joiner is None else Group(joiner, tuple(parts))

    def term(self) -> Condition | Group:
        if self.tokens[self.pos].text == "(":
            self.pos += 1
            inner = self.expression()
            self.take("punct", ")")
            return inner
        name_token = self.tokens[self.pos]
        name = self.field()
        if self.object is None:
            raise BrokenInvariant("expected self.object is not None")
        kind = self.object.fields[name].type
        if self.peek("IN", "NOT"):
            op = "NOT IN" if self.peek("NOT") else "IN"
            self.pos += 1
            if op == "NOT IN":
                self.word("IN")
            self.take("punct", "(")
            values = [self.literal(name, kind, name_token)]
            while self.tokens[self.pos].text == ",":
                self.pos += 1
                values.append(self.literal(name, kind, name_token))
            self.take("punct", ")")
            return Condition(name, op, tuple(values))
        if self.peek("LIKE"):
            self.pos += 1
            if kind not in _TEXT_TYPES - {"id", "reference"}:
                raise self.fail("INVALID_FIELD", f"invalid operator on {kind} field: LIKE")
            token = self.tokens[self.pos]
            if token.kind != "string":
                raise self.unexpected()
            self.pos += 1
            # Kept escaped: `\%` and `\_` match a literal % and _, which unescaping would lose.
            return Condition(name, "LIKE", (token.text[1:-1],))
        op = self.take("op").text
        return Condition(name, "!=" if op == "<>" else op, (self.literal(name, kind, name_token),))

    def literal(self, name: str, kind: str, name_token: Token) -> Any:
        token = self.tokens[self.pos]
        if token.kind not in ("string", "number", "date", "datetime", "ident"):
            raise self.unexpected()
        self.pos += 1
        if token.kind == "ident" and token.text.lower() == "null":
            return None
        wanted = {"datetime": "dateTime", "date": "date", "boolean": "boolean"}.get(kind)
        if kind in _TEXT_TYPES and token.kind == "string":
            text = re.sub(r"\\(.)", r"\1", token.text[1:-1])
            if kind in ("id", "reference") and normalize(text) is None:
                raise self.fail("INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {text}")
            return normalize(text) if kind in ("id", "reference") else text
        if kind == "datetime" and token.kind == "datetime":
            return sf_datetime(_epoch_ms(token.text))
        if kind == "date" and token.kind == "date":
            return token.text
        if kind == "boolean" and token.kind == "ident" and token.text.lower() in ("true", "false"):
            return token.text.lower() == "true"
        if kind in ("int", "currency") and token.kind == "number":
            return float(token.text)
        if token.kind == "ident":
            raise self.fail("MALFORMED_QUERY", f"unexpected token: '{token.text}'", token)
        if kind in _TEXT_TYPES:
            message = "must be of type string and should be enclosed in quotes"
        elif kind in ("int", "currency"):
            message = "must be of type double and should not be enclosed in quotes"
        else:
            message = f"must be of type {wanted} and should not be enclosed in quotes"
        text = f"value of filter criterion for field '{name}' {message}"
        raise self.fail("INVALID_FIELD", text, token)


def _epoch_ms(text: str) -> int:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return round(moment.astimezone(UTC).timestamp() * 1000)


def parse(text: str, schema: Schema = SOBJECTS) -> Query:
    """The query, its object and fields checked against the org's `schema`."""
    if not text.strip():
        raise SalesforceError(400, "MALFORMED_QUERY", "A query string has to be specified")
    return _Parser(text, schema).query()
