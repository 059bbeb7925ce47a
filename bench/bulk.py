"""Fast bulk inserts for seeding: ``COPY`` on PostgreSQL, ``executemany`` on SQLite.

``QuerySet.bulk_create`` spends most of its time compiling SQL value by value (about 1,400 tickets
with their message and event per second on PostgreSQL here, which makes a million tickets take
twelve minutes). The writer below still takes table and column names from the models' metadata,
adapts values the way Django stores them, and refuses a column list that leaves out a required
column, so a model change fails the seed loudly instead of writing bad rows.
"""

import datetime
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED

Adapter = Callable[[Any], Any]


def _sqlite_datetime(value: datetime.datetime | None) -> str | None:
    """What Django's SQLite backend stores for an aware datetime: naive UTC text."""
    if value is None:
        return None
    return str(value.astimezone(datetime.UTC).replace(tzinfo=None))


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def _identity(value: Any) -> Any:
    return value


def _adapter(field: "models.Field[Any, Any]", vendor: str) -> Adapter:
    if isinstance(field, models.JSONField):
        return _json
    if isinstance(field, models.DateTimeField) and vendor == "sqlite":
        return _sqlite_datetime
    return _identity


class BulkWriter:
    """Inserts rows given as tuples of values for named fields of one model."""

    def __init__(self, model: type[models.Model], field_names: Sequence[str]) -> None:
        meta = model._meta
        fields = [meta.get_field(name) for name in field_names]
        not_columns = [
            field.name
            for field in fields
            if not isinstance(field, models.Field) or field.column is None
        ]
        if not_columns:
            raise ValueError(f"{meta.label}: {not_columns} are not columns")
        missing = [
            field.name
            for field in meta.concrete_fields
            if not field.null
            and not field.primary_key
            and field.name not in field_names
            and field.db_default is NOT_PROVIDED
        ]
        if missing:
            raise ValueError(f"{meta.label}: bulk rows leave out required fields {missing}")
        if connection.vendor not in {"postgresql", "sqlite"}:
            raise ValueError(f"Seeding supports PostgreSQL and SQLite, not {connection.vendor}")
        self._vendor = connection.vendor
        self._table = connection.ops.quote_name(meta.db_table)
        columns = [field for field in fields if isinstance(field, models.Field)]
        self._columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in columns)
        self._adapters = [_adapter(field, self._vendor) for field in columns]
        self._needs_adapting = any(adapter is not _identity for adapter in self._adapters)

    def _adapted(self, rows: Sequence[tuple[Any, ...]]) -> Sequence[tuple[Any, ...]]:
        if not self._needs_adapting:
            return rows
        adapters = self._adapters
        return [
            tuple(adapt(value) for adapt, value in zip(adapters, row, strict=True)) for row in rows
        ]

    def insert(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Insert ``rows`` in the current transaction."""
        if not rows:
            return
        adapted = self._adapted(rows)
        with connection.cursor() as cursor:
            if self._vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {self._table} ({self._columns}) FROM STDIN") as copy:
                    for row in adapted:
                        copy.write_row(row)
            else:
                placeholders = ", ".join("%s" for _ in self._adapters)
                cursor.executemany(
                    f"INSERT INTO {self._table} ({self._columns}) VALUES ({placeholders})",  # noqa: S608
                    adapted,
                )
