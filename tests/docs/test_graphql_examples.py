"""Every GraphQL example in docs/ and the README runs against the demo, with its documented
answer's shape (tests/docs/examples.py says how blocks are written and checked).

One demo graph serves the whole module (seeding 2,000 people and syncing them once takes a
few seconds); each page's examples run in page order, so a page may read what it wrote."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.docs.examples import (
    ROOT,
    Demo,
    ExampleError,
    conforms,
    demo_data,
    examples,
    gateway,
    pages,
    run,
)

PAGES = [page for page in pages() if examples(page)]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def demo(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Demo]:
    folder = tmp_path_factory.mktemp("docs-demo")
    async with demo_data(f"sqlite+aiosqlite:///{folder / 'mgw.db'}") as data:
        yield data


def test_the_documentation_has_examples_to_run() -> None:
    names = {page.relative_to(ROOT).as_posix() for page in PAGES}
    assert {"docs/getting-started.md", "docs/cookbook.md"} <= names
    assert sum(len(examples(page)) for page in PAGES) >= 20


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
async def test_every_example_of_the_page_answers_as_documented(page: Path, demo: Demo) -> None:
    """Each page gets a fresh gateway (empty caches, healthy circuits) over the shared
    platforms and synced store, so no page's faults or cache leak into another's answers."""
    failures: list[str] = []
    seen: dict[str, Any] | None = None  # the data of the page's answers so far, for `bind`
    async with gateway(demo) as graph:
        for example in examples(page):
            try:
                data = (await run(example, graph, demo.sim, seen)).get("data") or {}
                seen = {**(seen or {}), **data}
            except ExampleError as exc:
                failures.append(str(exc))
    assert not failures, "\n\n".join(failures)


def test_shapes_are_really_compared() -> None:
    hubspot = {"platform": "HUBSPOT"}
    documented = {
        "data": {
            "customer": {"email": "a@b.c", "lifecycleStage": "LEAD", "sources": [hubspot, "…"]}
        }
    }
    same = {
        "data": {
            "customer": {"email": "x@y.z", "lifecycleStage": "LEAD", "sources": [hubspot, hubspot]}
        }
    }
    assert conforms(same, documented) == []

    other_enum = {"data": {"customer": {**same["data"]["customer"], "lifecycleStage": "OTHER"}}}
    missing_key = {"data": {"customer": {"email": "x@y.z", "sources": []}}}
    null = {"data": {"customer": None}}
    wrong_type = {"data": {"customer": {**same["data"]["customer"], "email": 3}}}
    for answer in (other_enum, missing_key, null, wrong_type):
        assert conforms(answer, documented), answer
    assert conforms([1, 2, 3], [1, 2])
    assert not conforms([1, 2, 3], [1, "…"])
    assert conforms([{"platform": "SHOPIFY"}], [hubspot, "…"])


def test_a_block_without_its_answer_is_refused(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```graphql\n{ integrations { platform } }\n```\n\nNo answer.\n")
    with pytest.raises(ExampleError, match="needs its answer"):
        examples(page)
