"""The demo as a person runs it, shared by the end-to-end tests: real processes, real sockets."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest

from gateway.servers import free_port


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    workdir = tmp_path_factory.mktemp("demo")
    info_file = workdir / "info.json"
    command = [
        sys.executable,
        "-m",
        "gateway",
        "demo",
        "--people",
        "300",
        "--port",
        str(free_port()),
        "--sim-port",
        str(free_port()),
        "--info-file",
        str(info_file),
    ]
    log = (workdir / "demo.log").open("w")
    process = subprocess.Popen(command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not info_file.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"demo did not come up:\n{(workdir / 'demo.log').read_text()}")
            time.sleep(0.1)
        info = json.loads(info_file.read_text())
        info["log"] = workdir / "demo.log"
        yield info
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
