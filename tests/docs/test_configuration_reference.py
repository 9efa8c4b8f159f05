"""docs/configuration.md agrees with the live typed settings: the page is exactly what the
generator writes from `Settings` now, and every variable and mgw.toml key it documents really
sets the setting it names (read back from a `Settings` built from the environment or a file)."""

from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr, ValidationError

from gateway import reference_config
from gateway.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "configuration.md"
ROW = re.compile(r"^\| `(MGW_[A-Z0-9_<>]+)` \| `([a-z0-9_.<>]+)` \| (.+?) \| (.+?) \| .* \|$")


def documented_rows() -> list[tuple[str, str, str]]:
    """(variable, mgw.toml key, type) of every row of the page on disk."""
    rows = []
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if match := ROW.match(line):
            rows.append((match[1], match[2], match[3]))
    return rows


def test_the_page_is_what_the_settings_generate() -> None:
    assert PAGE.exists(), "docs/configuration.md is missing: run `mgw config docs`"
    on_disk, wanted = PAGE.read_text(encoding="utf-8"), reference_config.markdown()
    diff = "".join(
        list(
            difflib.unified_diff(
                on_disk.splitlines(keepends=True),
                wanted.splitlines(keepends=True),
                "docs/configuration.md",
                "from gateway/settings.py",
            )
        )[:60]
    )
    assert on_disk == wanted, f"the page disagrees with the settings: run `mgw config docs`\n{diff}"


def test_every_setting_has_a_row_and_every_row_a_setting() -> None:
    documented = {variable for variable, _, _ in documented_rows()}
    generated = {row.variable for section in reference_config.sections() for row in section.rows}
    assert documented == generated
    assert {"MGW_PORT", "MGW_HUBSPOT__PRIVATE_APP_TOKEN", "MGW_JOBS__ENGINE"} <= documented
    assert "MGW_LIMITS__<PLATFORM>__REQUESTS" in documented


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No MGW_* variable set and an empty mgw.toml; the path of that file."""
    for name in list(os.environ):
        if name.startswith("MGW_"):
            monkeypatch.delenv(name)
    config = tmp_path / "mgw.toml"
    config.write_text("")
    monkeypatch.setenv("MGW_CONFIG", str(config))
    return config


def test_every_documented_variable_and_key_sets_its_setting(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = documented_rows()
    baseline = Settings()
    untried: list[str] = []
    for variable, key, type_text in rows:
        variable = variable.replace("<PLATFORM>", "HUBSPOT")
        key = key.replace("<platform>", "hubspot")
        current = read(baseline, key)
        tried = False
        for candidate in candidates(type_text, current):
            monkeypatch.setenv(variable, env_text(candidate))
            try:
                from_env = Settings()
            except ValidationError:
                monkeypatch.delenv(variable)
                continue
            monkeypatch.delenv(variable)
            # A partial intervals map merges over the defaults (sync_jobs/sync_settings.py).
            merged = key == "sync.intervals" and isinstance(candidate, dict)
            expected = {**plain(current), **candidate} if merged else candidate
            assert plain(read(from_env, key)) == expected, f"{variable} did not set {key}"
            clean_env.write_text(toml_text(key, candidate))
            from_file = Settings()
            clean_env.write_text("")
            assert plain(read(from_file, key)) == expected, f"mgw.toml `{key}` did not set it"
            tried = True
            break
        if not tried:
            untried.append(variable)
    # A new setting whose validator refuses every sample value is not exercised here (the
    # page test above still covers it); most must be.
    assert len(untried) <= len(rows) // 10, f"no sample value fits: {untried}"


def read(settings: Settings, key: str) -> Any:
    """The value at a dotted mgw.toml key; None where a table has no such entry yet."""
    value: Any = settings
    for part in key.split("."):
        if value is None:
            return None
        value = value.get(part) if isinstance(value, dict) else getattr(value, part)
    return value


def plain(value: Any) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, tuple):
        return [plain(item) for item in value]
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return value


def candidates(type_text: str, current: Any) -> list[Any]:
    """Values of the documented type that differ from the current one, likeliest first."""
    current = plain(current)
    if "`" in type_text and "\\|" in type_text:
        options = re.findall(r"`([^`]+)`", type_text)
        found: list[Any] = [option for option in options if option != current]
    elif type_text.startswith("boolean"):
        found = [not current]
    elif type_text.startswith("integer"):
        base = current if isinstance(current, int) else 3
        found = [base + 1, base - 1, 1, 2, 7, 100]
    elif type_text.startswith("number"):
        number = float(current) if isinstance(current, (int, float)) else 2.0
        found = [number + 1.5, 0.75, 2.5, 0.5]
    elif type_text.startswith("secret"):
        found = ["docs-test-secret-0123456789abcdef"]
    elif type_text.startswith("string"):
        found = ["hubspot", "debug", "https://docs.example.com", "docs-test-value", "EUR"]
    elif type_text.startswith("list of numbers"):
        found = [[2, 3]]
    elif type_text.startswith("list of strings"):
        found = [["ES256"], ["hubspot"], ["docs-test"]]
    elif type_text.startswith("table of strings"):
        found = [{"hubspot": "marketo"}]
    elif type_text.startswith("table of numbers"):
        found = [{"hubspot": 3}]
    elif type_text.startswith("list of tables"):
        found = [[{"field": "lifecycle_stage", "source": "salesforce", "targets": ["hubspot"]}]]
    else:
        found = []
    return [value for value in found if value != current]


def env_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value)


def toml_text(key: str, value: Any) -> str:
    *tables, name = key.split(".")
    if isinstance(value, list) and value and isinstance(value[0], dict):
        blocks = []
        for item in value:
            blocks.append(
                f"[[{key}]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in item.items())
            )
        return "\n".join(blocks)
    line = f"{name} = {toml_value(value)}\n"
    return f"[{'.'.join(tables)}]\n{line}" if tables else line


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)
