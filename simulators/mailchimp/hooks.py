"""Mailchimp's list webhooks: unsigned `application/x-www-form-urlencoded` POSTs with PHP-style
keys (`data[merges][FNAME]`), sent to the subscriber's URL, which carries a secret token since
nothing in the request is signed. Here the URL is `--webhook-url` +
`/webhooks/mailchimp/<webhook_secret>`.

Events: `subscribe`, `unsubscribe` (`data[action]=unsub`, `data[reason]=manual`), `profile`,
`upemail` (`data[old_email]`, `data[new_email]`, `data[new_id]`), `cleaned`
(`data[reason]=hard`). `fired_at` is `YYYY-MM-DD HH:MM:SS` in UTC. `data[id]` is the member's
`unique_email_id`, as on Mailchimp, not the subscriber hash.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from simulators.core.clock import Clock
from simulators.core.webhooks import WebhookSender
from simulators.mailchimp.member import Member

HEADERS = {"Content-Type": "application/x-www-form-urlencoded", "User-Agent": "MailChimp.com"}


class Hooks:
    def __init__(self, sender: WebhookSender, clock: Clock, list_id: str, secret: str) -> None:
        self.sender = sender
        self.clock = clock
        self.list_id = list_id
        self.path = f"/webhooks/mailchimp/{secret}"

    def _fired_at(self) -> str:
        return datetime.fromtimestamp(int(self.clock.now()), tz=UTC).strftime("%Y-%m-%d %H:%M:%S")

    def _send(self, kind: str, data: list[tuple[str, str]]) -> None:
        pairs = [("type", kind), ("fired_at", self._fired_at())]
        pairs += [(f"data[{key}]" if "[" not in key else f"data{key}", v) for key, v in data]
        self.sender.send("mailchimp", self.path, urlencode(pairs).encode(), HEADERS)

    def _member_data(self, member: Member) -> list[tuple[str, str]]:
        merges = member.merge_fields
        return [
            ("id", member.unique_email_id),
            ("list_id", self.list_id),
            ("email", member.email_address),
            ("email_type", "html"),
            ("web_id", str(member.web_id)),
            ("ip_opt", ""),
            ("ip_signup", ""),
            ("[merges][EMAIL]", member.email_address),
            ("[merges][FNAME]", merges.get("FNAME", "")),
            ("[merges][LNAME]", merges.get("LNAME", "")),
            ("[merges][PHONE]", merges.get("PHONE", "")),
        ]

    def subscribe(self, member: Member) -> None:
        self._send("subscribe", self._member_data(member))

    def profile(self, member: Member) -> None:
        self._send("profile", self._member_data(member))

    def unsubscribe(self, member: Member) -> None:
        data = [("action", "unsub"), ("reason", "manual"), *self._member_data(member)]
        self._send("unsubscribe", data)

    def upemail(self, member: Member, old_email: str) -> None:
        self._send(
            "upemail",
            [
                ("list_id", self.list_id),
                ("new_id", member.unique_email_id),
                ("new_email", member.email_address),
                ("old_email", old_email),
            ],
        )

    def cleaned(self, member: Member) -> None:
        data = [("list_id", self.list_id), ("campaign_id", ""), ("reason", "hard")]
        self._send("cleaned", [*data, ("email", member.email_address)])

    def changed(
        self, member: Member, before_status: str, before: dict[str, str], old_email: str
    ) -> None:
        """Every webhook one edit causes, in the order Mailchimp fires them."""
        if member.email_address.lower() != old_email.lower():
            self.upemail(member, old_email)
        if member.status != before_status:
            if member.status == "subscribed":
                self.subscribe(member)
            elif member.status == "unsubscribed":
                self.unsubscribe(member)
            elif member.status == "cleaned":
                self.cleaned(member)
        if member.merge_fields != before:
            self.profile(member)
