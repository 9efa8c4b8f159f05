"""`mgw --help` and each subcommand's help agree with docs/cli.md: the page is what the
generator writes from the Typer app now, and every command's real `--help` output names the
options and says the summary the page shows for it."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gateway import reference_cli
from gateway.cli import app

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "cli.md"
COMMANDS = reference_cli.commands(app)


def test_the_page_is_what_the_cli_generates() -> None:
    assert PAGE.exists(), "docs/cli.md is missing: run `mgw config docs`"
    on_disk, wanted = PAGE.read_text(encoding="utf-8"), reference_cli.markdown(app)
    diff = "".join(
        list(
            difflib.unified_diff(
                on_disk.splitlines(keepends=True),
                wanted.splitlines(keepends=True),
                "docs/cli.md",
                "from gateway/cli.py",
            )
        )[:60]
    )
    assert on_disk == wanted, f"the page disagrees with `mgw --help`: run `mgw config docs`\n{diff}"


def flat(text: str) -> str:
    """Help text without rich's boxes and line wrapping, for comparing words."""
    text = re.sub(r"[│╭╮╰╯─]", " ", text)
    return " ".join(text.split())


@pytest.mark.parametrize("command", COMMANDS, ids=[c.path for c in COMMANDS])
def test_help_says_what_the_page_says(command: reference_cli.Command) -> None:
    args = [*command.path.split()[1:], "--help"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "100", "TERMINAL_WIDTH": "100"})
    assert result.exit_code == 0, result.output
    shown = flat(result.output)
    page = PAGE.read_text(encoding="utf-8")

    assert f"## `{command.path}`" in page
    # Typer prints arguments as `{email}`; the page as `EMAIL`.
    usage = flat(command.usage).replace(command.path, "").strip().lower()
    assert usage in re.sub(r"\{(\w+)\}", r"\1", shown).lower()
    # The summary the page's index shows, word for word (rich may only re-wrap it).
    assert flat(command.summary.replace("\\|", "|")) in shown.replace("\\", "")
    for flags, _, help_text in command.params:
        for flag in re.findall(r"`(--[a-z0-9-]+)`", flags):
            assert flag in shown, f"{command.path}: {flag} is on the page but not in --help"
        if help_text and not flags.startswith("`--help`"):
            assert flat(help_text)[:40] in shown, f"{command.path} {flags}: help differs"
    for child in command.subcommands:
        assert child in shown


def command_lines() -> list[tuple[str, list[str]]]:
    """Every `mgw …` invocation in a ```sh block of docs/ and the README, as words."""
    import shlex

    pages = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    found = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for block in re.finditer(r"^```sh\n(.*?)^```", text, re.MULTILINE | re.DOTALL):
            for line in block[1].replace("\\\n", " ").splitlines():
                if not re.search(r"(^|[\s/])mgw\s", line):
                    continue
                lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
                lexer.commenters = "#"
                words: list[str] = []
                for token in [*lexer, ";"]:
                    if token in {";", "&&", "||", "|", "&"}:
                        while words and "=" in words[0]:  # VAR=value before the command
                            words.pop(0)
                        if words and words[0].endswith("mgw") and len(words) > 1:
                            found.append((f"{page.relative_to(ROOT)}: {line.strip()}", words[1:]))
                        words = []
                    else:
                        words.append(token)
    return found


COMMAND_LINES = command_lines()


@pytest.mark.parametrize(
    ("where", "words"), COMMAND_LINES, ids=[" ".join(words[:2]) for _, words in COMMAND_LINES]
)
def test_every_documented_command_line_uses_real_commands_and_options(
    where: str, words: list[str]
) -> None:
    by_path = {c.path: c for c in COMMANDS}
    path = "mgw"
    rest = list(words)
    while rest and f"{path} {rest[0]}" in by_path:
        path = f"{path} {rest.pop(0)}"
    command = by_path[path]
    assert not command.subcommands, f"{where}: `{path}` needs a subcommand"
    flags = {flag for flags, _, _ in command.params for flag in re.findall(r"`(--?[\w-]+)`", flags)}
    for word in rest:
        if word.startswith("-"):
            assert word.split("=", 1)[0] in flags, f"{where}: `{path}` has no option {word}"
