"""docs/cli.md, written from the `mgw` Typer app itself.

Each command's page section is built from the same click objects `--help` prints, so the
reference and the help cannot disagree: `mgw config docs` writes it and
tests/docs/test_cli_reference.py regenerates it and compares, then runs every `--help`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import typer


@dataclass(frozen=True)
class Command:
    """One command as `--help` shows it."""

    path: str  # "mgw dlq replay"
    summary: str
    help: str
    usage: str
    params: list[tuple[str, str, str]]  # (flags or ARGUMENT, default, help)
    subcommands: list[str]


def commands(app: typer.Typer, name: str = "mgw") -> list[Command]:
    """Every command and group of `app`, depth first, in the order `--help` lists them."""
    root = typer.main.get_command(app)
    return list(_walk(root, root.context_class(root, info_name=name)))


# Typer vendors its own click (typer._click) from 0.2x on: the click objects are handled by
# what they do (`list_commands`, `param_type_name`), not by importing their classes.
def _is_group(command: Any) -> bool:
    return hasattr(command, "list_commands")


def _walk(command: Any, ctx: Any) -> Iterator[Command]:
    children: list[str] = []
    if _is_group(command):
        children = [n for n in command.list_commands(ctx) if not _hidden(command, ctx, n)]
    yield Command(
        path=ctx.command_path,
        summary=_first_line(command.help or ""),
        help=inspect.cleandoc(command.help or ""),
        usage=_usage(command, ctx),
        params=[row for param in command.get_params(ctx) if (row := _param(param, ctx))],
        subcommands=children,
    )
    for child_name in children:
        child = command.get_command(ctx, child_name)
        yield from _walk(child, child.context_class(child, info_name=child_name, parent=ctx))


def _usage(command: Any, ctx: Any) -> str:
    """The usage line as `--help` prints it: arguments by their upper-case names."""
    pieces = [
        re.sub(r"\{(\w+)\}", lambda m: m[1].upper(), piece)
        for piece in command.collect_usage_pieces(ctx)
    ]
    return " ".join([ctx.command_path, *pieces])


def _hidden(group: Any, ctx: Any, name: str) -> bool:
    child = group.get_command(ctx, name)
    return child is None or child.hidden


def _first_line(text: str) -> str:
    paragraph = inspect.cleandoc(text).split("\n\n")[0]
    return " ".join(paragraph.split())


def _param(param: Any, ctx: Any) -> tuple[str, str, str] | None:
    if getattr(param, "hidden", False) or param.name in {"install_completion", "show_completion"}:
        return None
    help_text = " ".join((getattr(param, "help", None) or "").split())
    if param.param_type_name == "argument":
        flags = f"`{(param.name or '').upper()}`"
        required = "required" if param.required else _default(param, ctx)
        return flags, required, help_text
    flags = ", ".join(f"`{flag}`" for flag in [*param.opts, *param.secondary_opts])
    if getattr(param, "is_flag", False) and param.secondary_opts:
        flags = f"`{param.opts[0]}` / `{param.secondary_opts[0]}`"
    if param.name == "help":
        return flags, "", "Show the command's help and exit."
    return flags, _default(param, ctx), help_text


def _default(param: Any, ctx: Any) -> str:
    if param.required:
        return "required"
    value = param.get_default(ctx, call=True)
    if value is None or value == ():
        return ""
    if isinstance(value, bool):
        if getattr(param, "is_flag", False) and not param.secondary_opts:
            return "off" if not value else "on"
        return f"`{str(value).lower()}`"
    return f"`{value}`"


HEADER = """\
# Command-line reference: `mgw`

<!-- Generated from the Typer app in gateway/cli.py by `mgw config docs`; do not edit by hand.
     tests/docs/test_cli_reference.py fails when this page and `mgw --help` disagree. -->

Every command reads the [configuration](configuration.md) (`MGW_*` variables, `mgw.toml`);
its flags override it. Every command answers `--help` with what is below. Exit codes: 0 done,
1 the command ran and found a problem (e.g. `mgw lookup` found nobody), 2 a usage or
configuration error, with the message on standard error.
"""


def markdown(app: typer.Typer, name: str = "mgw") -> str:
    """The whole page: an index of every command, then each command's usage and options."""
    found = commands(app, name)
    lines = [HEADER, "| command | does |", "|---|---|"]
    for command in found[1:]:
        lines.append(f"| [`{command.path}`](#{_anchor(command.path)}) | {_cell(command.summary)} |")
    lines.append("")
    for command in found:
        lines.append(f"## `{command.path}`\n")
        if command.help:
            lines.append(f"{command.help}\n")
        lines.append(f"```\n{command.usage}\n```\n")
        if command.subcommands:
            listed = ", ".join(
                f"[`{child}`](#{_anchor(f'{command.path} {child}')})"
                for child in command.subcommands
            )
            lines.append(f"Commands: {listed}.\n")
        if command.params:
            lines.append("| argument or option | default | meaning |")
            lines.append("|---|---|---|")
            for flags, default, help_text in command.params:
                lines.append(f"| {flags} | {default} | {_cell(help_text)} |")
            lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _anchor(path: str) -> str:
    kept = "".join(ch for ch in path.lower() if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")
