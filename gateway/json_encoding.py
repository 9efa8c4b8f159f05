"""Responses encoded with orjson: a page of 100 customers is ~25 kB of JSON, and the standard
library's encoder spent about 4 % of a list request on it (BENCHMARKS.md). The output is the
same compact JSON; anything orjson refuses (an integer past 64 bits, a key that is not a
string) falls back to the standard library, so no answer changes."""

from __future__ import annotations

import json

import orjson


def encode_json(data: object) -> str:
    """Compact JSON text (text, not bytes: WebSocket frames of graphql-transport-ws are text)."""
    try:
        return orjson.dumps(data).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(data, separators=(",", ":"))
