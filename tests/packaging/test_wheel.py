"""The wheels as a user installs them: built from this checkout, installed into a fresh
virtualenv outside it (no system site-packages, no editable paths, the checkout not on
sys.path), then `mgw demo --info-file` answers a query that reaches every platform, serves
/dashboard and GraphiQL's assets, and stops its simulators on SIGTERM.

Dependencies come from a wheelhouse under .venv/ (filled from the package index once per
constraints.txt), so a second run installs offline in seconds; the dependencies are resolved
from the wheels' own metadata, so a missing requirement fails here as it would for a user."""

from __future__ import annotations

import hashlib
import json
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from gateway.servers import free_port, port_is_free

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    assert done.returncode == 0, f"{command}\n{done.stdout}\n{done.stderr}"
    return done  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("wheels")
    # Built from a copy of the files git tracks (what a clone holds): setuptools builds in the
    # source tree, where the suite's other worker may be writing at the same time.
    source = tmp_path_factory.mktemp("source")
    tracked = run(["git", "ls-files", "-z"], cwd=ROOT).stdout.split("\0")
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    run(
        [*PIP, "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), ".", "./simulators"],
        cwd=source,
    )
    built = {path.name.split("-")[0]: path for path in out.glob("*.whl")}
    return {
        "gateway": built["marketing_graph_gateway"],
        "simulators": built["marketing_graph_gateway_simulators"],
    }


def wheelhouse(wheels: dict[str, Path]) -> Path:
    constraints = ROOT / "constraints.txt"
    key = hashlib.sha256(constraints.read_bytes()).hexdigest()[:16]
    house = ROOT / ".venv" / "wheelhouse" / key
    if not (house / ".complete").exists():
        house.mkdir(parents=True, exist_ok=True)
        run(
            [*PIP, "download", "-c", str(constraints), "-d", str(house), *map(str, wheels.values())]
        )
        (house / ".complete").touch()
    return house


def test_the_production_wheel_ships_its_files_and_no_simulators(wheels: dict[str, Path]) -> None:
    names = zipfile.ZipFile(wheels["gateway"]).namelist()
    assert not [name for name in names if name.startswith("simulators/")]
    for needed in (
        "gateway/dashboard/static/index.html",
        "gateway/dashboard/static/dashboard.js",
        "gateway/graphiql_assets/page.html",
        "gateway/graphiql_assets/graphiql.min.js",
        "gateway/graphiql_assets/LICENSE.graphiql",
    ):
        assert needed in names
    simulators = zipfile.ZipFile(wheels["simulators"]).namelist()
    assert "simulators/shopify/spec/admin_schema_2025-01.json.gz" in simulators


def test_installed_from_the_wheels_the_demo_answers(
    wheels: dict[str, Path], tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    install = [
        *PIP,
        "--python",
        str(python),
        "install",
        "--no-compile",
        "--no-index",
        "--find-links",
        str(wheelhouse(wheels)),
        "-c",
        str(ROOT / "constraints.txt"),
    ]
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8"}
    mgw = str(venv / "bin" / "mgw")

    run([*install, str(wheels["gateway"])])
    located = run([str(python), "-c", "import gateway; print(gateway.__file__)"], cwd=home, env=env)
    assert located.stdout.startswith(str(venv)), "the installed gateway, not the checkout"
    assert run([mgw, "--version"], cwd=home, env=env).stdout.strip() == "mgw 0.1.0"
    without = subprocess.run([mgw, "demo"], cwd=home, env=env, capture_output=True, text=True)
    assert without.returncode == 2
    assert "pip install marketing-graph-gateway-simulators" in without.stderr

    run([*install, str(wheels["simulators"])])
    info_file = home / "info.json"
    port, sim_port = free_port(), free_port()
    command = [
        mgw,
        "demo",
        "--people",
        "40",
        "--port",
        str(port),
        "--sim-port",
        str(sim_port),
        "--info-file",
        str(info_file),
    ]
    log = (tmp_path / "demo.log").open("w")
    demo = subprocess.Popen(command, cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not info_file.exists():
            if demo.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the demo did not come up:\n{(tmp_path / 'demo.log').read_text()}")
            time.sleep(0.2)
        info = json.loads(info_file.read_text())
        people = httpx.get(info["simulator_url"] + "/_sim/people", params={"limit": 40}).json()
        everywhere = next(p["email"] for p in people["people"] if len(p["external_ids"]) == 5)
        query = f'{{ customer(email: "{everywhere}") {{ displayName sources {{ platform }} }} }}'
        answer = httpx.post(info["graphql_url"], json={"query": query}, timeout=30).json()
        assert "errors" not in answer, answer
        platforms = {source["platform"] for source in answer["data"]["customer"]["sources"]}
        assert platforms == {"HUBSPOT", "SALESFORCE", "SHOPIFY", "MARKETO", "MAILCHIMP"}
        base = info["graphql_url"].removesuffix("/graphql")
        assert httpx.get(base + "/dashboard").status_code == 200
        page = httpx.get(info["graphql_url"], headers={"accept": "text/html"})
        assert "<title>Marketing Graph Gateway</title>" in page.text
        assert httpx.get(base + "/graphiql/graphiql.min.js").status_code == 200

        demo.send_signal(signal.SIGTERM)
        assert demo.wait(timeout=30) == 0
    finally:
        if demo.poll() is None:
            demo.kill()
        log.close()
    assert port_is_free("127.0.0.1", sim_port), "SIGTERM stopped the simulators too"
    assert not list(home.glob("*.db")), "the demo's fresh database is gone with it"
