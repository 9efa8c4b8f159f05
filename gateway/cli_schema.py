"""`mgw schema`: export the served GraphQL schema, or check schema.graphql against it (and
name the changes that would break its clients)."""

from __future__ import annotations

import difflib
import sys
from pathlib import Path
from typing import Annotated

import typer

from gateway.cli_common import console, errors, fail

schema_app = typer.Typer(help="Export the served GraphQL schema or check schema.graphql.")


@schema_app.command("export")
def schema_export(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="File to write; `-` for stdout.")
    ] = Path("schema.graphql"),
) -> None:
    """Write the schema the gateway serves, in SDL."""
    from resolvers import sdl

    if str(output) == "-":
        sys.stdout.write(sdl())
    else:
        output.write_text(sdl())
        console.print(f"wrote {output}")


@schema_app.command("check")
def schema_check(
    path: Annotated[Path, typer.Argument(help="The exported SDL to compare.")] = Path(
        "schema.graphql"
    ),
) -> None:
    """Fail when PATH differs from the schema the code serves (run `mgw schema export` to fix)."""
    from resolvers import sdl

    served = sdl()
    current = path.read_text() if path.exists() else ""
    if current == served:
        console.print(f"{path} matches the served schema")
        return
    from gateway.schema_governance import compare

    diff = difflib.unified_diff(
        current.splitlines(keepends=True), served.splitlines(keepends=True), str(path), "served"
    )
    sys.stdout.writelines(diff)
    if current:
        try:
            changes = compare(current, served)
        except ValueError as exc:
            raise fail(f"{path}: {exc}") from None
        for change in changes.breaking:
            errors.print(f"[red]breaking:[/] {change}")
        for change in changes.dangerous:
            errors.print(f"[yellow]dangerous:[/] {change}")
        if changes.breaking:
            raise fail(
                f"the served schema breaks {len(changes.breaking)} thing(s) clients of {path} "
                "rely on; if that is intended, say so in the change and run `mgw schema export`"
            )
    raise fail(f"{path} differs from the served schema; run `mgw schema export`")
