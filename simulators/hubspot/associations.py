"""Associations between records, with HubSpot's own association type ids.

Each link is stored in both directions. A primary link (a contact's primary company, a deal's
primary company) carries two types, the "Primary" one and the unlabeled one, as HubSpot does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# (from, to) -> (primary typeId or None, unlabeled typeId), HUBSPOT_DEFINED.
TYPE_IDS: dict[tuple[str, str], tuple[int | None, int]] = {
    ("contacts", "companies"): (1, 279),
    ("companies", "contacts"): (2, 280),
    ("deals", "contacts"): (None, 3),
    ("contacts", "deals"): (None, 4),
    ("deals", "companies"): (5, 341),
    ("companies", "deals"): (6, 342),
}
_SINGULAR = {"contacts": "contact", "companies": "company", "deals": "deal"}


@dataclass(frozen=True)
class Link:
    to_id: int
    primary: bool


class AssociationStore:
    """Links per (from type, to type): from id -> to ids (sorted), and from id -> its primary
    to id. Lean on purpose: a portal of 100,000 contacts holds a few hundred thousand links."""

    def __init__(self) -> None:
        self._links: dict[tuple[str, str], dict[int, list[int]]] = {}
        self._primary: dict[tuple[str, str], dict[int, int]] = {}

    def clear(self) -> None:
        self._links.clear()
        self._primary.clear()

    def _add(self, pair: tuple[str, str], from_id: int, to_id: int, primary: bool) -> None:
        ids = self._links.setdefault(pair, {}).setdefault(from_id, [])
        if to_id not in ids:
            ids.append(to_id)
            if len(ids) > 1 and ids[-2] > to_id:
                ids.sort()
        if primary:
            self._primary.setdefault(pair, {})[from_id] = to_id

    def link(self, a_type: str, a_id: int, b_type: str, b_id: int, *, primary: bool) -> None:
        """Link two records both ways; `primary` marks b as a's primary (a contact's company,
        a deal's company), the way HubSpot labels it from both sides."""
        self._add((a_type, b_type), a_id, b_id, primary)
        self._add((b_type, a_type), b_id, a_id, False)

    def of(self, from_type: str, from_id: int, to_type: str) -> list[Link]:
        """Links from one record to records of `to_type`, by id ascending."""
        pair = (from_type, to_type)
        ids = self._links.get(pair, {}).get(from_id, [])
        primary = self._primary.get(pair, {}).get(from_id)
        reverse = self._primary.get((to_type, from_type), {})
        return [Link(i, i == primary or reverse.get(i) == from_id) for i in ids]


def association_types(from_type: str, to_type: str, primary: bool) -> list[dict[str, Any]]:
    """The v4 `associationTypes` of one link."""
    primary_id, unlabeled_id = TYPE_IDS[(from_type, to_type)]
    types: list[dict[str, Any]] = []
    if primary and primary_id is not None:
        types.append({"category": "HUBSPOT_DEFINED", "typeId": primary_id, "label": "Primary"})
    types.append({"category": "HUBSPOT_DEFINED", "typeId": unlabeled_id, "label": None})
    return types


def v3_associations(
    store: AssociationStore, from_type: str, from_id: int, to_types: list[str]
) -> dict[str, Any]:
    """The `associations` object of a v3 read with `?associations=`: each link once per type
    name (`contact_to_company` for the primary, `contact_to_company_unlabeled`); a type with
    no links is left out, as HubSpot does."""
    answer: dict[str, Any] = {}
    for to_type in to_types:
        if (from_type, to_type) not in TYPE_IDS:
            continue
        base = f"{_SINGULAR[from_type]}_to_{_SINGULAR[to_type]}"
        primary_id, _ = TYPE_IDS[(from_type, to_type)]
        results: list[dict[str, str]] = []
        for link in store.of(from_type, from_id, to_type):
            if primary_id is None:
                results.append({"id": str(link.to_id), "type": base})
                continue
            if link.primary:
                results.append({"id": str(link.to_id), "type": base})
            results.append({"id": str(link.to_id), "type": f"{base}_unlabeled"})
        if results:
            answer[to_type] = {"results": results}
    return answer
