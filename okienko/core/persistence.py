import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from django.db import IntegrityError, connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
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
    prefetched: for rows just written, whose related rows the writer knows, or read in one
    query for a page of instances.

    Django has no public call for this; it is what ``prefetch_related_objects`` stores
    (``django.db.models.query.prefetch_one_level``, Django 5.2). A test asserts it still holds.
    """
    related = _queryset_without(instance, getattr(instance, relation))
    related._result_cache = list(objects)
    related._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[relation] = related


def _queryset_without(instance: models.Model, manager: Any) -> Any:
    """The queryset of a relation of ``instance`` that holds no reference to it.

    Django's names the instance as a routing hint and, for a reverse foreign key, in its filter
    (the lookup keeps its arguments) and for the rows it reads. Stored in the instance, that is
    a reference cycle: the instance, with all it holds, outlives the request until a full
    collection. Filtered by the instance's key instead, the rows of a further query do not know
    the instance (reading it back from one is a query). The filter is built only if a further
    query needs it, as Django's related managers defer theirs: for the clocks of a page of
    tickets, building fifty filters cost more than reading the clocks.
    """
    field = getattr(manager, "field", None)  # only a reverse foreign key's manager has one
    if field is None:
        related = manager.all()
    else:
        key = getattr(instance, field.target_field.attname)
        related = manager.model._default_manager.all()
        related._defer_next_filter = True
        related = related.filter(**{field.name: key})
    related._hints = {}  # shared with the queryset it was cloned from: replaced, not cleared
    return related


def is_remembered(instance: models.Model, relation: str) -> bool:
    """Whether ``instance.<relation>.all()`` answers without a query (prefetched or remembered)."""
    return relation in instance.__dict__.get("_prefetched_objects_cache", {})


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


def insert_rows(rows: Sequence[M]) -> None:
    """Insert new ``rows`` of one model (with an auto-incremented key and no database
    defaults) and set their keys: ``QuerySet.bulk_create`` without its compiler.

    The ORM builds an INSERT's text anew for each call, field by field, which cost a new ticket
    three times what preparing its values does; here the text is built once per model. On
    PostgreSQL several rows go as one array per column (``UNNEST``, as ``bulk_create`` does):
    the statement's text, then the same for any number of rows, is parsed once by the driver
    (psycopg caches the parsing of statements of up to 50 parameters), not once per batch. Like
    ``bulk_create``, it sends no signals and refuses a row whose related object is unsaved.
    """
    if not rows:
        return
    model = type(rows[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    if not connection.features.can_return_rows_from_bulk_insert:
        model._default_manager.db_manager(alias).bulk_create(rows)
        return
    statement = _insert_statement(model, alias)
    fields = statement.fields
    batch_size = connection.ops.bulk_batch_size(fields, rows)
    for start in range(0, len(rows), batch_size):
        batch = rows[start : start + batch_size]
        values: list[list[Any]] = []
        for row in batch:
            # bulk_create's own check and copy of related objects' keys (private in the stubs).
            cast(Any, row)._prepare_related_fields_for_save(operation_name="bulk_create")
            values.append(_values(row, statement, connection))
        if statement.by_columns and len(batch) > 1:
            sql = statement.by_columns
            params = [list(column) for column in zip(*values, strict=True)]
        else:
            rows_sql = ", ".join([statement.placeholders] * len(batch))
            # Only quoted names and placeholders go into the SQL; the values are parameters.
            sql = f"{statement.insert} VALUES {rows_sql} {statement.returning}"
            params = [value for row_values in values for value in row_values]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            keys = cursor.fetchall()
        for row, (key,) in zip(batch, keys, strict=True):
            row.pk = key
            row._state.adding = False
            row._state.db = alias


def insert_linked(rows: Sequence[models.Model]) -> None:
    """Insert new ``rows``, of any models (each as ``insert_rows`` takes them), where a row may
    point at rows before it that are unsaved (a message at its new ticket), and set all their
    keys: on PostgreSQL in one statement, which is atomic on its own, so that outside a
    transaction it is one round trip where ``BEGIN``, an ``INSERT`` per row and ``COMMIT``
    were several; elsewhere row by row in a transaction.

    A related object that is unsaved and not earlier in ``rows`` is refused, as by
    ``insert_rows``.
    """
    if not rows:
        return
    alias = router.db_for_write(type(rows[0]))
    connection = connections[alias]
    if connection.vendor != "postgresql":
        with transaction.atomic(using=alias, savepoint=False):
            for row in rows:
                insert_rows([row])
        return
    position = {id(row): index for index, row in enumerate(rows)}
    links: list[tuple[models.Model, str, int]] = []  # row, field, position it points at
    shape: list[tuple[type[models.Model], tuple[tuple[int, int], ...]]] = []
    params: list[Any] = []
    for index, row in enumerate(rows):
        statement = _insert_statement(type(row), alias)
        linked = _links(row, statement, position, index)
        links.extend(
            (row, statement.fields[number].name, target) for number, target in linked.items()
        )
        params.extend(
            _value(row, field, plain, connection)
            for number, (field, plain) in enumerate(
                zip(statement.fields, statement.plain_types, strict=True)
            )
            if number not in linked
        )
        shape.append((type(row), tuple(sorted(linked.items()))))
    with connection.cursor() as cursor:
        cursor.execute(_linked_statement(tuple(shape), alias), params)
        keys = cursor.fetchone()
    for row, key in zip(rows, keys, strict=True):
        row.pk = key
        row._state.adding = False
        row._state.db = alias
    for row, name, target in links:
        # The related object, not its key: setting the key alone would forget the object.
        setattr(row, name, rows[target])


def _links(
    row: models.Model, statement: "_InsertStatement", position: dict[int, int], index: int
) -> dict[int, int]:
    """Of the fields of ``row`` that point at an unsaved row before ``index``: their position in
    ``statement``, and that row's position in ``rows``. Refuses any other unsaved related
    object, and takes the key of a related object saved after it was assigned, as Django's
    ``Model._prepare_related_fields_for_save`` does (for every field, which costs more)."""
    linked = {}
    for number in statement.relations:
        field = cast(Any, statement.fields[number])
        related = field.get_cached_value(row, None)
        if related is None:
            continue
        if related.pk is None:
            target = position.get(id(related))
            if target is None or target >= index:
                raise ValueError(
                    "insert_linked() prohibited to prevent data loss due to unsaved related "
                    f"object '{field.name}'."
                )
            linked[number] = target
        elif getattr(row, field.attname) in field.empty_values:
            setattr(row, field.name, related)
    return linked


# Of each row of a linked insert: its model, and which of its fields (by position in its
# ``_InsertStatement``) point at which earlier row.
_LinkedShape = tuple[tuple[type[models.Model], tuple[tuple[int, int], ...]], ...]


@functools.cache
def _linked_statement(shape: "_LinkedShape", alias: str) -> str:
    """``WITH r0 AS (INSERT ... RETURNING id), r1 AS (INSERT ... (SELECT id FROM r0) ...) ...
    SELECT`` every key: each row's ``INSERT``, where a field pointing at an earlier row takes
    that row's key from its ``RETURNING``."""
    parts = []
    for index, (model, linked) in enumerate(shape):
        statement = _insert_statement(model, alias)
        targets = dict(linked)
        placeholders = [
            _returned_key(shape, targets[number], alias) if number in targets else "%s"
            for number in range(len(statement.fields))
        ]
        parts.append(
            f"r{index} AS ({statement.insert} VALUES ({', '.join(placeholders)}) "
            f"{statement.returning})"
        )
    keys = ", ".join(_returned_key(shape, index, alias) for index in range(len(shape)))
    return f"WITH {', '.join(parts)} SELECT {keys}"


