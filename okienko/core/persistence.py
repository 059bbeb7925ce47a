from collections.abc import Sequence
from typing import Any, TypeVar, cast

from django.db import IntegrityError, connections, models, transaction
from django.db.models.expressions import RawSQL

from okienko.core.errors import Conflict

M = TypeVar("M", bound=models.Model)


def save_unique(instance: models.Model, *, taken: str) -> None:
    """Save ``instance``; breaking a unique constraint (a name in use) becomes ``Conflict``
    with ``taken`` as the message, and leaves the surrounding transaction usable."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        raise Conflict(taken) from error


def remember_related(
    instance: models.Model, relation: str, objects: Sequence[models.Model]
) -> None:
    """Let ``instance.<relation>.all()`` answer ``objects`` without a query, as if they had been
    prefetched: for rows just written, whose related rows the writer knows.

    Django has no public call for this; it is what ``prefetch_related_objects`` stores
    (``django.db.models.query.prefetch_one_level``, Django 5.2). A test asserts it still holds.
    """
    related = getattr(instance, relation).all()
    related._result_cache = list(objects)
    related._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = related


def update_each(queryset: models.QuerySet[M], rows: Sequence[M], fields: Sequence[str]) -> int:
    """Set ``fields`` of each of ``rows`` (by primary key) to its own values, in one UPDATE of
    the rows ``queryset`` still holds; returns how many it updated.

    ``QuerySet.bulk_update`` does the same, but builds a filter expression per row and field,
    which costs more CPU than the statements it saves. Here a field all rows give one value is
    set to it; a field that differs becomes one ``CASE <pk> WHEN ... END`` of parameters.
    """
    model = queryset.model
    connection = connections[queryset.db]
    pk_column = connection.ops.quote_name(str(model._meta.pk.column))
    changes: dict[str, Any] = {}
    for name in fields:
        field = cast("models.Field[Any, Any]", model._meta.get_field(name))
        values = [getattr(row, field.attname) for row in rows]
        if all(value == values[0] for value in values):
            changes[field.attname] = values[0]
            continue
        values = [field.get_db_prep_save(value, connection) for value in values]
        whens = " ".join(["WHEN %s THEN %s"] * len(rows))
        params = [
            param for row, value in zip(rows, values, strict=True) for param in (row.pk, value)
        ]
        # Only placeholders and the quoted key column go into the SQL; the values are parameters.
        changes[field.attname] = RawSQL(  # noqa: S611
            f"CASE {pk_column} {whens} END", params, output_field=field
        )
    return queryset.filter(pk__in=[row.pk for row in rows]).update(**changes)
