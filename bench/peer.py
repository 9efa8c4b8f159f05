"""The peer gateway (GraphQL Hive Gateway over the same HubSpot endpoints), started and stopped
through ../shared/bench/peer/peer.sh, and the memory of a process and everything it started.

peer.sh installs the peer with npm into PEER_WORK (default $TMPDIR/mgw-peer) the first time,
which takes a minute or two; later runs reuse it. Node 20 or newer and npm are needed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEER_SH = Path(
    os.environ.get("MGW_PEER_SH") or ROOT.parent / "shared" / "bench" / "peer" / "peer.sh"
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
def peer(hubspot_base_url: str, token: str, port: int) -> Iterator[Peer]:
    """The peer serving at `port`, stopped (its whole process group) on exit."""
    work_dir().mkdir(parents=True, exist_ok=True)
    output = work_dir() / "start.log"
    # Into a file, not a pipe: the gateway peer.sh leaves running would hold a pipe open.
    with output.open("w") as log:
        started = subprocess.run(
            ["bash", str(PEER_SH), "start", hubspot_base_url, token, str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
            timeout=900,
        )
    if started.returncode != 0:
        subprocess.run(["bash", str(PEER_SH), "stop"], check=False, timeout=60)
        gateway_log = work_dir() / "gateway.log"
        tail = gateway_log.read_text()[-2000:] if gateway_log.exists() else ""
        raise RuntimeError(f"the peer did not start: {output.read_text()[-1000:]}\n{tail}")
    try:
        pid = int((work_dir() / "gateway.pid").read_text().strip())
        yield Peer(f"http://127.0.0.1:{port}", pid)
    finally:
        subprocess.run(["bash", str(PEER_SH), "stop"], check=False, timeout=60)


def tree(pid: int) -> list[int]:
    """`pid` and every process it started, however deep."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of `pid` and every process it started, in MB (0 when gone)."""
    total = 0
    for each in tree(pid):
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024
