"""The GraphiQL files shipped in the package are the pinned npm builds the README names, each
with its licence beside it."""

from __future__ import annotations

import base64
import hashlib
import re

from gateway.graphiql import ASSETS, SERVED

ROW = re.compile(r"^\| (\S+) \| (\S+) \| \[MIT\]\((\S+)\) \| `([^`]+)` \|$", re.MULTILINE)


def test_every_served_file_is_pinned_with_its_licence() -> None:
    rows = ROW.findall((ASSETS / "README.md").read_text(encoding="utf-8"))
    assert {name for name, *_ in rows} == SERVED
    for name, _package, licence, sha384 in rows:
        digest = base64.b64encode(hashlib.sha384((ASSETS / name).read_bytes()).digest())
        assert digest.decode() == sha384, name
        assert "MIT License" in (ASSETS / licence).read_text(encoding="utf-8")
