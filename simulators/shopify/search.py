"""Shopify's search syntax for the `query` argument of connections.

`email:a@x.com OR email:b@y.com`, `updated_at:>'2026-01-01T00:00:00Z'` (also `>=`, `<`, `<=`),
`id:123` or `id:>123`, `-field:value` and `NOT field:value`, `AND` (also implied by a space),
a trailing `*` for a prefix, bare words matched against the text fields. `OR` binds loosest.
Text matches ignore case. A term naming a field the resource does not support matches
everything and is reported as a warning, as Shopify does in `extensions.search`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, Literal, TypeVar

T = TypeVar("T")
Kind = Literal["text", "time", "number"]
_TOKEN = re.compile(
    r"""(?P<neg>-?)(?:(?P<field>[A-Za-z_][\w.]*):(?P<op>>=|<=|>|<|)(?P<value>'[^']*'|"[^"]*"|\S*)"""
    r"""|(?P<word>'[^']*'|"[^"]*"|\S+))"""
)


@dataclass(frozen=True)
class Term:
    field: str | None
    op: str
    value: str
    negated: bool


@dataclass(frozen=True)
class Field(Generic[T]):
    kind: Kind
    get: Callable[[T], str | int | None]


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def parse(query: str) -> list[list[Term]]:
    """Groups of terms: a record matches when every term of any one group matches."""
    groups: list[list[Term]] = [[]]
    negate_next = False
    for match in _TOKEN.finditer(query):
        word = match["word"]
        if word in ("OR", "AND", "NOT"):
            if word == "OR" and groups[-1]:
                groups.append([])
            negate_next = word == "NOT"
            continue
        negated = bool(match["neg"]) != negate_next
        negate_next = False
        if word is not None:
            text = _unquote(word).strip("()")
            if text:
                groups[-1].append(Term(None, ":", text, negated))
        else:
            value = _unquote(match["value"]).strip(")")
            groups[-1].append(Term(match["field"].lower(), match["op"] or ":", value, negated))
    return [group for group in groups if group] or [[]]


def _time_ms(text: str) -> int | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def _number(text: str) -> int | None:
    tail = text.rsplit("/", 1)[-1]  # ids may be given as GIDs
    return int(tail) if tail.isdigit() else None


def _compare(have: int, op: str, want: int) -> bool:
    return {
        ":": have == want,
        ">": have > want,
        ">=": have >= want,
        "<": have < want,
        "<=": have <= want,
    }[op]


def _text_match(have: str | int | None, want: str) -> bool:
    if have is None:
        return False
    text, wanted = str(have).lower(), want.lower()
    return text.startswith(wanted[:-1]) if wanted.endswith("*") else text == wanted


class Search(Generic[T]):
    def __init__(self, fields: Mapping[str, Field[T]], words: tuple[str, ...]) -> None:
        self.fields = fields
        self.words = words  # the text fields bare words search

    def compile(self, query: str | None) -> tuple[Callable[[T], bool] | None, list[str]]:
        """A predicate (None: everything matches) and the names of unsupported fields."""
        if not query or not query.strip():
            return None, []
        groups = parse(query)
        unknown = sorted(
            {t.field for g in groups for t in g if t.field and t.field not in self.fields}
        )

        def predicate(record: T) -> bool:
            return any(all(self._term(record, t) for t in group) for group in groups)

        return predicate, unknown

    def _term(self, record: T, term: Term) -> bool:
        if term.field is None:
            wanted = term.value.lower().rstrip("*")
            found = any(wanted in str(self.fields[w].get(record) or "").lower() for w in self.words)
            return found != term.negated
        spec = self.fields.get(term.field)
        if spec is None:
            return True
        have = spec.get(record)
        if spec.kind == "text":
            matched = _text_match(have, term.value)
        else:
            want = _time_ms(term.value) if spec.kind == "time" else _number(term.value)
            if want is None or not isinstance(have, int):
                matched = False
            elif spec.kind == "time" and term.op == ":" and len(term.value) <= 10:
                matched = want <= have < want + 86_400_000  # a whole day
            else:
                matched = _compare(have, term.op, want)
        return matched != term.negated