def _returned_key(shape: "_LinkedShape", index: int, alias: str) -> str:
    """The key the ``index``-th INSERT of a linked statement returned."""
    column = connections[alias].ops.quote_name(str(shape[index][0]._meta.pk.column))
    # Only a quoted name and the CTE's own name go into the SQL.
    return f"(SELECT {column} FROM r{index})"  # noqa: S608


def _values(
    row: models.Model, statement: "_InsertStatement", connection: BaseDatabaseWrapper
) -> list[Any]:
    """The parameters of ``row`` for ``statement``: what ``bulk_create`` would send."""
    return [
        _value(row, field, plain, connection)
        for field, plain in zip(statement.fields, statement.plain_types, strict=True)
    ]


def _value(
    row: models.Model,
    field: "models.Field[Any, Any]",
    plain: tuple[type, ...],
    connection: BaseDatabaseWrapper,
) -> Any:
    if plain and type(value := getattr(row, field.attname)) in plain:
        return value
    return field.get_db_prep_save(field.pre_save(row, True), connection)


# Field classes whose value is written as it is when it has one of these types: their
# ``pre_save`` only reads the attribute and their ``get_db_prep_save`` returns such a value
# unchanged (Django 5.2), so ``insert_rows`` skips both calls, four or five per field and row.
# Exact classes only: a subclass may convert (an encrypted CharField). Not IntegerField and
# kin: on psycopg 3 Django wraps their values in a typed ``Int4``/``Int8``.
_TEXT = (str, type(None))
_PLAIN_TYPES: dict[type["models.Field[Any, Any]"], tuple[type, ...]] = {
    models.CharField: _TEXT,
    models.TextField: _TEXT,
    models.EmailField: _TEXT,
    models.SlugField: _TEXT,
    models.URLField: _TEXT,
    models.BooleanField: (bool, type(None)),
    # The key of a related row, as the ForeignKey's attribute holds it (unwrapped by Django).
    models.AutoField: (int, type(None)),
    models.BigAutoField: (int, type(None)),
}


