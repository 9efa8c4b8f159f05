"""The GraphQL examples of the documentation (tests/docs/blocks.py), run against the demo.

An HTML comment right before a block prepares or qualifies its run (invisible on the page):
`<!-- docs-test: {"bind": {"id": "triggerSync.id"}} -->`. Its keys:

- `bind`: variables taken from the data of the page's earlier answers (merged by root field,
  the latest wins);
- `faults`: bodies posted to the simulators' `/_sim/faults` first, and removed after;
- `errors`: the error codes the answer carries, exactly (an example of a partial answer);
- `wait`: `{"path": "syncRun.status", "until": ["SUCCEEDED"], "seconds": 60}` repeats the
  operation until the value at `path` is one of `until`;
- `trigger`: for a `subscription`, the operation that makes something happen once the
  subscription is open (over Server-Sent Events); the answer is the first event it pushes.

`python -m tests.docs.examples docs/cookbook.md` prints what the demo answers today to each
block of a page (whatever its answer block says), for writing or updating it; with `--fill`
it also writes the answer into every answer block that holds only `{}` (a new example).
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.docs.blocks import ROOT, Example, ExampleError, at, conforms, examples, fences, pages

__all__ = [
    "ROOT",
    "Demo",
    "ExampleError",
    "Graph",
    "conforms",
    "demo_data",
    "examples",
    "gateway",
    "pages",
    "run",
]

SIM_BASE = "http://sim.test"
ID_KEY = "docs-examples-id-key-0123456789"
_SUBSCRIPTION = re.compile(r"^\s*subscription\b")


Post = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Graph:
    """A running gateway: `post` sends an operation in-process; `url` is the same app on a
    local socket, for subscriptions (Server-Sent Events stream; an in-process call would
    wait for the stream's end)."""

    post: Post
    url: str
    subscribers: Callable[[], int | None] = lambda: None
    """How many subscriptions the gateway's change bus holds (None: it cannot say)."""
    backfill: Callable[[], Awaitable[None]] | None = None
    """Store the shop's orders and campaigns now, as the demo does before its banner."""


async def run(
    example: Example, graph: Graph, sim: httpx.AsyncClient, previous: Any, *, check: bool = True
) -> dict[str, Any]:
    """Run one example and return its answer; raise ExampleError unless it answers in the
    documented shape (with `check`)."""
    directive = example.directive
    variables = dict(example.variables)
    for name, path in directive.get("bind", {}).items():
        if previous is None:
            raise ExampleError(f"{example.where}: `bind` needs an earlier example's answer")
        try:
            variables[name] = at(previous, path)
        except (KeyError, IndexError, TypeError, ValueError):
            raise ExampleError(f"{example.where}: no `{path}` in the earlier answers") from None
    for fault in directive.get("faults", []):
        (await sim.post("/_sim/faults", json=fault)).raise_for_status()
    post = graph.post
    try:
        if _SUBSCRIPTION.match(example.query):
            body = await _first_event(example, graph, variables)
        else:
            body = await post(example.query, variables)
        wait = directive.get("wait")
        if wait:
            deadline = asyncio.get_running_loop().time() + float(wait.get("seconds", 60))
            while at(body.get("data"), wait["path"]) not in wait["until"]:
                if asyncio.get_running_loop().time() > deadline:
                    raise ExampleError(
                        f"{example.where}: {wait['path']} never reached {wait['until']}: {body}"
                    )
                await asyncio.sleep(0.2)
                body = await post(example.query, variables)
    finally:
        if directive.get("faults"):
            await sim.delete("/_sim/faults")
    if not check:
        return body
    codes = [error.get("extensions", {}).get("code") for error in body.get("errors", [])]
    expected_codes = directive.get("errors", [])
    if sorted(set(codes)) != sorted(set(expected_codes)):
        raise ExampleError(
            f"{example.where}: errors {codes}, documented {expected_codes}: "
            f"{json.dumps(body)[:1500]}"
        )
    problems = conforms(body, example.answer)
    if problems:
        shown = "\n  ".join(problems[:20])
        raise ExampleError(
            f"{example.where}: the answer differs from the page:\n  {shown}\n"
            f"answer: {json.dumps(body)[:3000]}"
        )
    return body


@dataclass
class Demo:
    """The demo's platforms and synced store, ready for gateways (`demo_data`)."""

    sim_app: Any
    sim: httpx.AsyncClient
    settings: Any  # gateway.settings.Settings


@asynccontextmanager
async def demo_data(database_url: str) -> AsyncIterator[Demo]:
    """The demo's data in this process: simulators seeded as `mgw demo` seeds them (seed 7,
    2,000 people; limits off, for speed) and a store in which every platform was synced once,
    as the demo does at start."""
    from gateway.settings import Settings
    from gateway.simulated import with_simulators
    from simulators import SimConfig
    from simulators import create_app as create_simulators
    from sync_jobs.sync_settings import SyncSettings

    sim_app = create_simulators(SimConfig(seed=7, people=2000, rate_limits="off"))
    sim_transport = httpx.ASGITransport(app=sim_app)
    async with httpx.AsyncClient(transport=sim_transport, base_url=SIM_BASE) as sim:
        credentials = (await sim.get("/_sim/credentials")).json()
        # A fixed id key: customer ids, and so the order `customers` pages in, are the same
        # on every run (each real installation mints its own; the pages say so).
        settings = with_simulators(
            Settings(
                database_url=database_url,
                profile="demo",
                id_key=ID_KEY,
                sync=SyncSettings(schedule=False),
            ),
            SIM_BASE,
            credentials,
        )
        demo = Demo(sim_app, sim, settings)
        async with gateway(demo) as graph:
            await _sync_once(graph.post)
            if graph.backfill is not None:
                await graph.backfill()
        yield demo


async def _first_event(example: Example, graph: Graph, variables: dict[str, Any]) -> dict[str, Any]:
    """Subscribe over SSE, run the directive's `trigger` operation once the stream is open,
    and return the first result the subscription pushes."""
    trigger = example.directive.get("trigger")
    if not trigger:
        raise ExampleError(f"{example.where}: a subscription needs a `trigger` operation")
    body = {"query": example.query, "variables": variables}
    headers = {"Accept": "text/event-stream"}
    before = graph.subscribers()
    async with (
        httpx.AsyncClient(base_url=graph.url, timeout=30) as client,
        client.stream("POST", "/graphql/stream", json=body, headers=headers) as events,
    ):
        lines = events.aiter_lines()
        await _registered(graph, before)
        triggered = await graph.post(trigger, {})
        if triggered.get("errors"):
            raise ExampleError(f"{example.where}: the trigger failed: {triggered}")
        try:
            while await asyncio.wait_for(anext(lines), timeout=15) != "event: next":
                pass
            line = await asyncio.wait_for(anext(lines), timeout=15)
        except TimeoutError:
            raise ExampleError(f"{example.where}: no event within 15 s of the trigger") from None
    answer: dict[str, Any] = json.loads(line.removeprefix("data: "))
    return answer


async def _registered(graph: Graph, before: int | None) -> None:
    """Wait until the new subscription listens on the change bus (it does once its stream
    is read), so the trigger's change is not published before anyone listens."""
    if before is None:
        await asyncio.sleep(1.0)
        return
    for _ in range(500):
        if (graph.subscribers() or 0) > before:
            return
        await asyncio.sleep(0.02)
    raise ExampleError("the subscription never reached the change bus")


@asynccontextmanager
async def gateway(demo: Demo) -> AsyncIterator[Graph]:
    """A fresh gateway (empty caches, healthy circuits) over the demo's platforms and store,
    in-process and on a local socket."""
    from gateway.app import create_app

    app = create_app(demo.settings, transport=httpx.ASGITransport(app=demo.sim_app))
    async with app.router.lifespan_context(app), _on_a_socket(app) as url:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://gw.test", timeout=60
        ) as client:

            async def post(query: str, variables: dict[str, Any]) -> dict[str, Any]:
                response = await client.post(
                    "/graphql", json={"query": query, "variables": variables}
                )
                body: dict[str, Any] = response.json()
                return body

            def subscribers() -> int | None:
                queues = getattr(getattr(app.state.services, "changes", None), "_queues", None)
                return len(queues) if isinstance(queues, set) else None

            yield Graph(post, url, subscribers, app.state.services.graph.attribution.backfill)


