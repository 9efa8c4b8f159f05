"""`mgw config`: the configuration and the reference pages generated from code."""

from __future__ import annotations

import asyncio
import difflib
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from canonical_schema import Platform
from connectors.registry import platforms
from gateway.cli_common import console, errors
from gateway.settings import Settings

config_app = typer.Typer(help="The configuration, and the reference pages written from code.")


@config_app.command("docs")
def config_docs(
    docs_dir: Annotated[Path, typer.Option(help="The documentation folder.")] = Path("docs"),
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when a page is out of date.")
    ] = False,
) -> None:
    """Write the pages generated from code: configuration.md (every MGW_* variable and
    mgw.toml key, from the typed settings), cli.md (every command's help) and the ADR index
    in architecture.md."""
    from gateway.cli import app
    from gateway.reference_pages import pages

    try:
        wanted = pages(docs_dir, app)
    except ValueError as exc:
        errors.print(f"[red]error:[/] {exc}")
        raise typer.Exit(code=2) from None
    stale = []
    for path, text in wanted.items():
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current == text:
            continue
        stale.append(path)
        if check:
            diff = difflib.unified_diff(
                current.splitlines(keepends=True),
                text.splitlines(keepends=True),
                str(path),
                "generated",
            )
            sys.stdout.writelines(diff)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            console.print(f"wrote {path}")
    if check and stale:
        names = ", ".join(str(path) for path in stale)
        errors.print(f"[red]out of date:[/] {names}; run `mgw config docs`")
        raise typer.Exit(code=1)
    if not stale:
        console.print("every generated page is up to date")


ONLINE_PROBE_EMAIL = "mgw-config-check@example.invalid"


@config_app.command("schema")
def config_schema() -> None:
    """Print the JSON Schema of mgw.toml, generated from the settings (also kept as
    docs/mgw.toml.schema.json), for editors and CI checks."""
    from gateway.reference_schema import text

    sys.stdout.write(text())


# Variables under MGW_ that are read outside the typed settings.
_OTHER_VARIABLES = {
    "MGW_CONFIG": "the mgw.toml to read",
    "MGW_SERVE_WORKER_ARGS": "set by `mgw serve --workers` for its processes",
    "MGW_TEST_POSTGRES_URL": "the test suite's PostgreSQL",
}


def unknown_variables(environ: dict[str, str]) -> dict[str, list[str]]:
    """Each `MGW_*` variable in `environ` that no setting reads, with the likeliest names it
    was meant to be. Unknown variables are otherwise ignored silently (mgw.toml keys are not:
    an unknown key there fails at start-up)."""
    import difflib
    import re

    from gateway.reference_config import sections

    documented = [row.variable for section in sections() for row in section.rows]
    patterns = [
        re.compile("^" + re.escape(v).replace("<PLATFORM>", "[A-Z]+") + "$") for v in documented
    ]
    known = [*documented, *_OTHER_VARIABLES]
    found: dict[str, list[str]] = {}
    for name in sorted(environ):
        if not name.startswith("MGW_") or name in _OTHER_VARIABLES:
            continue
        if any(pattern.match(name) for pattern in patterns):
            continue
        found[name] = difflib.get_close_matches(name, known, n=2, cutoff=0.6)
    return found


def unknown_toml_keys(table: dict[str, object]) -> dict[str, list[str]]:
    """Each key of a parsed mgw.toml that no setting reads (dotted), with the likeliest
    names it was meant to be. Pydantic refuses unknown top-level keys but ignores unknown
    keys inside a table such as `[hubspot]`."""
    import difflib
    import re

    from gateway.reference_config import sections

    documented = [row.toml_key for section in sections() for row in section.rows]
    patterns = [
        re.compile("^" + re.escape(k).replace("<platform>", "[a-z]+") + "$") for k in documented
    ]
    found: dict[str, list[str]] = {}

    def walk(value: object, path: str) -> None:
        if path and any(pattern.match(path) for pattern in patterns):
            return  # a setting (a table-valued one included) reads it whole
        if isinstance(value, dict) and (
            not path or any(k.startswith(f"{path}.") for k in _generic(documented))
        ):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else str(key))
            return
        found[path] = difflib.get_close_matches(path, documented, n=2, cutoff=0.6)

    walk(table, "")
    return found