def _plain_types(field: "models.Field[Any, Any]") -> tuple[type, ...]:
    """The types of value ``field`` writes as they are; none for a field that converts."""
    if type(field) is models.ForeignKey:
        return _plain_types(field.target_field)
    return _PLAIN_TYPES.get(type(field), ())


@dataclass(frozen=True)
class _InsertStatement:
    fields: list["models.Field[Any, Any]"]
    # Of each field, by ``_plain_types``.
    plain_types: list[tuple[type, ...]]
    # INSERT INTO <table> (<columns>)
    insert: str
    # One row's placeholders: (%s, ...)
    placeholders: str
    returning: str
    # The positions of the fields that point at another row.
    relations: tuple[int, ...]
    # The statement taking one array per column, where the columns allow it (PostgreSQL).
    by_columns: str | None


@functools.cache
def _insert_statement(model: type[models.Model], alias: str) -> _InsertStatement:
    """The INSERT statements of ``model`` for ``insert_rows``."""
    options = model._meta
    connection = connections[alias]
    if options.auto_field is None:
        raise TypeError(f"{model.__name__} has no auto-incremented key")
    fields = [
        field
        for field in options.concrete_fields
        if not field.generated and field is not options.auto_field
    ]
    if any(field.db_default is not models.NOT_PROVIDED for field in fields):
        raise TypeError(f"{model.__name__} has database defaults")
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(field.column)) for field in fields)
    insert = f"INSERT INTO {quote(str(options.db_table))} ({columns})"
    returning = f"RETURNING {quote(str(options.pk.column))}"
    return _InsertStatement(
        fields=fields,
        plain_types=[_plain_types(field) for field in fields],
        insert=insert,
        placeholders=f"({', '.join(['%s'] * len(fields))})",
        returning=returning,
        relations=tuple(number for number, field in enumerate(fields) if field.is_relation),
        by_columns=_by_columns(fields, insert, returning, connection),
    )


def _by_columns(
    fields: Sequence["models.Field[Any, Any]"],
    insert: str,
    returning: str,
    connection: BaseDatabaseWrapper,
) -> str | None:
    """``INSERT ... SELECT * FROM UNNEST(<one array per column>)``, on PostgreSQL, for columns
    whose values fit in an array of their type (the conditions of Django's own
    ``SQLInsertCompiler.assemble_as_sql`` for PostgreSQL); None otherwise."""
    if connection.vendor != "postgresql":
        return None
    types = []
    for field in fields:
        target = cast(Any, field).target_field if field.is_relation else field
        if hasattr(field, "get_placeholder") or (
            target.get_internal_type() not in connection.data_types
        ):
            return None
        # Without its parameters (varchar[], not varchar(255)[]): nothing is cut to length.
        types.append(f"%s::{str(field.db_type(connection)).split('(')[0]}[]")
    # Only quoted names, placeholders and the columns' types go into the SQL.
    return f"{insert} SELECT * FROM UNNEST({', '.join(types)}) {returning}"  # noqa: S608
