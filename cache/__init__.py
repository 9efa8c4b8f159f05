"""Entity cache (and, as they land, rate-limit buckets and locks): small interfaces, each with an
in-memory and a Redis implementation chosen from configuration (`MGW_CACHE`, `MGW_REDIS_URL`).

Imports nothing of ours but what it defines; values are bytes the caller serialized.
"""

from __future__ import annotations

from cache.entity import CacheEntry, CacheWrite, EntityCache
from cache.memory import MemoryCache
from cache.redis_cache import RedisCache
from cache.singleflight import BatchSingleFlight, SingleFlight

__all__ = [
    "BatchSingleFlight",
    "CacheEntry",
    "CacheWrite",
    "EntityCache",
    "MemoryCache",
    "RedisCache",
    "SingleFlight",
]
