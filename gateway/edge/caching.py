"""`Cache-Control` on answers to GET /graphql: what a CDN in front of the gateway may keep.

GET answers — persisted queries sent by hash, mostly — are what HTTP caches can hold. Only an
answer that is the same for everyone may be shared: one to an anonymous caller (the open demo
profile), without errors, selecting no field that needs `read:pii`, is `public` for
PUBLIC_SECONDS (and varies by `Accept`, which picks its media type). An answer to an
authenticated caller, with personal data, or with errors is `private, no-store`: a shared
cache must never hand one client's answer to another. POST answers carry no header (HTTP
caches do not reuse them).
"""

from __future__ import annotations

from graphql import (
    DocumentNode,
    GraphQLError,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    visit,
)
from graphql import parse as parse_document

from access.principal import Principal
from access.scopes import READ_PII
from resolvers.permissions import scopes_of
from resolvers.schema import GatewaySchema

PUBLIC_SECONDS = 60
PRIVATE = "private, no-store"


class _Personal(Visitor):
    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.found = False

    def enter_field(self, *_: object) -> object:
        field = self.type_info.get_field_def()
        if field is not None and READ_PII in scopes_of(field):
            self.found = True
            return self.BREAK
        return None


def selects_personal_data(schema: GatewaySchema, document: DocumentNode) -> bool:
    """Whether any field the document selects (through fragments too) needs `read:pii`."""
    type_info = TypeInfo(schema._schema)
    visitor = _Personal(type_info)
    visit(document, TypeInfoVisitor(type_info, visitor))
    return visitor.found


def cache_control(
    schema: GatewaySchema, query: str | None, principal: Principal, failed: bool
) -> tuple[str, dict[str, str]]:
    """The `Cache-Control` value of a GET answer, and any other header it needs."""
    if failed or not query or principal.kind != "anonymous":
        return PRIVATE, {}
    try:
        document = parse_document(query)
    except GraphQLError:
        return PRIVATE, {}
    if selects_personal_data(schema, document):
        return PRIVATE, {}
    return f"public, max-age={PUBLIC_SECONDS}", {"Vary": "Accept"}
