"""New rows written with less of the web process's work than ``Model.save()``.

A registration sent through the open form writes its rows (the registration,
its sessions, its history, its email) on the site's busiest write. For each,
``save()`` builds an INSERT query and compiles it field by field, which costs
the web process more than the database's own work costs the database.
``insert`` writes the same rows with one statement per model and number of
rows, kept once made. Each value is prepared by its field as ``save()``
prepares it (``pre_save``, so ``auto_now`` and the like, then
``get_db_prep_save``), and each instance gets its new primary key, as
``save()`` gives it.

Whatever ``save()`` would do beyond that is not skipped: instances of a model
with ``pre_save`` or ``post_save`` receivers, with a parent model, with a field
the database fills in (``db_default``, a generated field) or whose value is an
expression are saved by the ORM, as are those of a database that cannot return
the new keys.
"""

import functools
from collections.abc import Sequence
from typing import NamedTuple

from django.db import connections, router, transaction
from django.db.models import Field, Model, signals


def insert(instances: Sequence[Model]) -> None:
    """Insert ``instances``, new and of one model: all of them or none.

    In one statement, or, when only ``save()`` can, one ``save()`` each in a
    transaction. Call it inside the caller's transaction when the rows belong
    with others.
    """
    if not instances:
        return
    model = type(instances[0])
    if any(type(instance) is not model for instance in instances):
        raise TypeError(f"insert() takes instances of one model: {model.__name__}")
    using = router.db_for_write(model, instance=instances[0])
    connection = connections[using]
    statement = _statement(model, using, len(instances))
    values = None
    if statement is not None and not _has_receivers(model):
        values = _values(statement.fields, instances, connection)
    if values is None:
        # All or none, as bulk_create() writes them.
        with transaction.atomic(using=using, savepoint=False):
            for instance in instances:
                instance.save(force_insert=True, using=using)
        return
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, values)
        keys = cursor.fetchall()
    pk = model._meta.pk.attname
    for instance, (key,) in zip(instances, keys, strict=True):
        setattr(instance, pk, key)
        instance._state.adding = False
        instance._state.db = using


class Statement(NamedTuple):
    sql: str
    fields: list[Field]


@functools.lru_cache(maxsize=64)
def _statement(model: type[Model], using: str, rows: int) -> Statement | None:
    """Return the INSERT of ``rows`` new rows of ``model``; None if only save() can."""
    connection = connections[using]
    meta = model._meta
    fields = [
        field for field in meta.local_concrete_fields if field is not meta.auto_field
    ]
    if (
        not fields
        or meta.parents
        or meta.auto_field is None
        or meta.db_returning_fields != [meta.auto_field]
        or any(field.generated or hasattr(field, "get_placeholder") for field in fields)
        or not connection.features.can_return_rows_from_bulk_insert
    ):
        return None
    quote = connection.ops.quote_name
    row = "({})".format(", ".join(["%s"] * len(fields)))
    returning, _ = connection.ops.return_insert_columns([meta.auto_field])
    sql = "INSERT INTO {} ({}) VALUES {} {}".format(
        quote(meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join([row] * rows),
        returning,
    )
    return Statement(sql, fields)


def _values(fields: list[Field], instances: Sequence[Model], connection) -> list | None:
    """Return the rows' values as ``save()`` prepares them; None if only it can.

    Only ``save()`` inserts an instance that has its key already, or a value
    that is an expression for the database to compute.
    """
    values = []
    for instance in instances:
        if instance.pk is not None:
            return None
        # As save() and bulk_create() do: no unsaved related object.
        instance._prepare_related_fields_for_save(operation_name="insert")
        for field in fields:
            value = field.pre_save(instance, add=True)
            if hasattr(value, "resolve_expression"):
                return None
            values.append(field.get_db_prep_save(value, connection))
    return values


def _has_receivers(model: type[Model]) -> bool:
    return signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(
        model
    )
