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


def database_backends_cpu_seconds() -> dict[int, float] | None:
    """CPU time so far of each PostgreSQL backend connected to this database, by process id;
    None on SQLite or when the server is not on this machine. For a phase whose work goes
    through several connections: the pool hands each Huey task whichever connection it has.
    (``database_cpu_seconds`` reads the one backend of a phase that keeps its connection, and
    so can run in several processes at once.)"""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend'"
        )
        pids = [row[0] for row in cursor.fetchall()]
    seconds = {}
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        seconds[pid] = float(times.user + times.system)
    return seconds or None


def database_cpu_spent(
    started: dict[int, float] | None, ended: dict[int, float] | None
) -> float | None:
    """Seconds of CPU the backends spent between the two readings; a backend opened meanwhile
    counts whole, one closed meanwhile is missed (the pool keeps its connections open)."""
    if started is None or ended is None:
        return None
    return sum(seconds - started.get(pid, 0.0) for pid, seconds in ended.items())
