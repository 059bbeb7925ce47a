"""Counting attempts per key in the cache: a fixed window that starts at the first attempt.

In embedded mode the cache is the process's memory (one process serves everything); scaled, it
is Redis, shared by every web process, where ``incr`` is atomic.
"""

import hashlib

from django.core.cache import cache


def hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt of ``key`` in ``scope``; False once more than ``limit`` attempts were
    counted in the window. Keys are hashed: no addresses in the cache."""
    return hits(scope, key, count=1, limit=limit, window_seconds=window_seconds) == 1


def hits(scope: str, key: str, *, count: int, limit: int, window_seconds: int) -> int:
    """Count ``count`` attempts of ``key`` at once (one trip to the cache, not one each); how
    many of them, the first ones, are within ``limit``."""
    digest = hashlib.sha256(key.encode()).hexdigest()
    cache_key = f"okienko:throttle:{scope}:{digest}"
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        total = cache.incr(cache_key, count)
    except ValueError:
        # The window ran out between ``add`` and ``incr``: these attempts open the next one.
        cache.set(cache_key, count, timeout=window_seconds)
        total = count
    return max(0, min(count, limit - (total - count)))
