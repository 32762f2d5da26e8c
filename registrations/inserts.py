"""New rows written with less of the web process's work than ``Model.save()``.

A registration sent through the open form writes its rows (the registration,
its sessions, its history, its email) on the site's busiest write. For each,
``save()`` builds an INSERT query and compiles it field by field, which costs
the web process more than the database's own work costs the database.
``insert`` writes the same rows with one statement per model and number of
rows, kept once made. Each value is prepared by its field as ``save()``
prepares it (``pre_save``, so ``auto_now`` and the like, then
``get_db_prep_save``), and each instance gets its new primary key, as
``save()`` gives it: the database's, or, for a model whose key Python gives
(a UUID's default, say), the one it has.

Whatever ``save()`` would do beyond that is not skipped: instances of a model
with ``pre_save`` or ``post_save`` receivers (unless the caller has done their
work: ``without_signals``), with a parent model, with a field the database
fills in (``db_default``, a generated field) or whose value is an expression
are saved by the ORM, as are those of a database that cannot return the new
keys.
"""

import functools
from collections.abc import Sequence
from typing import NamedTuple

from django.db import connections, router, transaction
from django.db.models import Field, Model, signals


def insert(instances: Sequence[Model], *, without_signals: bool = False) -> None:
    """Insert ``instances``, new and of one model: all of them or none.

    In one statement, or, when only ``save()`` can, one ``save()`` each in a
    transaction. Call it inside the caller's transaction when the rows belong
    with others. ``without_signals``: the caller has done what the model's
    ``pre_save`` receivers would do to these rows (another application's
    model, whose receiver fills in a default), and no ``post_save`` receiver
    need run for them; only rows that ``save()`` must write still meet both.
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
    if statement is not None and (without_signals or not _has_receivers(model)):
        values = _values(statement, instances, connection)
    if values is None:
        # All or none, as bulk_create() writes them.
        with transaction.atomic(using=using, savepoint=False):
            for instance in instances:
                instance.save(force_insert=True, using=using)
        return
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, values)
        if statement.returns_keys:
            pk = model._meta.pk.attname
            for instance, (key,) in zip(instances, cursor.fetchall(), strict=True):
                setattr(instance, pk, key)
    for instance in instances:
        instance._state.adding = False
        instance._state.db = using


class Statement(NamedTuple):
    sql: str
    fields: list[Field]
    # The database makes the keys, and the statement returns them; otherwise
    # each row's key is the one its instance has.
    returns_keys: bool


@functools.lru_cache(maxsize=64)
def _statement(model: type[Model], using: str, rows: int) -> Statement | None:
    """Return the INSERT of ``rows`` new rows of ``model``; None if only save() can."""
    connection = connections[using]
    meta = model._meta
    returns_keys = meta.auto_field is not None
    fields = [
        field for field in meta.local_concrete_fields if field is not meta.auto_field
    ]
    if (
        not fields
        or meta.parents
        or meta.db_returning_fields != ([meta.auto_field] if returns_keys else [])
        or any(field.generated or hasattr(field, "get_placeholder") for field in fields)
        or (returns_keys and not connection.features.can_return_rows_from_bulk_insert)
    ):
        return None
    quote = connection.ops.quote_name
    row = "({})".format(", ".join(["%s"] * len(fields)))
    returning = ""
    if returns_keys:
        returning, _ = connection.ops.return_insert_columns([meta.auto_field])
    sql = "INSERT INTO {} ({}) VALUES {} {}".format(
        quote(meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join([row] * rows),
        returning,
    ).rstrip()
    return Statement(sql, fields, returns_keys)


def _values(
    statement: Statement, instances: Sequence[Model], connection
) -> list | None:
    """Return the rows' values as ``save()`` prepares them; None if only it can.

    Only ``save()`` inserts an instance that has its key already when the
    database makes the keys, one that has none when Python gives them, or a
    value that is an expression for the database to compute.
    """
    values = []
    for instance in instances:
        if (instance.pk is not None) is statement.returns_keys:
            return None
        # As save() and bulk_create() do: no unsaved related object.
        instance._prepare_related_fields_for_save(operation_name="insert")
        for field in statement.fields:
            value = field.pre_save(instance, add=True)
            if hasattr(value, "resolve_expression"):
                return None
            values.append(field.get_db_prep_save(value, connection))
    return values


def _has_receivers(model: type[Model]) -> bool:
    return signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(
        model
    )
