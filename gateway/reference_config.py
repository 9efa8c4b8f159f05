"""docs/configuration.md, written from the typed `Settings` object itself.

The page is generated, never edited by hand, so it cannot drift from the code: every field of
`Settings` and of every model nested in it becomes one row naming its `MGW_*` variable, its
`mgw.toml` key, its type, its default and its description. `mgw config docs` writes it and
tests/docs/test_configuration_reference.py fails when the page and the live settings disagree.
"""

from __future__ import annotations

import inspect
import json
import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo

from connectors.registry import platforms, specs
from gateway.settings import Settings


@dataclass(frozen=True)
class Row:
    """One setting: where to set it and what it means."""

    variable: str
    toml_key: str
    type: str
    default: str
    meaning: str


@dataclass(frozen=True)
class Section:
    """The settings of one model: the top level, or one nested table such as `[jobs]`."""

    title: str
    intro: str
    rows: list[Row]


def sections(model: type[BaseModel] = Settings) -> list[Section]:
    """Every setting, grouped by the table it lives in, top level first."""
    found: list[Section] = []
    _walk(model, "MGW_", (), "General", _doc(model), found)
    return found


def _walk(
    model: type[BaseModel],
    env: str,
    toml: tuple[str, ...],
    title: str,
    intro: str,
    found: list[Section],
) -> None:
    rows: list[Row] = []
    nested: list[tuple[str, type[BaseModel], str, tuple[str, ...], FieldInfo]] = []
    for name, field in model.model_fields.items():
        annotation = _unwrap_optional(field.annotation)
        if _is_model(annotation):
            nested.append((name, annotation, f"{env}{name.upper()}__", (*toml, name), field))
            continue
        value_model = _dict_of_models(annotation)
        if value_model is not None:
            key = "<PLATFORM>" if "platform" in (field.description or "").lower() else "<KEY>"
            child_env = f"{env}{name.upper()}__{key}__"
            nested.append((name, value_model, child_env, (*toml, name, key.lower()), field))
            continue
        rows.append(
            Row(
                variable=f"{env}{name.upper()}",
                toml_key=".".join((*toml, name)),
                type=_type_name(field.annotation, field),
                default=_default(field),
                meaning=_meaning(field),
            )
        )
    if rows:
        found.append(Section(title, intro, rows))
    for _, child, child_env, child_toml, field in nested:
        parts = [field.description or "", _doc(child)]
        child_intro = " ".join(part for part in parts if part)
        table = ".".join(child_toml)
        _walk(child, child_env, child_toml, f"[{table}]", child_intro, found)


def _doc(model: type[BaseModel]) -> str:
    """The model's own docstring's first paragraph (not one inherited from pydantic)."""
    doc = inspect.cleandoc(model.__dict__.get("__doc__") or "")
    return " ".join(doc.split("\n\n")[0].split())


def _unwrap_optional(annotation: Any) -> Any:
    if _is_union(annotation):
        args = [arg for arg in get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def _is_model(annotation: Any) -> bool:
    return inspect.isclass(annotation) and issubclass(annotation, BaseModel)


def _dict_of_models(annotation: Any) -> type[BaseModel] | None:
    if get_origin(annotation) is dict:
        value = get_args(annotation)[1]
        if _is_model(value):
            found: type[BaseModel] = value
            return found
    return None


_SCALARS = {str: "string", int: "integer", float: "number", bool: "boolean", SecretStr: "secret"}


def _type_name(annotation: Any, field: FieldInfo | None = None) -> str:
    text = _type_text(annotation)
    bounds = [] if field is None else list(_bounds(field))
    return f"{text} ({', '.join(bounds)})" if bounds else text


def _type_text(annotation: Any) -> str:
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    origin = get_origin(annotation)
    args = get_args(annotation)
    if _is_union(annotation):
        parts = [_type_text(arg) for arg in args if arg is not type(None)]
        text = " or ".join(parts)
        return f"{text}, optional" if type(None) in args else text
    if origin is Literal:
        return " \\| ".join(f"`{value}`" for value in args)
    if origin in (list, tuple):
        item: Any = args[0] if args else Any
        if _is_model(item):
            fields = ", ".join(item.model_fields)
            return f"list of tables ({fields})"
        return f"list of {_plural(_type_text(item))}"
    if origin is dict:
        return f"table of {_plural(_type_text(args[1]))}"
    if inspect.isclass(annotation):
        return annotation.__name__
    return str(annotation)


def _plural(name: str) -> str:
    return name if name.endswith("s") or " " in name or "`" in name else f"{name}s"


def _bounds(field: FieldInfo) -> Iterator[str]:
    for item in field.metadata:
        if isinstance(item, annotated_types.Ge):
            yield f"≥ {item.ge}"
        elif isinstance(item, annotated_types.Gt):
            yield f"> {item.gt}"
        elif isinstance(item, annotated_types.Le):
            yield f"≤ {item.le}"
        elif isinstance(item, annotated_types.Lt):
            yield f"< {item.lt}"
        elif isinstance(item, annotated_types.MinLen) and item.min_length > 0:
            yield f"length ≥ {item.min_length}"
        elif isinstance(item, annotated_types.MaxLen):
            yield f"length ≤ {item.max_length}"


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    extra = field.json_schema_extra
    if isinstance(extra, dict) and isinstance(extra.get("doc_default"), str):
        return str(extra["doc_default"])  # a default that depends on the machine, in words
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "unset"
    if isinstance(value, SecretStr):
        return "unset" if not value.get_secret_value() else "(secret)"
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (list, tuple, dict)):
        return f"`{json.dumps(_plain(value), ensure_ascii=False)}`"
    if isinstance(value, float) and value.is_integer():
        return f"`{int(value)}`"
    return f"`{value}`"


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _meaning(field: FieldInfo) -> str:
    text = " ".join((field.description or "").split())
    return text.replace("|", "\\|") or "—"


