import os
import subprocess
import sys

import pytest


def _okienko_check(var_dir, **environment: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("OKIENKO_")}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "okienko", "check"],
        env={**clean, "OKIENKO_VAR_DIR": str(var_dir), **environment},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_mode_without_a_secret_key_refuses_to_start(tmp_path):
    result = _okienko_check(tmp_path, OKIENKO_MODE="production")

    assert result.returncode != 0
    assert "OKIENKO_SECRET_KEY is required when OKIENKO_MODE=production" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_embedded_mode_generates_a_secret_once_and_keeps_it(tmp_path):
    first = _okienko_check(tmp_path)
    key = (tmp_path / "secret_key").read_text()
    second = _okienko_check(tmp_path)

    assert first.returncode == second.returncode == 0, first.stderr
    assert len(key) >= 50
    assert (tmp_path / "secret_key").read_text() == key
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_embedded_defaults_are_sqlite_huey_on_sqlite_and_in_memory_layer(tmp_path):
    result = _okienko_check(tmp_path)

    assert "debug          False" in result.stdout
    assert f"sqlite3 {tmp_path / 'okienko.sqlite3'}" in result.stdout
    assert "SqliteHuey" in result.stdout
    assert "InMemoryChannelLayer" in result.stdout


def test_unknown_mode_is_an_error(tmp_path):
    result = _okienko_check(tmp_path, OKIENKO_MODE="staging")

    assert result.returncode != 0
    assert "OKIENKO_MODE must be 'embedded' or 'production'" in result.stderr


def test_redis_url_moves_queue_channel_layer_and_cache_to_redis(tmp_path):
    redis_url = os.environ.get("OKIENKO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

    result = _okienko_check(tmp_path, OKIENKO_REDIS_URL=redis_url)

    assert "RedisHuey" in result.stdout
    assert "RedisPubSubChannelLayer" in result.stdout
    assert "RedisCache" in result.stdout


@pytest.mark.postgres
@pytest.mark.django_db
def test_prepared_statements_are_planned_for_each_executions_values():
    # A generic plan cached after a few lists of a common tag made a rare tag's list 6 times
    # slower at 1,000,000 tickets.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        (mode,) = cursor.fetchone()

    assert mode == "force_custom_plan"
