"""The services the gateway runs on, opened from settings and closed together.

Used by the app's lifespan and by one-shot commands (`mgw lookup`), so both see the same
store, identity index, connectors and merge policy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import httpx

from cache import EntityCache, MemoryCache
from cache.entity import CountedCache
from cache.limits import Limiter, MemoryLimiter
from cache.outage import shared_cache, shared_limiter
from canonical_schema.invariants import BrokenInvariant
from gateway.accounts import account_keys
from gateway.connectors import build_connector, http_client, open_credentials, vault_candidates
from gateway.resilience import last_sync_reader, resilient
from gateway.settings import Settings
from hub import ReadService
from hub.changes import ChangeBus, MemoryBus, RedisBus
from hub.customer_cache import CustomerCache
from hub.graph import GraphReader
from hub.identity import IdentityIndex
from hub.resilience import Integrations
from hub.response_cache import ResponseCache
from hub.store import Store
from hub.write_service import WriteService
from sync_jobs.runtime import Jobs, open_jobs
from sync_jobs.sync_service import SyncService, open_sync
from sync_jobs.write_jobs import open_writes


@dataclass(frozen=True)
class Services:
    store: Store
    identity: IdentityIndex
    read: ReadService
    cache: CustomerCache | None
    integrations: Integrations
    sync: SyncService
    graph: GraphReader
    write: WriteService
    jobs: Jobs
    changes: ChangeBus


@asynccontextmanager
async def open_services(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[Services]:
    """Everything `settings` describe, opened; raises ConfigError before opening anything
    (or, for platforms connected through the vault, before connecting any platform)."""
    settings.connected_platforms(also=vault_candidates(settings))
    policy = settings.merge.policy()
    backend = settings.cache_backend()
    id_key = settings.id_key.get_secret_value().encode() if settings.id_key else None
    async with AsyncExitStack() as stack:
        store = await Store.open(settings.database_url)
        stack.push_async_callback(store.close)
        vaulted = await stack.enter_async_context(open_credentials(settings, store))
        platforms = settings.connected_platforms(also=vaulted.connected(settings))
        identity = await IdentityIndex.open(store, id_key, account_keys(settings, platforms))
        cache = _customer_cache(settings, backend)
        if cache is not None:
            stack.push_async_callback(cache.close)
        limiter = _limiter(settings)
        stack.push_async_callback(limiter.close)
        sources, watched, raw = [], [], []
        for platform in platforms:
            client = http_client(settings, platform, limiter, transport)
            http = await stack.enter_async_context(client)
            connector = build_connector(settings, platform, http, vaulted.of(platform))
            source, watch = resilient(settings, platform, connector, limiter)
            sources.append(source)
            raw.append(connector)  # sync reads with its own retries (sync_jobs/)
            watched.append(watch)
        responses = None
        staleness = settings.read.max_staleness_seconds
        if settings.response_cache_seconds > 0 and backend != "off":
            responses = ResponseCache(settings.response_cache_seconds)
        read = ReadService(
            sources, identity, policy, cache, responses=responses, max_staleness=staleness
        )
        changes = RedisBus.from_url(settings.redis_url) if settings.redis_url else MemoryBus()
        stack.push_async_callback(changes.close)
        jobs = await stack.enter_async_context(open_jobs(settings.jobs, settings.redis_url))
        # the gateway's own write-back announces upserts; closed before what it uses
        write = open_writes(store, identity, cache, raw, jobs, changes)
        graph = GraphReader.from_sources(raw, settings.graph, store=store, identity=identity)
        stack.push_async_callback(graph.close)
        sync = open_sync(
            store,
            identity,
            policy,
            settings.sync,
            raw,
            engine=jobs.engine,  # background syncs are jobs
            writes=write,  # propagation rules (sync.propagate) write through it
            changes=changes,  # polled platforms (Salesforce, Marketo) feed subscribers too
            cache=cache,
            # what sync reads of people's companies, deals and events, unless told not to
            entities=graph.people if settings.sync.entities else None,
        )
        stack.push_async_callback(sync.close)
        integrations = Integrations(watched, last_sync_reader(store))
        services = Services(
            store,
            identity,
            read,
            cache,
            integrations,
            sync,
            graph=graph,
            write=write,
            jobs=jobs,
            changes=changes,
        )
        jobs.start({"services": services, "writes": write})
        yield services


def _limiter(settings: Settings) -> Limiter:
    """Shared by every replica through Redis when there is one; else this process's own."""
    return shared_limiter(settings.redis_url) if settings.redis_url else MemoryLimiter()


def _customer_cache(settings: Settings, backend: str) -> CustomerCache | None:
    entities: EntityCache
    if backend == "off":
        return None
    if backend == "redis":
        # cache_backend() checked it
        if settings.redis_url is None:
            raise BrokenInvariant("expected settings.redis_url is not None")
        entities = shared_cache(settings.redis_url)  # a miss while Redis is away
    else:
        entities = MemoryCache(max_bytes=settings.cache_max_bytes)
    return CustomerCache(
        CountedCache(entities),  # hits and misses in /metrics
        scope=settings.data_scope,
        ttl=settings.cache_ttl_seconds,
        missing_ttl=settings.cache_missing_ttl_seconds,
        stale_for=settings.cache_stale_seconds,
    )
