"""One audience member: how it is stored, how the API renders it, and how the seeded people
become members (with Mailchimp's own mess: emails kept as typed, blank merge fields, statuses
that drifted away from the other platforms').
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from simulators.core.clock import EPOCH_BASE
from simulators.core.messy import shifted_ms, typed_email, typed_first_name
from simulators.core.people import Person

MERGE_FIELDS = ("FNAME", "LNAME", "PHONE")
_SOURCES = ("Import", "Hosted Signup Form", "API - Generic", "Admin Add", "Embedded Form")
_UNSUB_REASONS = (
    "N/A (Unsubscribed by admin)",
    "I no longer want to receive these emails",
    "The emails are too frequent",
    "N/A (Unsubscribed via API)",
)
_BASE_MS = int(EPOCH_BASE.timestamp() * 1000)


def subscriber_hash(email: str) -> str:
    """Mailchimp's member id: hex MD5 of the lower-cased email."""
    return _md5(email.strip().lower())


def iso_s(epoch_ms: int) -> str:
    """`2025-02-22T11:45:19+00:00`: Mailchimp's timestamps, to the second, with an offset."""
    moment = datetime.fromtimestamp(epoch_ms // 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


@dataclass(slots=True)
class Member:
    id: str  # subscriber hash of the current email
    email_address: str  # as typed (case kept)
    unique_email_id: str
    web_id: int
    status: str
    merge_fields: dict[str, str]
    avg_open_rate: float
    avg_click_rate: float
    signup_ms: int
    last_changed_ms: int
    source: str
    member_rating: int
    unsubscribe_reason: str | None = None
    # Seeded members carry a campaign history drawn from the person and these seeded values
    # (see `activity`); members created through the API have none.
    person_index: int | None = None
    seeded_status: str = ""
    seeded_changed_ms: int = 0

    def raw(self, list_id: str) -> dict[str, Any]:
        fname, lname = self.merge_fields.get("FNAME", ""), self.merge_fields.get("LNAME", "")
        body: dict[str, Any] = {
            "id": self.id,
            "email_address": self.email_address,
            "unique_email_id": self.unique_email_id,
            "contact_id": _md5(self.unique_email_id),
            "full_name": f"{fname} {lname}".strip(),
            "web_id": self.web_id,
            "email_type": "html",
            "status": self.status,
            "consents_to_one_to_one_messaging": True,
            "merge_fields": dict(self.merge_fields),
            "stats": {"avg_open_rate": self.avg_open_rate, "avg_click_rate": self.avg_click_rate},
            "ip_signup": "",
            "timestamp_signup": iso_s(self.signup_ms),
            "ip_opt": "",
            "timestamp_opt": iso_s(self.signup_ms) if self.status != "pending" else "",
            "member_rating": self.member_rating,
            "last_changed": iso_s(self.last_changed_ms),
            "language": "",
            "vip": False,
            "email_client": "",
            "location": {
                "latitude": 0,
                "longitude": 0,
                "gmtoff": 0,
                "dstoff": 0,
                "country_code": "",
                "timezone": "",
                "region": "",
            },
            "source": self.source,
            "tags_count": 0,
            "tags": [],
            "list_id": list_id,
        }
        if self.unsubscribe_reason is not None:
            body["unsubscribe_reason"] = self.unsubscribe_reason
        return body


def _status(person: Person, r: random.Random) -> str:
    """The person's email status, plus Mailchimp's own churn: bounces and unsubscribes that
    happened here and nowhere else, and a few contacts added for transactional mail only."""
    status = person.email_status
    if status == "subscribed":
        roll = r.random()
        if roll < 0.03:
            return "unsubscribed"
        if roll < 0.05:
            return "cleaned"
        if roll < 0.06:
            return "transactional"
    return status


def from_person(person: Person, r: random.Random) -> Member:
    email = typed_email(person.email, r, case_rate=0.12, space_rate=0.0)
    status = _status(person, r)
    lname = person.last_name or ""
    if lname and r.random() < 0.06:
        lname = ""  # typed only the first name into the signup form
    changed = shifted_ms(person.updated_ms, r)
    changed = max(person.created_ms + 1000, min(changed, _BASE_MS - 3_600_000))
    return Member(
        id=subscriber_hash(email),
        email_address=email,
        unique_email_id=f"{r.getrandbits(40):010x}",
        web_id=r.randint(10_000_000, 999_999_999),
        status=status,
        merge_fields={
            "FNAME": typed_first_name(person.first_name, r),
            "LNAME": lname,
            "PHONE": person.phone or "",
        },
        avg_open_rate=person.open_rate,
        avg_click_rate=person.click_rate,
        signup_ms=person.created_ms,
        last_changed_ms=changed,
        source=r.choice(_SOURCES),
        member_rating=r.randint(1, 5),
        unsubscribe_reason=r.choice(_UNSUB_REASONS) if status == "unsubscribed" else None,
        person_index=person.index,
        seeded_status=status,
        seeded_changed_ms=changed,
    )


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()
