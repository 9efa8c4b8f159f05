"""The fault matrix as data: every platform, fault and path, and the outcome each cell must show.

The four path tests (`test_read_path.py`, `test_write_path.py`, `test_sync_path.py`,
`test_webhook_path.py`) each run every (platform, fault) of their path against this table;
`test_reliability_doc.py` keeps the table in RELIABILITY.md identical to it.

Outcomes:
    RECOVERS      the gateway retries (or refreshes the token) and the operation succeeds as
                  if nothing happened; nothing lost, nothing duplicated
    PARTIAL       the answer comes without that platform's fields, with an error carrying the
                  code named; once the platform is back the next answer is whole
    BREAKER       as PARTIAL (UPSTREAM_UNAVAILABLE), and the platform's breaker opens; once the
                  platform is back it closes again after one probe
    QUEUED        the write waits for the platform's rate window (longer than the mutation
                  waits): answered QUEUED, nothing written yet, nothing dead-lettered
    WAITS         the sync waits out the platform's rate window before calling again (the
                  cell stops it after a second with no second call made); the next run, the
                  platform healthy, brings the index level
    DLQ           the write goes to the dead-letter queue (after its retries, or at once when no
                  retry can help); replayed with the platform back it lands exactly once
    RESUMES       the sync run fails and keeps its checkpoint; the next run, with the platform
                  back, brings the index level with the platform: nothing skipped, nothing twice
    UNAFFECTED    the fault cannot touch this cell (said why); the operation is still run and
                  must succeed
    DELIVERED     a platform's webhook is acknowledged at its first delivery whatever the
                  platform's API is doing; the change is announced once (a redelivery is a
                  duplicate, not a second notice); the cached customer is evicted, so the next
                  read, the platform healthy, shows the change. The job's re-read of the record
                  is retried, or left to the next sync when the platform stays down
    N/A           the cell cannot exist (said why); the test proves it (e.g. no webhook sent)
    XFAIL         the gateway does not do what it should yet: the reason names the fix
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PLATFORMS = ("hubspot", "salesforce", "shopify", "marketo", "mailchimp")
FAULTS: dict[str, str] = {
    "5xx_burst": "5xx burst (two 503s, then healthy)",
    "429_retry_after": "429 storm with Retry-After (0.3 s)",
    "429_bare": "429 storm without Retry-After",
    "timeout": "timeouts (every call hangs)",
    "reset": "connection resets (two, after the platform did the work)",
    "malformed": "malformed JSON (every body cut in half)",
    "drift": "schema drift (fields renamed or retyped)",
    "revoked": "token revoked",
    "expiring": "token expiring mid-run",
}
PATHS = ("read", "write", "sync", "webhook")
RETRY_AFTER = 0.3

# How each fault is put on a platform: a `/_sim/faults` spec, or a named action.
INJECT: dict[str, dict[str, Any] | str] = {
    "5xx_burst": {"error_rate": 1.0, "status": 503, "count": 2},
    "429_retry_after": {"error_rate": 1.0, "status": 429, "retry_after": RETRY_AFTER, "count": 2},
    "429_bare": {"error_rate": 1.0, "status": 429, "count": 2},
    "timeout": {"timeout_rate": 1.0},
    "reset": {"reset_rate": 1.0, "count": 2},
    "malformed": {"malformed_rate": 1.0},
    "drift": {"drift_rate": 1.0},
    "revoked": "revoke",
    "expiring": "expire",
}


@dataclass(frozen=True)
class Outcome:
    kind: str
    code: str | None = None
    why: str = ""

    def cell(self) -> str:
        text = self.kind + (f" `{self.code}`" if self.code else "")
        return f"{text} ({self.why})" if self.why else text


def recovers(why: str = "") -> Outcome:
    return Outcome("RECOVERS", why=why)


def partial(code: str, why: str = "") -> Outcome:
    return Outcome("PARTIAL", code, why)


def breaker(why: str = "") -> Outcome:
    return Outcome("BREAKER", "UPSTREAM_UNAVAILABLE", why)


def queued(why: str = "") -> Outcome:
    return Outcome("QUEUED", why=why)


def waits(why: str = "") -> Outcome:
    return Outcome("WAITS", why=why)


def dlq(why: str = "") -> Outcome:
    return Outcome("DLQ", why=why)


def resumes(why: str = "") -> Outcome:
    return Outcome("RESUMES", why=why)


def unaffected(why: str) -> Outcome:
    return Outcome("UNAFFECTED", why=why)


def xfail(why: str) -> Outcome:
    return Outcome("XFAIL", why=why)


RATE_WINDOW = "the platform's rate window outlasts the operation's deadline: not called again"
SHOPIFY_401 = "its 401 says nothing more: refreshes on any 401, retries once"
API_KEY = "Mailchimp's API key never expires"

EXPECTED: dict[tuple[str, str, str], Outcome] = {}


def _fill(path: str, table: dict[str, dict[str, Outcome] | Outcome]) -> None:
    for fault, by_platform in table.items():
        for platform in PLATFORMS:
            outcome = by_platform if isinstance(by_platform, Outcome) else by_platform[platform]
            EXPECTED[(path, platform, fault)] = outcome


_fill(
    "read",
    {
        "5xx_burst": recovers(),
        "429_retry_after": {
            **{p: recovers("waits Retry-After") for p in PLATFORMS},
            "marketo": partial("UPSTREAM_RATE_LIMITED", "606 means 100 calls/20 s: " + RATE_WINDOW),
        },
        "429_bare": {
            "hubspot": partial("UPSTREAM_RATE_LIMITED", RATE_WINDOW),
            "salesforce": partial("UPSTREAM_RATE_LIMITED", RATE_WINDOW),
            "shopify": recovers("Shopify's 429 always says Retry-After: 2; waited twice"),
            "marketo": partial("UPSTREAM_RATE_LIMITED", RATE_WINDOW),
            "mailchimp": recovers("a 429 is its connection limit: backs off and retries"),
        },
        "timeout": breaker(),
        "reset": recovers(),
        "malformed": partial("UPSTREAM_INVALID_DATA"),
        "drift": partial("UPSTREAM_INVALID_DATA"),
        "revoked": partial("UPSTREAM_AUTH", "authValid false, not retried"),
        "expiring": {
            **{p: recovers("refreshes, retries") for p in PLATFORMS},
            "shopify": recovers("refreshes, retries; " + SHOPIFY_401),
            "mailchimp": unaffected(API_KEY),
        },
    },
)


WRITE_ROUTES = {  # the route of each platform's write call, to fault the write itself
    "hubspot": "batch/upsert",
    "salesforce": "composite/sobjects",
    "shopify": "graphql.json",  # reads and writes share it: let the read before through
    "marketo": "POST /rest/v1/leads.json",
    "mailchimp": "PUT",
}


def injection(path: str, platform: str, fault: str) -> dict[str, Any] | str:
    """How the fault is put on for this path: on the write path, resets hit the write call
    itself after the platform applied it — the answer is lost, the write is not."""
    if path == "write" and fault == "reset":
        after = 1 if platform == "shopify" else 0
        return {"reset_rate": 1.0, "count": 1, "route": WRITE_ROUTES[platform], "after": after}
    return INJECT[fault]


_fill(
    "write",
    {
        "5xx_burst": recovers("job retries: written once"),
        "429_retry_after": {
            **{p: recovers("job waits Retry-After: written once") for p in PLATFORMS},
            "marketo": queued("606: waits out Marketo's 20 s window"),
        },
        "429_bare": {
            **{p: queued("waits out the platform's window") for p in PLATFORMS},
            "mailchimp": recovers("job backs off: written once"),
        },
        "timeout": dlq("after its retries; replay: written once"),
        "reset": recovers("the write's answer lost: the retry reads it there, written once"),
        "malformed": dlq(
            "after its retries, each reading first: an unreadable answer may hide "
            "a landed write; replay: written once"
        ),
        "drift": {
            **{p: recovers("the read before the write tolerates it") for p in PLATFORMS},
            "mailchimp": dlq(
                "the write landed, its answer drifted; after its retries, replay "
                "finds it: no 2nd write"
            ),
        },
        "revoked": {
            **{p: dlq("at once, no retry; replay refused until reconnected") for p in PLATFORMS},
            "marketo": dlq("at once, no retry; replay with the credential back: written once"),
            "mailchimp": dlq("at once, no retry; replay with the key back: written once"),
        },
        "expiring": {
            **{p: recovers("refreshes: written once") for p in PLATFORMS},
            "shopify": recovers("refreshes: written once; " + SHOPIFY_401),
            "mailchimp": unaffected(API_KEY),
        },
    },
)


_fill(
    "sync",
    {
        "5xx_burst": recovers("page retried: every record once"),
        "429_retry_after": {
            **{p: recovers("waits Retry-After: every record once") for p in PLATFORMS},
            "marketo": waits("606: Marketo's 20 s window"),
        },
        "429_bare": {
            "hubspot": waits("HubSpot's 10 s window"),
            "salesforce": waits("10 s"),
            "shopify": recovers("Shopify's Retry-After: 2 waited: every record once"),
            "marketo": waits("606: Marketo's 20 s window"),
            "mailchimp": recovers("backs off: every record once"),
        },
        "timeout": resumes(),
        "reset": recovers("page retried: every record once"),
        "malformed": resumes(),
        "drift": resumes(),
        "revoked": resumes("with the credential back"),
        "expiring": {
            **{p: recovers("refreshes") for p in PLATFORMS},
            "shopify": recovers("refreshes; " + SHOPIFY_401),
            "mailchimp": unaffected(API_KEY),
        },
    },
)


NO_WEBHOOKS = "no webhooks: changes arrive by polling (the sync path)"
_fill(
    "webhook",
    {
        fault: {
            "hubspot": Outcome("DELIVERED"),
            "salesforce": Outcome("N/A", why=NO_WEBHOOKS),
            "shopify": Outcome("DELIVERED"),
            "marketo": Outcome("N/A", why=NO_WEBHOOKS),
            "mailchimp": Outcome("DELIVERED"),
        }
        for fault in FAULTS
    },
)


def expected(path: str, platform: str, fault: str) -> Outcome:
    return EXPECTED[(path, platform, fault)]


def cells(path: str) -> list[tuple[str, str]]:
    """(platform, fault) of every cell the table fills for `path`."""
    return [(p, f) for (t, p, f) in EXPECTED if t == path]


def ids(found: list[tuple[str, str]]) -> list[str]:
    return [f"{platform}-{fault}" for platform, fault in found]


def markdown() -> str:
    """The table for RELIABILITY.md: one row per path and fault, one column per platform."""
    lines = [
        "| path | fault | " + " | ".join(PLATFORMS) + " |",
        "|---|---|" + "---|" * len(PLATFORMS),
    ]
    for path in PATHS:
        for fault, title in FAULTS.items():
            if (path, PLATFORMS[0], fault) not in EXPECTED:
                continue
            row = [expected(path, p, fault).cell() for p in PLATFORMS]
            lines.append(f"| {path} | {title} | " + " | ".join(row) + " |")
    return "\n".join(lines)
