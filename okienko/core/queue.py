"""The embedded mode's task queue: Huey on SQLite, as durable as the database it serves."""

import sqlite3

from huey import SqliteHuey as HueySqliteHuey
from huey.storage import SqliteStorage


class QueueStorage(SqliteStorage):
    """Huey's SQLite storage in WAL mode with ``synchronous=NORMAL``, as Okienko's database.

    Huey leaves SQLite's default, FULL, which flushes the disk at every task queued: on a busy
    machine the largest cost of creating a ticket. With NORMAL a crash of the process loses no
    task; a power cut may lose the last ones queued, as it may the database's last changes.
    """

    def _create_connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection = super()._create_connection()
        connection.execute("pragma synchronous=NORMAL")
        return connection


class SqliteHuey(HueySqliteHuey):
    storage_class = QueueStorage
