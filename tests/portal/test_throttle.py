"""Counting sign-in requests in the cache: in memory embedded, in Redis scaled."""

import uuid

import pytest

from okienko.portal.throttle import hit


def _attempts(scope: str, key: str, times: int) -> list[bool]:
    return [hit(scope, key, limit=2, window_seconds=60) for _ in range(times)]


def test_attempts_over_the_limit_are_refused_per_key():
    scope = f"test-{uuid.uuid4().hex}"

    assert _attempts(scope, "a@poczta.example", 3) == [True, True, False]
    assert _attempts(scope, "b@poczta.example", 1) == [True]


@pytest.mark.redis
def test_redis_counts_the_attempts_of_every_process(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
        }
    }
    scope = f"test-{uuid.uuid4().hex}"

    assert _attempts(scope, "a@poczta.example", 3) == [True, True, False]
