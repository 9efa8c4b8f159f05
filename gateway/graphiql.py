"""GraphiQL at /graphql with sample queries preloaded.

Strawberry's GraphiQL page opens on a welcome comment (`EXAMPLE_QUERY`); ours opens on the
sample queries instead, as one document of named operations (the run button asks which to
run). `mgw demo` fills them with emails from the seeded data (gateway/demo.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from strawberry.http.ides import get_graphql_ide_html

_EXAMPLE = re.compile(r"const EXAMPLE_QUERY = `.*?`;", re.DOTALL)


def operation_name(title: str) -> str:
    """`"One customer, for a personalization engine:"` -> `OneCustomer`."""
    words = re.findall(r"[A-Za-z]+", title.split(",")[0].split("(")[0])
    return "".join(word.title() for word in words) or "Sample"


def sample_document(samples: Sequence[tuple[str, str]]) -> str:
    """The samples as one document: each a commented, named operation."""
    parts = ["# Sample queries: put the cursor in one and press Ctrl-Enter to run it."]
    for title, query in samples:
        body = query.strip()
        named = f"query {operation_name(title)} {body}" if body.startswith("{") else body
        parts.append(f"# {title}\n{named}")
    return "\n\n".join(parts) + "\n"


def graphiql_html(samples: Sequence[tuple[str, str]]) -> str:
    """Strawberry's GraphiQL page, opening on `samples`."""
    document = json.dumps(sample_document(samples))
    page = get_graphql_ide_html("graphiql")
    replaced, count = _EXAMPLE.subn(lambda _: f"const EXAMPLE_QUERY = {document};", page, 1)
    return replaced if count else page