def _generic(documented: list[str]) -> list[str]:
    """Documented keys with `<platform>` made concrete for every platform."""

    out: list[str] = []
    for key in documented:
        if "<platform>" in key:
            out.extend(key.replace("<platform>", p.value) for p in platforms())
        else:
            out.append(key)
    return out


@config_app.command("check")
def config_check(
    online: Annotated[
        bool,
        typer.Option(
            "--online", help="Also try each connected platform's credentials with one cheap call."
        ),
    ] = False,
) -> None:
    """Check the configuration as `mgw serve` would read it: every MGW_* variable and
    mgw.toml key is one a setting reads (a misspelt one is otherwise ignored), the values are
    valid, and which platforms would connect. Exit 1 when something is wrong."""
    import tomllib

    from pydantic import ValidationError
    from rich.markup import escape

    from gateway.connectors import vault_candidates
    from gateway.settings import ConfigError
    from gateway.settings_checks import explain

    problems = 0
    for name, likely in unknown_variables(dict(os.environ)).items():
        problems += 1
        hint = f"; did you mean {' or '.join(likely)}?" if likely else ""
        errors.print(f"[red]unknown variable[/] {name}: no setting reads it{hint}")
    toml_path = Path(os.environ.get("MGW_CONFIG", "mgw.toml"))
    if toml_path.exists():
        try:
            table = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            errors.print(f"[red]error:[/] {toml_path}: {exc}")
            raise typer.Exit(code=1) from None
        for key, likely in unknown_toml_keys(table).items():
            problems += 1
            hint = f"; did you mean {' or '.join(likely)}?" if likely else ""
            errors.print(f"[red]unknown key[/] {key} in {toml_path}: no setting reads it{hint}")
    try:
        settings = Settings()
        platforms = settings.connected_platforms(also=vault_candidates(settings))
    except (ConfigError, ValidationError, ValueError) as exc:
        for line in explain(exc):
            errors.print(f"[red]error:[/] {escape(line)}")
        raise typer.Exit(code=1) from None
    names = ", ".join(platform.value for platform in platforms)
    console.print(
        f"profile {settings.profile}; store {_redacted(settings.database_url)}; "
        f"redis {_redacted(settings.redis_url or 'none (in memory)')}"
    )
    for note in settings_notes(settings, dict(os.environ)):
        console.print(note, highlight=False)
    console.print(f"platforms that would connect: {names}")
    if online:
        problems += asyncio.run(_try_platforms(settings, platforms))
    if problems:
        raise typer.Exit(code=1)


def settings_notes(settings: Settings, environ: dict[str, str]) -> list[str]:
    """What the configuration was read as, where that is not what was written."""
    notes = [f"data directory {settings.data_dir} (MGW_DATA_DIR)"]
    given = environ.get("MGW_DATABASE_URL", "").strip()
    if not given:
        notes.append("store: SQLite in the data directory (MGW_DATABASE_URL overrides)")
    elif given != settings.database_url:
        notes.append(
            f"MGW_DATABASE_URL {_redacted(given)} is read as {_redacted(settings.database_url)}"
        )
    return notes


async def _try_platforms(settings: Settings, platforms: tuple[Platform, ...]) -> int:
    """One cheap authenticated call per platform (a lookup of an email no one has, one batched
    read each); the number of platforms that refused or did not answer."""
    from gateway.services import open_services

    async with open_services(settings) as services:
        [read] = await services.read.customers_by_email([ONLINE_PROBE_EMAIL])
    failures = {failure.platform: failure for failure in read.failures}
    for platform in platforms:
        failure = failures.get(platform)
        if failure is None:
            console.print(f"{platform.value}: credentials accepted", highlight=False)
        else:
            errors.print(f"[red]{platform.value}:[/] {failure.code}: {escape(failure.message)}")
    return len(failures)


def _redacted(url: str) -> str:
    """A URL without its password, for printing."""
    import re

    return re.sub(r"(//[^:/@]+):[^@]+@", r"\1:***@", url)