@asynccontextmanager
async def _on_a_socket(app: Any) -> AsyncIterator[str]:
    """`app` (its lifespan already running) served by uvicorn on a free port in this loop."""
    import uvicorn

    from gateway.servers import free_port

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        for _ in range(250):
            if server.started or task.done():
                break
            await asyncio.sleep(0.02)
        if not server.started:
            await task  # raises what stopped it
            raise RuntimeError("uvicorn did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def _sync_once(post: Post) -> None:
    started = await post("mutation { triggerSync { id } }", {})
    run_id = started["data"]["triggerSync"]["id"]
    query = "query($id: ID!) { syncRun(id: $id) { status error } }"
    for _ in range(900):
        run = (await post(query, {"id": run_id}))["data"]["syncRun"]
        if run["status"] not in ("QUEUED", "RUNNING"):
            assert run["status"] == "SUCCEEDED", run
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the demo sync did not finish in 180 s")


def compact(value: Any, indent: int = 0, width: int = 96) -> str:
    """JSON as a person would write it in a page: short values on one line, long ones opened."""
    flat = json.dumps(value, ensure_ascii=False)
    if len(flat) + indent <= width or not isinstance(value, (dict, list)) or not value:
        return flat
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k)}: {compact(v, indent + 2, width)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + compact(v, indent + 2, width) for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


async def _answers(paths: list[str], fill: bool) -> None:
    """Print each block's answer today; with `fill`, write it into answer blocks that hold
    only `{}` (a new example), leaving every other answer as its author wrote it."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        async with demo_data(f"sqlite+aiosqlite:///{folder}/docs.db") as demo:
            for name in paths:
                path = Path(name).resolve()  # noqa: ASYNC240  (a script, not a server)
                answers = []
                previous: dict[str, Any] | None = None
                async with gateway(demo) as graph:
                    for example in examples(path):
                        body = await run(example, graph, demo.sim, previous, check=False)
                        previous = {**(previous or {}), **(body.get("data") or {})}
                        answers.append(body)
                        print(f"==> {example.where}")
                        print(compact(body))
                if fill:
                    _fill(path, answers)


def _fill(path: Path, answers: list[dict[str, Any]]) -> None:
    text = path.read_text(encoding="utf-8")
    blocks = fences(text)
    # The answer index of each empty answer block: the graphql blocks before it, less one.
    owners = [
        sum(1 for earlier in blocks[:index] if earlier.info.split()[:1] == ["graphql"]) - 1
        for index, block in enumerate(blocks)
        if block.info == "json" and block.text.strip() == "{}"
    ]
    pieces = re.split(r"(```json\n\{\}\n```)", text)
    filled = iter(owners)
    out = [
        f"```json\n{compact(answers[next(filled)])}\n```" if piece == "```json\n{}\n```" else piece
        for piece in pieces
    ]
    path.write_text("".join(out), encoding="utf-8")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    asyncio.run(_answers([a for a in arguments if a != "--fill"], "--fill" in arguments))
