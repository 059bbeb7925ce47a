"""The throw-away install a benchmark runs against: its database and environment variables.

The developer's ``var/`` and database are never touched: SQLite runs in a fresh temporary
directory, PostgreSQL in the ``okienko_bench`` database, dropped and created again at the start.
Every inherited ``OKIENKO_*`` variable is removed, so a test suite running on PostgreSQL does not
leak its database into a SQLite benchmark.
"""

import os
import secrets
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from bench.processes import BenchError
from bench.progress import log

DatabaseKind = Literal["sqlite", "postgres"]
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/okienko_bench"
SQLITE_FILENAME = "okienko.sqlite3"
MEGABYTE = 1024 * 1024


def _maintenance_url(url: str) -> str:
    """The same server with the ``postgres`` database, to drop and create the bench database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, parts.fragment))


def _database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name:
        raise ValueError(f"No database name in {url!r}")
    return name


@dataclass
class BenchEnvironment:
    """One benchmark install: a temporary var directory and, for PostgreSQL, a database."""

    database: DatabaseKind
    postgres_url: str = DEFAULT_POSTGRES_URL
    # With PostgreSQL, the scaled layout: Huey, the channel layer and the cache on Redis.
    redis_url: str = ""
    keep: bool = False
    # Another settings module (importable through PYTHONPATH), to measure a configuration change
    # before making it in okienko/settings.py.
    settings_module: str = "okienko.settings"
    var_dir: Path = field(init=False)

    def __post_init__(self) -> None:
        self.var_dir = Path(tempfile.mkdtemp(prefix="okienko-bench-"))
        self._secret_key = secrets.token_urlsafe(50)
        self._created_database = False
        self._lock: psycopg.Connection[Any] | None = None

    def _take_lock(self, name: str) -> None:
        """Hold an advisory lock on the database name for the whole run.

        Two runs against one database would drop each other's data; the second one stops here.
        """
        self._lock = psycopg.connect(_maintenance_url(self.postgres_url), autocommit=True)
        row = self._lock.execute(
            "SELECT pg_try_advisory_lock(hashtext(%s))", [f"okienko-bench:{name}"]
        ).fetchone()
        if not (row and row[0]):
            self._lock.close()
            self._lock = None
            raise BenchError(
                f"another benchmark is using the database {name}; wait for it to finish or "
                "give another database with --postgres-url"
            )

    def prepare(self) -> None:
        """Create the empty database (PostgreSQL: drop any previous bench database first)."""
        log(f"{self.database}: var dir {self.var_dir}")
        if self.database == "postgres":
            name = _database_name(self.postgres_url)
            try:
                self._take_lock(name)
                with psycopg.connect(_maintenance_url(self.postgres_url), autocommit=True) as conn:
                    conn.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                            sql.Identifier(name)
                        )
                    )
                    conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            except psycopg.Error as error:
                raise BenchError(f"cannot create the bench database {name}: {error}") from error
            self._created_database = True
            log(f"postgres: created database {name}")

    def env(self) -> dict[str, str]:
        """Environment for subprocesses: what we inherit minus any ``OKIENKO_*``, plus ours."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("OKIENKO_")}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": self.settings_module,
                "OKIENKO_VAR_DIR": str(self.var_dir),
                "OKIENKO_SECRET_KEY": self._secret_key,
                "OKIENKO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "OKIENKO_LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self.database == "postgres":
            env["OKIENKO_DATABASE_URL"] = self.postgres_url
            if self.redis_url:
                env["OKIENKO_REDIS_URL"] = self.redis_url
        return env

    def size_mb(self) -> float:
        """The database's size on disk: SQLite file plus its WAL, or ``pg_database_size``."""
        if self.database == "postgres":
            with psycopg.connect(_maintenance_url(self.postgres_url), autocommit=True) as conn:
                row = conn.execute(
                    "SELECT pg_database_size(%s)", [_database_name(self.postgres_url)]
                ).fetchone()
            size = int(row[0]) if row else 0
        else:
            base = self.var_dir / SQLITE_FILENAME
            size = sum(
                path.stat().st_size
                for path in (base, base.with_name(base.name + "-wal"))
                if path.exists()
            )
        return round(size / MEGABYTE, 1)

    def server_version(self) -> str:
        """The database engine's version, for the report."""
        if self.database == "postgres":
            with psycopg.connect(_maintenance_url(self.postgres_url), autocommit=True) as conn:
                row = conn.execute("SHOW server_version").fetchone()
            return f"PostgreSQL {row[0] if row else '?'}"
        return f"SQLite {sqlite3.sqlite_version}"

    def cleanup(self) -> None:
        """Remove the temporary directory and the bench database, unless asked to keep them."""
        if self.keep:
            self._release_lock()
            log(
                f"kept var dir {self.var_dir}"
                + (f" and database {self.postgres_url}" if self._created_database else "")
            )
            return
        shutil.rmtree(self.var_dir, ignore_errors=True)
        if self._created_database:
            name = _database_name(self.postgres_url)
            try:
                with psycopg.connect(_maintenance_url(self.postgres_url), autocommit=True) as conn:
                    conn.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                            sql.Identifier(name)
                        )
                    )
            except psycopg.Error as error:
                log(f"could not drop database {name}: {error}")
        self._release_lock()

    def _release_lock(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None