HEADER = """\
# Configuration reference

<!-- Generated from gateway/settings.py by `mgw config docs`; do not edit by hand.
     tests/docs/test_configuration_reference.py fails when this page and the settings disagree. -->

The gateway, `mgw worker` and every other `mgw` command read one typed settings object
(`gateway/settings.py`). Each setting can be given, highest precedence first:

1. as a command-line flag, where the command has one (`mgw serve --port 8080`);
2. as an environment variable: `MGW_` and the name in capitals; nested settings join their
   names with `__` (`MGW_JOBS__ENGINE=arq`, `MGW_LIMITS__HUBSPOT__REQUESTS=190`). Lists and
   tables are given as JSON (`MGW_SYNC__INTERVALS='{"hubspot": 5}'`);
3. in `mgw.toml` in the working directory, or the file the variable `MGW_CONFIG` (or
   `mgw serve --config PATH`) names, which must then exist: the same names in lower case,
   nested settings as tables (`[jobs]` `engine = "arq"`);
4. otherwise the default below.

A value that cannot work stops `mgw config check` and every command at start, on one line
naming the variable and what would work (`error: MGW_REDIS_URL=localhost:6379: a Redis URL
starts with redis://, …`). Editors that read JSON Schema for TOML check and complete
`mgw.toml` from [mgw.toml.schema.json](mgw.toml.schema.json), written from the same settings
(`mgw config schema` prints it).

An unknown top-level key in `mgw.toml` stops the start, but a misspelt variable, or an
unknown key inside a table such as `[hubspot]`, is ignored: run `mgw config check`, which
names each one with the setting it was likely meant to be, validates the rest and says which
platforms would connect. Secrets (type `secret`) never appear in logs. A starting point:

```toml
# mgw.toml
platforms = "hubspot"
database_url = "postgresql+asyncpg://mgw:…@db/mgw"
redis_url = "redis://redis:6379/0"

[hubspot]
private_app_token = "pat-na1-…"

[merge]
default = "recent"
fields = { lead_score = "marketo,hubspot" }

[limits.hubspot]
requests = 190            # a higher HubSpot tier
```

How each platform's credentials are obtained: [platforms/](platforms/). How the settings
change when you run several processes: [deploying.md](deploying.md).
"""


def markdown(model: type[BaseModel] = Settings) -> str:
    """The whole page."""
    found = sections(model)
    lines = [HEADER, "## Contents\n"]
    for section in found:
        lines.append(f"- [{_heading(section.title)}](#{_anchor(section.title)})")
    lines.append("")
    for section in found:
        lines.append(f"## {_heading(section.title)}\n")
        if section.intro:
            lines.append(f"{section.intro}\n")
        lines.extend(_extra(section.title))
        lines.append("| variable | mgw.toml | type | default | meaning |")
        lines.append("|---|---|---|---|---|")
        for row in section.rows:
            lines.append(
                f"| `{row.variable}` | `{row.toml_key}` | {row.type} | {row.default} "
                f"| {row.meaning} |"
            )
        lines.append("")
    return "\n".join(lines)


def _heading(title: str) -> str:
    return title if title == "General" else f"`{title}`"


def _extra(title: str) -> list[str]:
    """What a section needs beside its rows: where platform credentials come from, and each
    platform's documented limits (the defaults the `[limits.<platform>]` rows override)."""
    name = title.strip("[]")
    if name in {platform.value for platform in platforms()}:
        link = f"[platforms/{name}.md](platforms/{name}.md)"
        return [f"Where each value comes from, step by step: {link}.\n"]
    if name == "limits.<platform>":
        rows = [
            "Each platform's documented limits, which apply when nothing is set "
            "(`connectors/<platform>/spec.py`):\n",
            "| platform | defaults |",
            "|---|---|",
        ]
        for spec in specs():
            given = spec.limits.model_dump(exclude_defaults=True)
            text = ", ".join(f"`{key} = {_plain(value)}`" for key, value in given.items())
            rows.append(f"| `{spec.key}` | {text} |")
        rows.append("")
        return rows
    return []


def _anchor(title: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    kept = "".join(ch for ch in title.lower() if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")
