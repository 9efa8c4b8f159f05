"""`mgw connect`'s callback page against a hostile browser (issue 19): a request whose
`state` is not this flow's is ignored while the flow waits on for the real one, and what a
page shows is escaped."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from gateway.connect import _wait_for_callback
from gateway.servers import free_port
from gateway.settings import ConfigError

STATE = "the-flows-own-state"


async def until_listening(base: str) -> None:
    async with httpx.AsyncClient() as http:
        for _ in range(200):
            try:
                await http.get(base + "/other")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.02)
    pytest.fail("the callback server did not start")


async def test_a_guessed_state_is_ignored_and_the_real_callback_still_connects() -> None:
    base = f"http://127.0.0.1:{free_port()}"
    waiting = asyncio.create_task(_wait_for_callback(base + "/cb", 30, STATE))
    await until_listening(base)
    async with httpx.AsyncClient() as http:
        guessed = await http.get(base + "/cb", params={"code": "x", "state": "guessed"})
        missing = await http.get(base + "/cb", params={"code": "x"})
        assert not waiting.done()
        real = await http.get(base + "/cb", params={"code": "the-code", "state": STATE})

    assert await waiting == ("the-code", STATE)
    assert guessed.status_code == missing.status_code == 400
    assert "Connected" not in guessed.text
    assert "Connected" in real.text


async def test_an_error_is_shown_escaped() -> None:
    base = f"http://127.0.0.1:{free_port()}"
    waiting = asyncio.create_task(_wait_for_callback(base + "/cb", 30, STATE))
    await until_listening(base)
    script = "<script>alert(document.domain)</script>"
    async with httpx.AsyncClient() as http:
        forged = await http.get(base + "/cb", params={"error": script, "state": "guessed"})
        refused = await http.get(base + "/cb", params={"error": script, "state": STATE})

    with pytest.raises(ConfigError, match="the platform refused"):
        await waiting
    assert forged.status_code == refused.status_code == 400
    assert "<script>" not in forged.text
    assert "<script>" not in refused.text
    assert "&lt;script&gt;" in refused.text
