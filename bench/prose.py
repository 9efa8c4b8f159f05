"""The prose of BENCHMARKS.md that no number writes: what limits scenario 1 (from a profile)
and what was profiled and changed on the hot path."""

# ruff: noqa: E501  (Markdown tables are written one row a line)
from __future__ import annotations

LIMITS = """### What limits scenario 1, and what would move it

**Live.** Both sides read the same page from the same simulator; what differs is the CPU each
spends per request (the CPU column), and on two cores shared with wrk and the simulator the
gateway is CPU-bound: at equal process counts the requests/s ratio follows the inverse of the
CPU ratio. One py-spy profile of ours (one worker, cache off, load average about 3, issue 11's
changes below, before issue 22's live-path work) splits a request's CPU into: HubSpot's page fetched through
httpx, about 21 %; merging the 100 records into canonical customers (pydantic models, plus
each record's source), about 16 %; parsing and mapping HubSpot's records (a pydantic model per
contact, then a canonical record), about 13 %; GraphQL execution of the selection, about 8 %;
the index-empty check in SQLite, the cursors and the read wrappers, about 8 %; and the rest,
about a third, in the HTTP server, the middleware (correlation ids, client auth, the edge's
checks) and strawberry's request pipeline. What would move it: building each canonical
customer straight from HubSpot's JSON in one step instead of three pydantic models (about
30 % of a request today), an upstream HTTP client cheaper per call than httpx, remembering
between syncs that the identity index is empty (a notice from sync instead of a query per
list), and fewer layers around a request.

**From the store** a list costs no less CPU than a live one (the CPU column: the HubSpot page a
live list reads is one call, while a stored page is a hundred stored customers). A cProfile of
the two stored reads in process (HubSpot only, a synced store) found every read asking the
database three times: the platforms' sync watermarks on a connection of its own, the people's
records (one `IN` query for a whole page), then when each was last read live; on SQLite each
statement and connection checkout is a hop to aiosqlite's thread, which costs more CPU than
the rows. Since then (docs/adr/0090) the watermarks are held in memory (at most 1 s old,
dropped when this process's sync moves them) and the records come joined with the people in
one query: `customer(email:)` is one statement, a page of 100 two, whatever its size
(tests/resolvers/test_store_queries.py counts them). In process, before and after alternating
three times, load average 3 to 4: `customer(email:)` 4.4 to 5.2 → 2.9 to 3.1 ms of CPU a request,
`customers(first: 100)` 10.5 to 13.6 → 10.3 to 11.8 ms. What is left in a stored page: GraphQL
completing 800 fields, decoding and merging its 100 records (about a tenth), the HTTP layers
and strawberry's pipeline; what would move it further is a stored record built into its
canonical form once, when it is written, not on every read.

Measured again on 2026-12-07 (a harness outside the repository: a synced HubSpot store, one
`mgw serve`, wrk at 16 connections, the serving process's CPU from /proc per thread): the
main thread spent almost all of a stored read's CPU, and aiosqlite's threads kept changing
(connections opened and closed past the pool's five). With the pool kept, the loaders made
when asked, the tracer made once and the records query built once (the table below),
`customer(email:)` from the store went from 6.7 to 8.9 to 4.4 to 5.3 ms of CPU a request,
alternating three times with the commit before (this machine was about half as fast that
day as on the day of the 2.9 ms above). What a stored `customer(email:)` still spends, by a
py-spy profile of the main thread: strawberry's per-operation extension machinery (eleven
schema extensions, their hooks looked up and wrapped per phase) about 16 %, three spans (HTTP,
operation, batch) about 8 %, the event loop about 7 %, the store's one query about 6 %.
A stored page of 100: the records' rows turned into records and the freshness check about
15 %, building 100 canonical customers about 13 %, completing 800 fields about 15 %.

**Warm**, ours answers a repeated list from the response cache (`MGW_RESPONSE_CACHE_SECONDS=5`
here: answers at most 5 s old, keyed by the request's bytes and the caller's scopes; off by
default) before strawberry's pipeline: the encoded answer is sent again as it was
(gateway/cached_answers.py, docs/adr/0088). What is left per request is the HTTP server, the
middleware (the correlation id and its span, client auth, the admin gate) and the edge's checks
(CSRF, the client's rate limit, reading the body), which every request passes, cached or not.
"""

HOT_PATH = """## The hot path: what was profiled and changed

Profiled with py-spy under wrk (scenario 1, cache off). What it showed, and what changed:

| found | change |
|---|---|
| graphql-core executed every field the same way (path, `ResolveInfo`, resolver, completion) — about a third of a list request | `resolvers/execution.py`: fields read from an attribute (plain, or behind scope checks the caller passes) are completed directly, and so are whole subtrees of them (a page's edges and nodes); everything else takes the ordinary road, same errors and order (tests/resolvers/test_execution.py) |
| full garbage collections walked the schema, models and libraries while requests allocated thousands of short-lived objects | `gc.freeze()` once everything is built, and young collections every 20,000 allocations instead of 700 (`gateway/servers.py`) |
| every customer built its `sources` and `fieldSources` objects whether asked or not | built only when selected (`resolvers/customer.py`) |
| `httpcore` imported `sniffio` on every call and walked `sys.path` when it was missing | `sniffio` is a dependency |
| merged customers are validated again though every value came from a validated record | left as it is: pydantic's `model_construct` measured slower (8.6 µs a customer) than validating (6.5 µs) |
| a `json.dumps` per list cursor | the cursor's JSON prefix is made once per page (`hub/cursors.py`) |
| every email checked by a regex twice per record | `is_email` is cached |
| the standard library's JSON encoder for responses | orjson (`gateway/json_encoding.py`); uvicorn runs on uvloop and httptools |
| one process on two cores | `mgw serve --workers N` (N replicas on one port, sharing limits, cache and change events through Redis; the supervisor is a bare uvicorn) |
| a warm repeated read still read HubSpot's page, merged and executed it | an opt-in response cache (`MGW_RESPONSE_CACHE_SECONDS`, `hub/response_cache.py`) |
| a cached answer still went through strawberry's pipeline and was encoded again on every hit | the encoded answer is served before the pipeline, after auth and the edge's checks (`gateway/cached_answers.py`, ADR 0088) |
| a warm `customer(email:)` parsed the cached JSON into a model on every hit | parsed once per distinct entry (`hub/customer_cache.py`) |
| a stored read on SQLite at 16 concurrent requests opened and closed connections past the pool's five (a thread, a file open, its pragmas each) and pinged each before use | SQLite keeps up to 32 connections and does not ping (a local file does not drop them; PostgreSQL still pings) (`hub/store.py`, ADR 0098) |
| every operation made all fourteen graph DataLoaders, and `trace.get_tracer` built a new tracer on every call (operation, batch and HTTP spans) | loaders are made when a field first asks (`resolvers/loaders.py`); the tracer is made once |
| the store's records query was built (an `IN` of the page's ids) on every read | built once, with an expanding parameter (`hub/store_reads.py`) |
"""
