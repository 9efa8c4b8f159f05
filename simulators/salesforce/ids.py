"""Salesforce record ids: 15 case-sensitive characters (key prefix, pod, counter in base 62)
plus the 3-character case-safe suffix that makes the 18-character form.

`0035g00000AbCdE` + `IAW`: the suffix encodes, for each 5-character chunk, which characters are
upper case. Ids ascend with the counter, so a newer record always sorts after an older one.
"""

from __future__ import annotations

import re

KEY_PREFIXES = {"Account": "001", "Contact": "003", "Opportunity": "006", "Lead": "00Q"}
ORG_ID = "00D5g000004SimAEAS"
USER_ID = "0055g00000SimUsAAC"
POD = "5g"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_SHAPE = re.compile(r"[0-9A-Za-z]{15}([0-9A-Za-z]{3})?")


def _suffix(id15: str) -> str:
    out = []
    for chunk in range(3):
        flags = 0
        for bit, char in enumerate(id15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= char <= "Z":
                flags |= 1 << bit
        out.append(_SUFFIX[flags])
    return "".join(out)


def make_id(prefix: str, number: int) -> str:
    digits = []
    for _ in range(9):
        number, rest = divmod(number, 62)
        digits.append(_BASE62[rest])
    id15 = f"{prefix}{POD}0{''.join(reversed(digits))}"
    return id15 + _suffix(id15)


def normalize(raw: str) -> str | None:
    """The 18-character form of a 15- or 18-character id, or None if it is not an id. The
    18-character form is case-insensitive: its suffix restores the case of the first 15."""
    if not _SHAPE.fullmatch(raw):
        return None
    if len(raw) == 15:
        return raw + _suffix(raw)
    suffix = raw[15:].upper()
    chars = list(raw[:15])
    for chunk, flag_char in enumerate(suffix):
        flags = _SUFFIX.index(flag_char)
        for bit in range(5):
            at = chunk * 5 + bit
            upper = bool(flags >> bit & 1)
            if chars[at].isalpha():
                chars[at] = chars[at].upper() if upper else chars[at].lower()
            elif upper:
                return None
    return "".join(chars) + suffix


class IdSequence:
    """Hands out ascending ids for one object, with small gaps as in a real org."""

    def __init__(self, prefix: str, start: int = 0x2A0000) -> None:
        self.prefix = prefix
        self.next = start

    def take(self, gap: int = 1) -> str:
        self.next += gap
        return make_id(self.prefix, self.next)
