"""The documentation holds together: the generated parts are current (the ADR index in
architecture.md lists every ADR, as `mgw config docs` writes it), every relative link in docs/
and the README reaches a file inside the repository (a clone has nothing beside it) and, for a
`#fragment`, a heading there, no page sends a reader to a path outside it, every docs/ path a
code comment names exists, and the README leads a newcomer to every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gateway.cli import app
from gateway.reference_pages import ADR_END, ADR_START, adr_index, pages

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def test_every_generated_page_is_current() -> None:
    stale = [
        str(path.relative_to(ROOT))
        for path, text in pages(DOCS, app).items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    assert not stale, f"out of date: {stale}; run `mgw config docs`"


def test_the_adr_index_lists_every_adr() -> None:
    page = (DOCS / "architecture.md").read_text(encoding="utf-8")
    listed = page[page.index(ADR_START) : page.index(ADR_END)]
    for adr in sorted((DOCS / "adr").glob("[0-9]*.md")):
        assert f"(adr/{adr.name})" in listed, f"{adr.name} is missing from architecture.md"
    assert adr_index(DOCS / "adr").count("\n") + 1 == len(list((DOCS / "adr").glob("[0-9]*.md")))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = "".join(ch for ch in text if ch.isalnum() or ch in " -_")
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    return {slug(m[1]) for m in re.finditer(r"^#{1,6}\s+(.+?)\s*$", text, re.MULTILINE)}


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_relative_link_resolves(page: Path) -> None:
    text = _FENCE.sub("", page.read_text(encoding="utf-8"))
    broken = []
    for target in _LINK.findall(text):
        if re.match(r"^[a-z]+:", target):  # http:, https:, mailto:
            continue
        file_part, _, fragment = target.partition("#")
        linked = (page.parent / file_part).resolve() if file_part else page
        if not linked.is_relative_to(ROOT):  # a clone has nothing beside it
            broken.append(f"{target} (outside the repository)")
            continue
        missing = not linked.exists()
        if missing or (fragment and linked.suffix == ".md" and fragment not in anchors(linked)):
            broken.append(target)
    assert not broken, f"{page.relative_to(ROOT)}: broken links {broken}"


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_no_page_names_a_path_outside_the_repository(page: Path) -> None:
    outside = re.findall(r"(?<![\w.])\.\./[\w./-]+", page.read_text(encoding="utf-8"))
    escaping = [p for p in outside if not (page.parent / p).resolve().is_relative_to(ROOT)]
    assert not escaping, f"{page.relative_to(ROOT)} names {escaping}, which a clone lacks"


CODE = [
    path
    for folder in (
        "gateway",
        "resolvers",
        "canonical_schema",
        "hub",
        "connectors",
        "access",
        "sync_jobs",
        "cache",
        "simulators",
        "bench",
        "soak",
        "tests",
    )
    for path in sorted((ROOT / folder).rglob("*.py"))
]
_DOC_PATH = re.compile(r"\b((?:docs/)[\w./-]+\.md|README\.md|BENCHMARKS\.md|RELIABILITY\.md)")


_ADR = re.compile(r"\bdocs/adr/(\d{4})\b|\bADR[ -]0*(\d+)\b")


def test_every_docs_path_named_in_code_exists() -> None:
    dead = sorted(
        f"{path.relative_to(ROOT)}: {target}"
        for path in CODE
        for target in set(_DOC_PATH.findall(path.read_text(encoding="utf-8")))
        if not (ROOT / target).exists()
    )
    assert not dead, f"code comments name documents that do not exist: {dead}"


def test_every_adr_named_in_code_exists() -> None:
    """`docs/adr/0066` and `ADR 66` in a comment name an ADR that is there."""
    numbers = {int(adr.name[:4]) for adr in (DOCS / "adr").glob("[0-9]*.md")}
    dead = sorted(
        f"{path.relative_to(ROOT)}: ADR {number}"
        for path in CODE
        for match in _ADR.finditer(path.read_text(encoding="utf-8"))
        if (number := int(match[1] or match[2])) not in numbers
    )
    assert not dead, f"code comments name ADRs that do not exist: {dead}"


def test_the_readme_names_every_mgw_command() -> None:
    import typer.main

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## The `mgw` command")
    section = readme[start : readme.index("\n## ", start + 1)]
    names = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    missing = [name for name in names if f"`mgw {name}" not in section]
    assert not missing, f"README's `mgw` table lacks {missing}"


def test_the_readme_leads_to_every_page() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Documentation") :]
    for name in (
        "getting-started.md",
        "cookbook.md",
        "configuration.md",
        "cli.md",
        "deploying.md",
        "architecture.md",
        "platforms/hubspot.md",
    ):
        assert f"(docs/{name}" in section, f"README's Documentation section lacks docs/{name}"
    assert "make demo" in readme


def toml_blocks() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in re.finditer(r"^```toml\n(.*?)^```", text, re.MULTILINE | re.DOTALL):
            line = text[: match.start()].count("\n") + 1
            found.append((f"{page.relative_to(ROOT)}:{line}", match[1]))
    return found


@pytest.mark.parametrize(("where", "block"), toml_blocks(), ids=[w for w, _ in toml_blocks()])
def test_every_toml_example_is_a_valid_configuration(
    where: str, block: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each mgw.toml example parses, names only keys a setting reads, and validates."""
    import os
    import tomllib

    from gateway.cli_config import unknown_toml_keys
    from gateway.settings import Settings

    assert not unknown_toml_keys(tomllib.loads(block)), where
    for name in list(os.environ):
        if name.startswith("MGW_"):
            monkeypatch.delenv(name)
    config = tmp_path / "mgw.toml"
    config.write_text(block, encoding="utf-8")
    monkeypatch.setenv("MGW_CONFIG", str(config))
    Settings()


@pytest.mark.parametrize(("where", "block"), toml_blocks(), ids=[w for w, _ in toml_blocks()])
def test_every_toml_example_fits_the_published_schema(where: str, block: str) -> None:
    """docs/mgw.toml.schema.json (written from the settings) accepts every documented example,
    and refuses a value of the wrong type, as an editor using it would."""
    import json
    import tomllib

    import jsonschema_rs

    schema = json.loads((DOCS / "mgw.toml.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema_rs.validator_for(schema)
    assert [e.message for e in validator.iter_errors(tomllib.loads(block))] == [], where
    assert not validator.is_valid({**tomllib.loads(block), "port": "eighty"})
