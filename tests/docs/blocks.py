"""The GraphQL examples of the documentation: how they are written, found and compared.

Every fenced ```graphql block in docs/ (and in README.md) is an operation a reader may paste
into GraphiQL. Right after it (nothing but blank lines between) come:

- optionally a ```json variables block: the operation's variables;
- always a ```json block: the answer, as the demo gave it when the page was written.

The answer is compared by shape, not byte for byte: the same keys at every level, the same
JSON types, enum-like values (`HUBSPOT`, `LEAD`) equal, lists as long and item by item. A
`"…"` item makes a list open: its other items must each match an answer item, in order, and
more may come; a `"…": "…"` member allows other keys; `"…"` as a value allows any value.
Ids, timestamps and counts may differ from run to run; what a client relies on may not.

The harness that runs them against the demo is tests/docs/examples.py.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ELLIPSIS = "…"
_FENCE = re.compile(r"^(`{3,})\s*(.*?)\s*$")
_DIRECTIVE = re.compile(r"<!--\s*docs-test:\s*(\{.*?\})\s*-->", re.DOTALL)
_ENUM = re.compile(r"^[A-Z][A-Z0-9_]+$")


@dataclass
class Fence:
    info: str
    text: str
    line: int  # 1-based line of the opening fence
    before: str  # the text between the previous fence and this one
    after_blank: bool = True  # only blank lines between this fence's end and the next


@dataclass
class Example:
    path: Path
    line: int
    query: str
    answer: Any
    variables: dict[str, Any] = field(default_factory=dict)
    directive: dict[str, Any] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{_shown(self.path)}:{self.line}"


class ExampleError(AssertionError):
    """A documented example that is malformed, fails, or answers another shape."""


def pages() -> list[Path]:
    """Every Markdown page whose GraphQL blocks are run: docs/**/*.md and README.md."""
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def fences(text: str) -> list[Fence]:
    found: list[Fence] = []
    lines = text.splitlines()
    index, last_end = 0, 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        marker, info = match[1], match[2]
        body: list[str] = []
        end = index + 1
        while end < len(lines) and not lines[end].startswith(marker):
            body.append(lines[end])
            end += 1
        before = "\n".join(lines[last_end:index])
        found.append(Fence(info, "\n".join(body), index + 1, before))
        index, last_end = end + 1, end + 1
    for current, following in itertools.pairwise(found):
        current.after_blank = not following.before.strip()
    return found


def examples(path: Path) -> list[Example]:
    """The page's GraphQL examples, each with its variables, answer and directive."""
    blocks = fences(path.read_text(encoding="utf-8"))
    found: list[Example] = []
    for index, block in enumerate(blocks):
        if block.info.split()[:1] != ["graphql"]:
            continue
        where = f"{_shown(path)}:{block.line}"
        if _is_sdl(block.text):
            continue  # type definitions, not an operation; tests/docs checks them separately
        following = blocks[index + 1 : index + 3]
        variables: dict[str, Any] = {}
        answer_block = None
        if following and block.after_blank and following[0].info == "json variables":
            variables = _json(following[0].text, where)
            if following[0].after_blank and len(following) > 1:
                answer_block = following[1]
        elif following and block.after_blank:
            answer_block = following[0]
        if answer_block is None or answer_block.info != "json":
            raise ExampleError(
                f"{where}: a ```graphql block needs its answer in a ```json block right after "
                "it (after an optional ```json variables block)"
            )
        directives = _DIRECTIVE.findall(block.before)
        directive = _json(directives[-1], where) if directives else {}
        found.append(
            Example(
                path, block.line, block.text, _json(answer_block.text, where), variables, directive
            )
        )
    return found


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _is_sdl(text: str) -> bool:
    return bool(
        re.search(
            r"^\s*(type|input|enum|interface|union|scalar|schema|extend)\b", text, re.MULTILINE
        )
    ) and not re.search(r"^\s*(query|mutation|subscription|\{)", text, re.MULTILINE)


def _json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExampleError(f"{where}: not JSON ({exc})") from None


def conforms(actual: Any, expected: Any, path: str = "$") -> list[str]:
    """Where `actual` differs in shape from `expected` (empty when it conforms)."""
    if expected == ELLIPSIS:
        return []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {_kind(actual)}"]
        problems = []
        named = set(expected) - {ELLIPSIS}
        if ELLIPSIS in expected and not named <= set(actual):
            problems.append(f"{path}: keys {sorted(actual)} lack documented {sorted(named)}")
        elif ELLIPSIS not in expected and set(actual) != named:
            problems.append(f"{path}: keys {sorted(actual)} != documented {sorted(named)}")
        for key in named & actual.keys():
            problems.extend(conforms(actual[key], expected[key], f"{path}.{key}"))
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{path}: expected a list, got {_kind(actual)}"]
        shapes = [item for item in expected if item != ELLIPSIS]
        if len(shapes) == len(expected):  # a closed list: item by item
            if len(actual) != len(expected):
                return [f"{path}: {len(actual)} items, documented {len(expected)}"]
            return [
                problem
                for index, (item, shape) in enumerate(zip(actual, shapes, strict=True))
                for problem in conforms(item, shape, f"{path}[{index}]")
            ]
        # An open list: each documented item matches a later actual one, in order.
        position = 0
        for shape in shapes:
            while position < len(actual) and conforms(actual[position], shape, path):
                position += 1
            if position == len(actual):
                return [f"{path}: no item like {json.dumps(shape)[:200]} (in order)"]
            position += 1
        return []
    if expected is None or actual is None:
        return [] if expected is actual else [f"{path}: {actual!r}, documented {expected!r}"]
    if isinstance(expected, bool) or isinstance(actual, bool):
        same = isinstance(expected, bool) and isinstance(actual, bool)
        return [] if same else [f"{path}: {actual!r}, documented {expected!r}"]
    if isinstance(expected, (int, float)):
        if isinstance(actual, (int, float)) and (
            isinstance(expected, float) or isinstance(actual, int)
        ):
            return []
        return [f"{path}: {actual!r} is not a number like {expected!r}"]
    if isinstance(expected, str):
        if not isinstance(actual, str):
            return [f"{path}: {actual!r} is not a string"]
        if _ENUM.match(expected) and actual != expected:
            return [f"{path}: {actual!r}, documented {expected!r}"]
        return []
    return [] if actual == expected else [f"{path}: {actual!r}, documented {expected!r}"]


def _kind(value: Any) -> str:
    return type(value).__name__


def at(data: Any, path: str) -> Any:
    for part in path.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data
