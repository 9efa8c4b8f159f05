"""Entity cache, rate-limit buckets and locks: small interfaces, each with an in-memory and a
Redis implementation chosen from configuration (`MGW_REDIS_URL`). Arrives with the cache and
rate-limiting issue; until then the read path is uncached and the package holds nothing."""
