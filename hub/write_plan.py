"""What an upsert asks of each platform: the validated change, the record to write, and whether
a platform's current record already says all of it (then nothing is written).

The comparison happens in each platform's own shape, through its spec's pure `write_shape`:
a field the platform cannot hold (Salesforce has no Lead status for MQL, Mailchimp refuses to
change a `cleaned` member's status, HubSpot takes an opt-out but no resubscribe) is then not
a difference, so a write that can never "take" is not repeated
forever. This is also what makes retries safe: a retry after a lost response reads first and
finds its own earlier write (docs/adr/0021-write-back-exactly-once.md).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from canonical_schema import (
    DEFAULT_REGION,
    CustomerRecord,
    EmailConsent,
    LifecycleStage,
    Platform,
    is_email,
    normalize_email,
    normalize_phone,
    normalize_text,
)
from connectors.registry import spec_of
from hub.exceptions import InvalidArgumentError

NOT_YET_KNOWN = "pending"  # the external id of a record about to be written


@dataclass(frozen=True)
class CustomerChange:
    """The writable fields of one upsert, validated and normalized; None leaves a field alone."""

    email: str
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    lifecycle_stage: LifecycleStage | None = None
    email_consent: EmailConsent | None = None

    def as_json(self) -> dict[str, str | None]:
        return {k: (None if v is None else str(v)) for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CustomerChange:
        stage, consent = data.get("lifecycle_stage"), data.get("email_consent")
        return cls(
            email=str(data["email"]),
            first_name=data.get("first_name"),
            last_name=data.get("last_name"),
            phone=data.get("phone"),
            lifecycle_stage=LifecycleStage(stage) if stage else None,
            email_consent=EmailConsent(consent) if consent else None,
        )

    def fields(self) -> frozenset[str]:
        """The fields this change sets (the email only names whom)."""
        return frozenset(
            name for name, value in asdict(self).items() if name != "email" and value is not None
        )

    def without(self, names: Iterable[str]) -> CustomerChange:
        """This change minus `names` (fields a later-accepted change sets)."""
        cleared: dict[str, Any] = {name: None for name in names if name != "email"}
        return replace(self, **cleared)

    def fingerprint(self, targets: Sequence[Platform]) -> str:
        """Same change to the same platforms, same fingerprint (idempotency keys compare it)."""
        canonical = {"change": self.as_json(), "targets": sorted(p.value for p in targets)}
        encoded = json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(encoded).hexdigest()

    def record(self, platform: Platform) -> CustomerRecord:
        return CustomerRecord(
            platform=platform,
            external_id=NOT_YET_KNOWN,
            email=self.email,
            first_name=self.first_name,
            last_name=self.last_name,
            phone=self.phone,
            lifecycle_stage=self.lifecycle_stage,
            email_consent=self.email_consent,
        )


def validated_change(
    email: str,
    *,
    first_name: str | None = None,
    last_name: str | None = None,
    phone: str | None = None,
    lifecycle_stage: LifecycleStage | None = None,
    email_consent: EmailConsent | None = None,
    phone_region: str = DEFAULT_REGION,
) -> CustomerChange:
    """The change, or `InvalidArgumentError` naming the first field that cannot be written;
    a phone without a country code is read in `phone_region`."""
    if not is_email(email):
        raise InvalidArgumentError(f"`email` is not an email address: {email!r}")
    names = {"firstName": first_name, "lastName": last_name, "phone": phone}
    for name, value in names.items():
        if value is not None and normalize_text(value) is None:
            raise InvalidArgumentError(f"`{name}` is blank; leave it out to keep the current value")
        if value is not None and len(value) > 255:
            raise InvalidArgumentError(f"`{name}` is longer than 255 characters")
    normalized_phone = normalize_phone(phone, phone_region)
    if normalized_phone is not None and not normalized_phone.startswith("+"):
        raise InvalidArgumentError(f"`phone` is not a phone number: {phone!r}")
    if email_consent is EmailConsent.UNKNOWN or email_consent is EmailConsent.CLEANED:
        raise InvalidArgumentError(
            f"`emailConsent` {email_consent.name} cannot be written: it is a platform's finding"
        )
    return CustomerChange(
        email=normalize_email(email),
        first_name=normalize_text(first_name),
        last_name=normalize_text(last_name),
        phone=normalized_phone,
        lifecycle_stage=lifecycle_stage,
        email_consent=email_consent,
    )


def already_holds(current: CustomerRecord | None, desired: CustomerRecord) -> bool:
    """True when the platform's current record carries every value the write would send."""
    if current is None:
        return False
    shape = spec_of(desired.platform).write_shape
    wanted = _flat(shape(desired, current))
    held = _flat(shape(current, current))
    return all(held.get(key) == value for key, value in wanted.items())


def _flat(fields: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in fields.items():
        if isinstance(value, Mapping):
            flat.update(_flat(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat
