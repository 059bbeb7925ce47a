"""Helpers for the phase subprocesses (``python -m bench.<phase>``) that run inside Django."""

import json
import os
import sys
from typing import Any

import psutil


def setup_django() -> None:
    """Set up Django with the settings the parent process prepared in the environment."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okienko.settings")
    import django

    django.setup()


def emit(result: dict[str, Any]) -> None:
    """Print a phase's result as the last line of stdout, where the parent process reads it."""
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def database_cpu_seconds() -> float | None:
    """CPU time so far of the PostgreSQL backend serving this process; None on SQLite or when
    that process is not on this machine."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        row = cursor.fetchone()
    try:
        times = psutil.Process(row[0]).cpu_times()
    except (psutil.Error, TypeError):
        return None
    return float(times.user + times.system)
