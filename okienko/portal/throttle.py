"""Counting attempts per key in the cache: a fixed window that starts at the first attempt.

In embedded mode the cache is the process's memory (one process serves everything); scaled, it
is Redis, shared by every web process, where ``incr`` is atomic.
"""

import hashlib
from collections.abc import Mapping

from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache


def hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt of ``key`` in ``scope``; False once more than ``limit`` attempts were
    counted in the window. Keys are hashed: no addresses in the cache."""
    [total] = count_attempts({(scope, key): 1}, window_seconds=window_seconds).values()
    return total <= limit


def count_attempts(
    attempts: Mapping[tuple[str, str], int], *, window_seconds: int
) -> dict[tuple[str, str], int]:
    """Count attempts of several keys at once (``(scope, key)``: how many): each key's count in
    its window, these included. With Redis one round trip for all of them."""
    cache_keys = {
        attempt: f"okienko:throttle:{attempt[0]}:{hashlib.sha256(attempt[1].encode()).hexdigest()}"
        for attempt in attempts
    }
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # Through Django's own Redis client: its cache API has no pipelines.
        with backend._cache.get_client(write=True).pipeline() as pipeline:
            for attempt, cache_key in cache_keys.items():
                key = backend.make_and_validate_key(cache_key)
                # The window starts at a key's first attempt; one transaction, so atomic.
                pipeline.set(key, 0, ex=window_seconds, nx=True)
                pipeline.incrby(key, attempts[attempt])
            replies = pipeline.execute()
        return {
            attempt: int(total) for attempt, total in zip(cache_keys, replies[1::2], strict=True)
        }
    return {
        attempt: _count(backend, cache_key, attempts[attempt], window_seconds)
        for attempt, cache_key in cache_keys.items()
    }


def _count(cache: BaseCache, cache_key: str, count: int, window_seconds: int) -> int:
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        return int(cache.incr(cache_key, count))
    except ValueError:
        # The window ran out between ``add`` and ``incr``: these attempts open the next one.
        cache.set(cache_key, count, timeout=window_seconds)
        return count
