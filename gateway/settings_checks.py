"""Checks of single settings values, and pydantic's refusals said the way an operator reads them.

Every value that cannot work fails at `mgw config check` and at start, on one line that names
the variable an operator sets (`MGW_PORT`, `MGW_SYNC__INTERVALS`), not the pydantic field, and
says what would work. The checks here are the ones pydantic's types cannot express; the
validators in gateway/settings.py call them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

LOG_LEVELS = ("debug", "info", "warning", "error")
_DATABASE_DRIVERS = {
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
}
_SECRET_WORDS = ("key", "token", "secret", "password")


def log_level(value: str) -> str:
    level = value.strip().lower()
    if level == "warn":
        level = "warning"
    if level not in LOG_LEVELS:
        raise ValueError(f"use one of {', '.join(LOG_LEVELS)}")
    return level


def redis_url(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    from redis.connection import parse_url

    value = value.strip()
    try:
        parse_url(value)  # type: ignore[no-untyped-call]
    except ValueError:
        example = f"redis://{value}/0" if "://" not in value else "redis://host:6379/0"
        raise ValueError(
            f"a Redis URL starts with redis://, rediss:// (TLS) or unix://, e.g. {example}"
        ) from None
    return value


def database_url(value: str) -> str:
    """The SQLAlchemy async URL for `value`: postgres:// and postgresql:// become
    postgresql+asyncpg://, sqlite:// becomes sqlite+aiosqlite://; '' stays (the data directory's
    SQLite file is filled in later)."""
    value = value.strip()
    if not value:
        return value
    scheme, sep, rest = value.partition("://")
    driver = _DATABASE_DRIVERS.get(scheme.lower()) if sep else None
    if driver is None:
        raise ValueError(
            "use postgresql+asyncpg://user:password@host:5432/db (postgres:// and postgresql:// "
            "are read as that) or sqlite+aiosqlite:////absolute/path/mgw.db"
        )
    url = f"{driver}://{rest}"
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise ValueError(f"not a database URL ({exc}); e.g. {driver}://…") from None
    return url


def phone_region(value: str) -> str:
    """An ISO 3166 two-letter region the phone library reads numbers in, upper-cased."""
    from canonical_schema import is_phone_region

    region = value.strip().upper()
    if is_phone_region(region):
        return region
    if region == "UK":
        raise ValueError("use GB, the United Kingdom's ISO 3166 code")
    raise ValueError("use a two-letter ISO 3166 region code such as US, GB, DE or FR")


def vault_key(value: str) -> str:
    """A Fernet key or a passphrase of 16+ characters (hub/vault.py), or '' (no vault)."""
    if not value or len(value) >= 16:
        return value
    raise ValueError(
        "use a passphrase of 16+ characters or a Fernet key, e.g. from "
        "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())'`"
    )


def http_url(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"use an http:// or https:// URL, e.g. http://{value.split('://')[-1]}")
    return value


def variable(loc: Iterable[int | str]) -> str:
    """`("sync", "intervals", "hubspot")` -> `MGW_SYNC__INTERVALS__HUBSPOT`; list indices end
    the name (`MGW_SYNC__PROPAGATE`)."""
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            break
        parts.append(str(part).upper())
    return "MGW_" + "__".join(parts)


def toml_key(loc: Iterable[int | str]) -> str:
    return ".".join(str(part) for part in loc if not isinstance(part, int))


def explain(error: BaseException, environ: Mapping[str, str] | None = None) -> list[str]:
    """One line per problem: the variable (or mgw.toml key), the value (secrets hidden), what
    would work. Any other exception is its own message."""
    if not isinstance(error, ValidationError):
        return [str(error)]
    environ = os.environ if environ is None else environ
    lines = []
    for problem in error.errors(include_url=False):
        loc = problem["loc"]
        name = variable(loc)
        where = name if name in environ or not loc else f"{name} (mgw.toml: {toml_key(loc)})"
        shown = _shown(name, environ.get(name, problem.get("input")))
        message = str(problem["msg"]).removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            message = "no setting reads it; `mgw config check` suggests the likeliest name"
        lines.append(f"{where}{shown}: {message[:1].lower()}{message[1:]}")
    return lines


def _shown(name: str, value: Any) -> str:
    if isinstance(value, dict | list) or value is None:
        return ""
    if any(word in name.lower() for word in _SECRET_WORDS):
        return "=***"
    text = str(value)
    return f"={text if len(text) <= 60 else text[:57] + '…'}"
