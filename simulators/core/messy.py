"""The mess of real data, drawn per platform: how an email or a name was typed there, and
when that platform last saw a change. Each helper takes the platform's own `random.Random`."""

from __future__ import annotations

import random

_NICKNAMES = {
    "Daniel": "Dan",
    "Samuel": "Sam",
    "Olivia": "Liv",
    "Benjamin": "Ben",
    "Isabella": "Bella",
    "Rafael": "Rafa",
    "Viktor": "Vik",
    "Mateo": "Teo",
    "Gustav": "Gus",
    "Priya": "Pri",
}
_DAY_MS = 86_400_000


def typed_email(
    email: str, r: random.Random, *, case_rate: float = 0.1, space_rate: float = 0.03
) -> str:
    """The email as a person typed it into this platform: sometimes capitalised, sometimes with
    stray whitespace. Platforms that normalise emails (HubSpot, Mailchimp) don't call this."""
    local, _, domain = email.partition("@")
    if r.random() < case_rate:
        local = local[:1].upper() + local[1:]
        domain = domain.upper() if r.random() < 0.3 else domain
    typed = f"{local}@{domain}"
    if r.random() < space_rate:
        typed = f" {typed} " if r.random() < 0.5 else f"{typed} "
    return typed


def typed_first_name(first: str, r: random.Random, *, rate: float = 0.08) -> str:
    """Sometimes a nickname or lower case: a value that conflicts with another platform's."""
    roll = r.random()
    if roll < rate / 2:
        return _NICKNAMES.get(first, first)
    if roll < rate:
        return first.lower()
    return first


def shifted_ms(updated_ms: int, r: random.Random, *, max_days: int = 60) -> int:
    """This platform's own modification time: the person's, moved by up to `max_days` either
    way, so platforms disagree about which of them changed last."""
    return updated_ms + r.randint(-max_days, max_days) * _DAY_MS + r.randint(0, _DAY_MS - 1)
