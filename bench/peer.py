"""The peer gateway (GraphQL Hive Gateway over the same HubSpot endpoints), started and stopped
through ../shared/bench/peer/peer.sh, with as many serving processes as ours and, for warm
comparisons, its own response cache on.

peer.sh installs the peer with npm into PEER_WORK (default $TMPDIR/mgw-peer) the first time,
which takes a minute or two; later runs reuse it. Each running peer gets a directory of its
own beside that install (its config, its composed supergraph, its pid file), sharing the
installed node_modules, so that several can run at once — live and warm, one process and
`--fork 2` — and `peer.sh stop` ends exactly one. Node 20 or newer and npm are needed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PEER_SH = Path(
    os.environ.get("MGW_PEER_SH") or ROOT.parent / "shared" / "bench" / "peer" / "peer.sh"
)
STARTUP_SECONDS = 240
_INSTALLING = threading.Lock()  # peers start at once (bench/comparison.py); one installs
PROPERTIES = (
    "email,firstname,lastname,phone,lifecyclestage,hubspotscore,createdate,lastmodifieddate"
)
BY_EMAIL = (  # the peer's `customer(email:)`: HubSpot's contact read by email, the same fields
    'query ($e: String!) { getContact(contactId: $e, idProperty: "email", properties: '
    f'"{PROPERTIES}") {{ id updatedAt properties {{ email firstname lastname phone '
    "lifecyclestage hubspotscore } } }"
)


def work_dir() -> Path:
    return Path(os.environ.get("PEER_WORK") or Path(tempfile.gettempdir()) / "mgw-peer")


def missing() -> str | None:
    """Why the peer cannot run here, or None when it can."""
    if not PEER_SH.exists():
        return f"{PEER_SH} is missing"
    for tool in ("node", "npm", "curl"):
        if shutil.which(tool) is None:
            return f"`{tool}` is not on PATH"
    return None


def installed() -> bool:
    return (work_dir() / "node_modules" / ".bin" / "hive-gateway").exists()


def query() -> str:
    """The peer's benchmark query, as peer.sh prints it."""
    done = subprocess.run(
        ["bash", str(PEER_SH), "query"], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def version() -> str:
    package = work_dir() / "node_modules" / "@graphql-hive" / "gateway" / "package.json"
    try:
        return str(json.loads(package.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return "unknown"


@dataclass(frozen=True)
class Peer:
    url: str
    pid: int


@contextmanager
def peer(
    hubspot_base_url: str,
    token: str,
    port: int,
    *,
    fork: int = 1,
    cache_seconds: int | None = None,
) -> Iterator[Peer]:
    """The peer serving at `port` with `fork` serving processes (Hive Gateway's `--fork`,
    through its FORK variable: one process when 1) and its response cache on for
    `cache_seconds` (peer.sh's PEER_CACHE); stopped, its whole process group, on exit."""
    with _INSTALLING:  # peer.sh installs into the shared directory on its first start
        if not installed():
            with _started(work_dir(), hubspot_base_url, token, port, {}):
                pass
    instance = work_dir() / "instances" / str(port)
    instance.mkdir(parents=True, exist_ok=True)
    modules = instance / "node_modules"
    if not modules.exists():
        modules.symlink_to(work_dir() / "node_modules")
    env = {"FORK": str(fork)}
    if cache_seconds:
        env["PEER_CACHE"] = str(cache_seconds)
    try:
        with _started(instance, hubspot_base_url, token, port, env) as pid:
            yield Peer(f"http://127.0.0.1:{port}", pid)
    finally:  # its logs went with it; the shared install (a link here) stays
        shutil.rmtree(instance, ignore_errors=True)


def _answers(where: Path, port: int, seconds: float = STARTUP_SECONDS) -> bool:
    """Whether a peer peer.sh gave up on (it waits 30 s; `--fork` workers on a loaded machine
    take longer) is still starting and answers within `seconds`."""
    pid_file = where / "gateway.pid"
    end = time.monotonic() + seconds
    try:
        os.kill(int(pid_file.read_text().strip()), 0)  # still running
    except (OSError, ValueError):
        return False
    body = {"query": "{ __typename }"}
    while time.monotonic() < end:
        try:
            if httpx.post(f"http://127.0.0.1:{port}/graphql", json=body, timeout=2).is_success:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    return False


@contextmanager
def _started(
    where: Path, hubspot_base_url: str, token: str, port: int, extra: dict[str, str]
) -> Iterator[int]:
    where.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PEER_WORK": str(where), **extra}
    output = where / "start.log"
    # Into a file, not a pipe: the gateway peer.sh leaves running would hold a pipe open.
    with output.open("w") as log:
        started = subprocess.run(
            ["bash", str(PEER_SH), "start", hubspot_base_url, token, str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
            timeout=900,
            env=env,
        )
    try:
        if started.returncode != 0 and not _answers(where, port):
            gateway_log = where / "gateway.log"
            tail = gateway_log.read_text()[-2000:] if gateway_log.exists() else ""
            raise RuntimeError(f"the peer did not start: {output.read_text()[-1000:]}\n{tail}")
        yield int((where / "gateway.pid").read_text().strip())
    finally:
        group = _group(where)
        subprocess.run(["bash", str(PEER_SH), "stop"], check=False, timeout=60, env=env)
        if group is not None:
            _ended(group)


def _group(where: Path) -> int | None:
    """The process group peer.sh started (the gateway leads it), if it wrote one."""
    try:
        return int((where / "gateway.pid").read_text().strip())
    except (OSError, ValueError):
        return None


def _ended(group: int, seconds: float = 15) -> None:
    """Waits for the group's processes to end after peer.sh's SIGTERM; kills what is left (a
    `--fork` gateway stops serving on SIGTERM but its processes may stay)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            os.killpg(group, 0)
        except OSError:  # none left
            return
        time.sleep(0.25)
    with contextlib.suppress(OSError):
        os.killpg(group, signal.SIGKILL)
