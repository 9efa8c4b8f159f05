"""The soak's processes: a Redis of its own, the simulators, two gateways and two workers.

Every process is started here, logs to a file of its own in the run's work directory, and can
be killed or restarted by name, so the run can disturb the deployment the way production does:
a worker SIGKILLed, Redis restarted, a gateway restarted.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from gateway.servers import free_port, wait_until_answers

# The simulators run without rate limits and the gateway's own limits are lifted to match:
# the soak is about faults and restarts; BENCHMARKS.md measures the limits.
UNLIMITED = {
    "hubspot": {"requests": 1_000_000, "search_per_second": 100_000, "max_wait_seconds": 2},
    "salesforce": {"daily_requests": 10_000_000, "max_wait_seconds": 2},
    "shopify": {"cost_capacity": 1e9, "cost_restore_rate": 1e9, "max_wait_seconds": 2},
    "marketo": {
        "requests": 1_000_000,
        "daily_requests": 10_000_000,
        "concurrency": 100_000,
        "max_wait_seconds": 2,
    },
    "mailchimp": {"concurrency": 100_000, "max_wait_seconds": 2},
}


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    log: IO[str] | None = None
    starts: int = 0

    def start(self) -> None:
        self.log = self.log_path.open("a")
        self.log.write(f"--- start {self.starts + 1} at {time.strftime('%H:%M:%S')}\n")
        self.log.flush()
        self.process = subprocess.Popen(
            self.argv, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self.starts += 1

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not None:
            self.log.close()
            self.log = None


@dataclass
class Stack:
    workdir: Path
    database_url: str
    people: int
    gateways: int = 2
    workers: int = 2
    redis_port: int = field(default_factory=free_port)
    sim_port: int = field(default_factory=free_port)
    gateway_ports: tuple[int, ...] = ()
    queue: str = field(default_factory=lambda: f"mgw:soak:{uuid.uuid4().hex[:8]}")
    services: dict[str, Service] = field(default_factory=dict)
    held_down: set[str] = field(default_factory=set)
    """Stopped on purpose: not to be started again by `supervise`."""

    def __post_init__(self) -> None:
        if not self.gateway_ports:
            self.gateway_ports = tuple(free_port() for _ in range(self.gateways))

    @property
    def sim_url(self) -> str:
        return f"http://127.0.0.1:{self.sim_port}"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def gateway_url(self, n: int) -> str:
        return f"http://127.0.0.1:{self.gateway_ports[n]}"

    def mgw_env(self) -> dict[str, str]:
        return {
            **os.environ,
            "MGW_PROFILE": "demo",
            "MGW_DATABASE_URL": self.database_url,
            "MGW_REDIS_URL": self.redis_url,
            "MGW_HTTP_TIMEOUT_SECONDS": "2",
            "MGW_LIMITS": json.dumps(UNLIMITED),
            "MGW_SYNC__SCHEDULE": "false",
            "MGW_SYNC__ON_START": "false",
            "MGW_JOBS__QUEUE_NAME": self.queue,
            "MGW_JOBS__RETRY_DELAYS_SECONDS": "[0.5, 2.0, 5.0]",
            "MGW_JOBS__WRITE_DEADLINE_SECONDS": "1.0",
            "MGW_JOBS__JOB_TIMEOUT_SECONDS": "60",
            "MGW_JOBS__SWEEP_SECONDS": "10",
            "MGW_JOBS__CONCURRENCY": "20",
        }

    def _add(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> Service:
        service = Service(name, argv, env or self.mgw_env(), self.workdir / f"{name}.log")
        self.services[name] = service
        return service

    def start(self) -> None:
        redis = shutil.which("redis-server")
        if redis is None:
            raise SystemExit("the soak needs redis-server on PATH (apt-get install redis-server)")
        self._add(
            "redis",
            [
                redis,
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            dict(os.environ),
        ).start()
        mgw = [sys.executable, "-m", "gateway"]
        self._add(
            "sim",
            [
                *mgw,
                "simulate",
                "--port",
                str(self.sim_port),
                "--people",
                str(self.people),
                "--rate-limits",
                "off",
                "--webhook-url",
                self.gateway_url(0),
            ],
        ).start()
        self.wait_for("sim", f"{self.sim_url}/_sim/credentials")
        self.wait_for_redis()
        for n in range(self.gateways):
            self._add(
                f"gateway-{n + 1}",
                [
                    *mgw,
                    "serve",
                    "--simulators",
                    self.sim_url,
                    "--port",
                    str(self.gateway_ports[n]),
                    "--log-level",
                    "warning",
                ],
            ).start()
        for n in range(self.gateways):
            self.wait_for(f"gateway-{n + 1}", f"{self.gateway_url(n)}/health/live")
        for n in range(1, self.workers + 1):
            self._add(
                f"worker-{n}",
                [
                    *mgw,
                    "worker",
                    "--simulators",
                    self.sim_url,
                    "--log-level",
                    "warning",
                ],
            ).start()

    def wait_for(self, name: str, url: str, timeout: float = 300.0) -> None:
        """Until `url` answers: a loaded machine has taken over a minute to start a gateway."""
        service = self.services[name]
        if not wait_until_answers(url, timeout, service.alive):
            raise SystemExit(f"{name} did not answer {url}; see {service.log_path}")

    def wait_for_redis(self, timeout: float = 20.0) -> None:
        import redis

        client = redis.Redis(port=self.redis_port)
        give_up = time.monotonic() + timeout
        try:
            while True:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    if time.monotonic() > give_up:
                        raise SystemExit("redis-server did not answer") from None
                    time.sleep(0.05)
        finally:
            client.close()

    def kill_worker(self, name: str) -> None:
        """SIGKILL: the worker's jobs in flight are cut off mid-write, as in a crash."""
        self.held_down.add(name)
        self.services[name].stop(signal.SIGKILL)

    def start_again(self, name: str) -> None:
        self.services[name].start()
        self.held_down.discard(name)

    def restart(self, name: str) -> None:
        service = self.services[name]
        self.held_down.add(name)
        service.stop()
        service.start()
        self.held_down.discard(name)
        if name == "redis":
            self.wait_for_redis()
        elif name.startswith("gateway-"):
            n = int(name.rsplit("-", 1)[1]) - 1
            self.wait_for(name, f"{self.gateway_url(n)}/health/live")

    def supervise(self) -> list[str]:
        """Start again every worker or gateway that exited by itself, as systemd or Kubernetes
        would; the names restarted (each one a crash the report lists)."""
        crashed = []
        for name, service in self.services.items():
            if name in self.held_down or not name.startswith(("worker-", "gateway-")):
                continue
            if service.process is not None and service.process.poll() is not None:
                crashed.append(f"{name} exited {service.process.returncode}")
                service.stop()
                service.start()
        return crashed

    def faults(self, rate: float) -> None:
        """`rate` of every platform call faulted: mostly errors (5xx or 429), some hangs cut
        by the gateway's 2 s timeout, some malformed bodies, some answers cut off mid-body
        (the last two after the platform did the work)."""
        statuses = {
            "hubspot": 429,
            "salesforce": 503,
            "shopify": 500,
            "marketo": 502,
            "mailchimp": 429,
        }
        for platform, status in statuses.items():
            fault = {
                "platform": platform,
                "error_rate": rate * 0.5,
                "status": status,
                "timeout_rate": rate * 0.1,
                "malformed_rate": rate * 0.3,
                "truncate_rate": rate * 0.1,
            }
            httpx.post(f"{self.sim_url}/_sim/faults", json=fault).raise_for_status()

    def faults_off(self) -> None:
        httpx.delete(f"{self.sim_url}/_sim/faults").raise_for_status()

    def stop(self) -> None:
        for name in reversed(list(self.services)):
            self.services[name].stop(signal.SIGINT if name != "redis" else signal.SIGTERM)
