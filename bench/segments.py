"""Issue 18's segment target, measured: a filtered, sorted page of `customers` over 100k stored
customers in SQLite under 50 ms (filters and sorts are checked for correctness in
tests/hub/test_customer_segments.py; only timed here).

    python bench/segments.py [--customers 100000] [--samples 30]

Fills a fresh SQLite store's index tables (migrated like any store) with `--customers` people,
each on one to five platforms, with a lifecycle stage, lead score, consent and total spent
drawn from fixed seeds, then times the store's own page and count queries
(hub/customer_list.py) for a set of segments: median and p95 of `--samples` runs each.
Prints a table and writes bench/results/segments.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from canonical_schema import EmailConsent, LifecycleStage, Platform
from connectors.registry import with_capability
from connectors.spec import Capability
from hub.customer_list import CustomerFilter, CustomerList, CustomerSort
from hub.store import Store
from hub.tables import index_customers, index_records

RESULTS = Path(os.environ.get("MGW_BENCH_RESULTS") or Path(__file__).resolve().parent / "results")
BATCH = 5000
NOW = datetime(2026, 12, 1, tzinfo=UTC)
STORE = with_capability(Capability.ORDERS)[0]  # the store the orders come from: Shopify
SEGMENTS: dict[str, CustomerFilter] = {
    "lead score 60-90, by score": CustomerFilter(
        lead_score_min=60, lead_score_max=90, sort=CustomerSort.LEAD_SCORE
    ),
    "subscribed on shopify": CustomerFilter(email_consent=EmailConsent.SUBSCRIBED, platform=STORE),
    "spent >= 500, biggest first": CustomerFilter(
        total_spent_min=Decimal(500), sort=CustomerSort.TOTAL_SPENT
    ),
    "MQLs updated in 30 days": CustomerFilter(
        lifecycle_stage=LifecycleStage.MARKETING_QUALIFIED_LEAD,
        updated_since=NOW - timedelta(days=30),
    ),
    "everyone, most recently synced": CustomerFilter(sort=CustomerSort.SYNCED_AT),
}


def people(count: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    r = random.Random(18)
    stages = list(LifecycleStage)
    consents = [c.value for c in EmailConsent]
    platforms = [p.value for p in Platform]
    customers, records = [], []
    for n in range(count):
        customer_id = f"cus_{n:026d}"
        email = f"p{n}@d{n % 5000}.example"
        held = r.sample(platforms, r.randint(1, len(platforms)))
        updated = NOW - timedelta(seconds=r.randint(0, 400 * 86_400))
        spent = r.randint(0, 2_000_00) * 100 if "shopify" in held else None
        score = r.randint(0, 100) if "marketo" in held or "hubspot" in held else None
        stage = r.choice(stages).value
        customers.append(
            {
                "customer_id": customer_id,
                "email": email,
                "email_domain": email.split("@")[1],
                "lifecycle_stage": stage,
                "updated_at": updated,
                "platforms": ",".join(sorted(held)),
                "synced_at": NOW - timedelta(seconds=r.randint(0, 86_400)),
                "lead_score": score,
                "email_consent": r.choice(consents),
                "total_spent_e4": spent,
            }
        )
        records += [
            {
                "platform": p,
                "external_id": f"{p}-{n}",
                "customer_id": customer_id,
                "email": email,
                "lifecycle_stage": stage,
                "updated_at": updated,
                "fingerprint": "0" * 64,
                "synced_at": NOW,
            }
            for p in held
        ]
    return customers, records


async def fill(store: Store, count: int) -> None:
    customers, records = people(count)
    async with store.engine.begin() as connection:
        for table, rows in ((index_customers, customers), (index_records, records)):
            for start in range(0, len(rows), BATCH):
                await connection.execute(table.insert(), rows[start : start + BATCH])


async def timed(samples: int, run: Any) -> dict[str, float]:
    took = []
    for _ in range(samples):
        started = time.perf_counter()
        await run()
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return {
        "median_ms": round(statistics.median(took), 2),
        "p95_ms": round(took[int(0.95 * (len(took) - 1))], 2),
    }


async def main(count: int, samples: int) -> dict[str, Any]:
    db = Path(tempfile.mkdtemp(prefix="mgw-bench-")) / "segments.db"
    store = await Store.open(f"sqlite+aiosqlite:///{db}")
    try:
        await fill(store, count)
        listing = CustomerList(store)
        found: dict[str, Any] = {}
        for name, wanted in SEGMENTS.items():
            for _ in range(3):  # warm: statements compiled, pages in the OS cache
                first, more = await listing.page(wanted, 100, None)
            last = first[-1]
            page = await timed(samples, lambda w=wanted: listing.page(w, 100, None))
            after = await timed(
                samples,
                lambda w=wanted, e=last: listing.page(w, 100, e.customer_id, e.value),
            )
            total = await timed(max(5, samples // 3), lambda w=wanted: listing.count(w))
            found[name] = {
                "total": await listing.count(wanted),
                "first_page": page,
                "next_page": after,
                "count": total,
                "more": more,
            }
    finally:
        await store.close()
    return {
        "customers": count,
        "database_mb": round(db.stat().st_size / 2**20, 1),
        "segments": found,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    result = asyncio.run(main(args.customers, args.samples))
    print(f"{result['customers']:,} customers, {result['database_mb']} MB")
    print(f"{'segment':<34}{'total':>8}{'page p50':>10}{'p95':>8}{'next p50':>10}{'count p50':>11}")
    for name, row in result["segments"].items():
        print(
            f"{name:<34}{row['total']:>8}{row['first_page']['median_ms']:>10}"
            f"{row['first_page']['p95_ms']:>8}{row['next_page']['median_ms']:>10}"
            f"{row['count']['median_ms']:>11}"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "segments.json").write_text(json.dumps(result, indent=2) + "\n")
