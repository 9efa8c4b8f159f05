"""Every shell block in docs/ and the README that talks to the demo (each command a `curl` to
the gateway at 127.0.0.1:8000 or the simulators at 127.0.0.1:9100 that ends by itself) runs,
in page order, against the demo's data served on local sockets; a block followed by a `text`
block must print that text (compared as JSON when it is JSON). Blocks that need more than
the demo (`make`, `docker`, a platform account) are for a reader's machine and are not run."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytest_asyncio

from tests.docs.blocks import fences, pages
from tests.docs.examples import ROOT, Demo, _on_a_socket, demo_data, gateway

GATEWAY, SIMULATORS = "http://127.0.0.1:8000", "http://127.0.0.1:9100"


@dataclass(frozen=True)
class ShellExample:
    line: int
    script: str
    prints: str | None


def shell_examples(page: Path) -> list[ShellExample]:
    blocks = fences(page.read_text(encoding="utf-8"))
    found = []
    for index, block in enumerate(blocks):
        if block.info.split()[:1] not in (["sh"], ["bash"], ["shell"]):
            continue
        commands = [c for c in block.text.replace("\\\n", " ").splitlines() if c.strip()]
        if not commands or not all(one_shot(c) for c in commands):
            continue
        after = blocks[index + 1] if index + 1 < len(blocks) else None
        shown = after.text if after and after.info == "text" and block.after_blank else None
        found.append(ShellExample(block.line, block.text, shown))
    return found


def one_shot(command: str) -> bool:
    """A `curl` to the demo that ends by itself (a subscription stream, `curl -N`, does not)."""
    words = command.split()
    return (
        words[:1] == ["curl"]
        and (GATEWAY in command or SIMULATORS in command)
        and "-N" not in words
        and "text/event-stream" not in command
    )


PAGES = [page for page in pages() if shell_examples(page)]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def demo(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Demo]:
    folder = tmp_path_factory.mktemp("docs-shell-demo")
    async with demo_data(f"sqlite+aiosqlite:///{folder / 'mgw.db'}") as data:
        yield data


def test_the_pages_have_shell_examples_to_run() -> None:
    names = {page.relative_to(ROOT).as_posix() for page in PAGES}
    assert {"docs/getting-started.md", "docs/cookbook.md"} <= names


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(ROOT).as_posix() for p in PAGES])
async def test_every_shell_example_runs_against_the_demo(page: Path, demo: Demo) -> None:
    import asyncio

    failures = []
    async with gateway(demo) as graph, _on_a_socket(demo.sim_app) as sim_url:
        try:
            for example in shell_examples(page):
                script = example.script.replace(GATEWAY, graph.url).replace(SIMULATORS, sim_url)
                done = await asyncio.to_thread(
                    subprocess.run,
                    ["bash", "-euo", "pipefail", "-c", script],
                    capture_output=True,
                    text=True,
                    timeout=60,
                    check=False,
                )
                where = f"{page.relative_to(ROOT)}:{example.line}"
                if done.returncode != 0:
                    failures.append(f"{where}: exit {done.returncode}: {done.stderr}")
                elif example.prints is not None and not same(done.stdout, example.prints):
                    failures.append(f"{where}: printed {done.stdout!r}, not {example.prints!r}")
        finally:
            await demo.sim.delete("/_sim/faults")
    assert not failures, "\n".join(failures)


def same(printed: str, documented: str) -> bool:
    try:
        return bool(json.loads(printed) == json.loads(documented))
    except ValueError:
        return re.sub(r"\s+", " ", printed).strip() == re.sub(r"\s+", " ", documented).strip()
