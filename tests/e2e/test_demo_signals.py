"""`mgw demo` stops its simulators however it is stopped: Ctrl-C (SIGINT), SIGTERM (`timeout`,
systemd, `docker stop`, a script killing the info file's pid) and SIGHUP (the terminal
closing). Otherwise the simulators keep their port and the next demo cannot start.

The three demos start side by side, 20 people each: one wait for three starts."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.servers import free_port, port_is_free

pytestmark = pytest.mark.e2e

STOPS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
HUNG = 120.0  # a bound for a hung start on a loaded machine, not a speed requirement


@dataclass
class Demo:
    process: subprocess.Popen[bytes]
    port: int
    sim_port: int
    info_file: Path
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start(folder: Path) -> Demo:
    folder.mkdir()
    port, sim_port, info_file, log = free_port(), free_port(), folder / "info.json", folder / "log"
    command = [
        *(sys.executable, "-m", "gateway", "demo", "--people", "20"),
        *("--port", str(port), "--sim-port", str(sim_port), "--info-file", str(info_file)),
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=folder, stdout=output, stderr=subprocess.STDOUT)
    return Demo(process, port, sim_port, info_file, log)


def test_sigint_sigterm_and_sighup_each_stop_the_simulators_too(tmp_path: Path) -> None:
    demos = {stop: start(tmp_path / stop.name) for stop in STOPS}
    try:
        deadline = time.monotonic() + HUNG
        for stop, demo in demos.items():
            while not demo.info_file.exists():
                if demo.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the demo for {stop.name} did not come up:\n{demo.output()}")
                time.sleep(0.1)
            assert json.loads(demo.info_file.read_text())["pid"] == demo.process.pid

        for stop, demo in demos.items():
            demo.process.send_signal(stop)
        for stop, demo in demos.items():
            assert demo.process.wait(timeout=60) == 0, f"{stop.name}:\n{demo.output()}"
            assert port_is_free("127.0.0.1", demo.sim_port), f"{stop.name} left the simulators"
            assert port_is_free("127.0.0.1", demo.port), f"{stop.name} left the gateway"
    finally:
        for demo in demos.values():
            if demo.process.poll() is None:
                demo.process.kill()
                demo.process.wait()
