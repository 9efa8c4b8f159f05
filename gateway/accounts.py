"""The connected account of each platform, as the store, the identity index and the sync
checkpoints key it (hub/store_accounts.py).

An account is named by where its API is and a fingerprint of what identifies it: the
credential the settings give (a private-app token, an OAuth refresh token, an app's client id
— the same value that keys its rate-limit budget) and, where the settings name a part of the
account (`account_scope`: Mailchimp's audience), that part. Another
portal, org, shop, instance or list is another account: its records never mix with the old
one's, and its sync starts from nothing. Nothing secret is kept: only a hash of it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from canonical_schema import Platform
from gateway.settings import Settings

MAX_LENGTH = 160  # the store's account column


def account_keys(settings: Settings, platforms: Sequence[Platform]) -> dict[Platform, str]:
    return {platform: account_key(settings, platform) for platform in platforms}


def account_key(settings: Settings, platform: Platform) -> str:
    connection = settings.platform_settings(platform)
    where = str(getattr(connection, "base_url", None) or "")
    scope = str(getattr(connection, "account_scope", "") or "")
    credential = str(connection.credential)
    digest = hashlib.sha256(f"{credential}\n{scope}".encode()).hexdigest()[:16]
    return f"{where[: MAX_LENGTH - 17]}#{digest}"
