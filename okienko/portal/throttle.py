"""Counting attempts per key in the cache: a fixed window that starts at the first attempt.

In embedded mode the cache is the process's memory (one process serves everything); scaled, it
is Redis, shared by every web process, where ``incr`` is atomic.
"""

import hashlib

from django.core.cache import cache


def hit(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt of ``key`` in ``scope``; False once more than ``limit`` attempts were
    counted in the window. Keys are hashed: no addresses in the cache."""
    digest = hashlib.sha256(key.encode()).hexdigest()
    cache_key = f"okienko:throttle:{scope}:{digest}"
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        # The window ran out between ``add`` and ``incr``: this attempt opens the next one.
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
