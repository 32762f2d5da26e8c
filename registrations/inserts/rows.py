"""One model's new rows in one statement: ``insert``, and the values it writes."""

import functools
import threading
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from django.db import connections, router, transaction
from django.db.models import (
    BooleanField,
    CharField,
    Field,
    ForeignKey,
    JSONField,
    Model,
    TextField,
    signals,
)


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
    pending = getattr(block, "pending", None)
    if pending is not None:
        savepoints = block.connection.savepoint_ids[block.savepoints :]
        if any(savepoints):
            # Its rows would be written after the savepoint, and outlive its
            # rollback.
            raise RuntimeError("insert() in a savepoint inside in_one_statement")
        pending.append(Pending(list(instances), without_signals))
        return
    using = router.db_for_write(model, instance=instances[0])
    connection = connections[using]
    statement = writing_statement(model, using, len(instances), without_signals)
    values = None
    if statement is not None:
        values = _values(statement, instances, connection)
    if values is None:
        # All or none, as bulk_create() writes them.
        with transaction.atomic(using=using, savepoint=False):
            for instance in instances:
                _settle_keys(instance)
                instance.save(force_insert=True, using=using)
        return
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, values)
        keys = [key for (key,) in cursor.fetchall()] if statement.returns_keys else None
    mark_written(instances, keys, using)


def mark_written(instances: Sequence[Model], keys: list | None, using: str) -> None:
    """Give the instances written their keys, if the database gave them, and state."""
    if keys is not None:
        pk = instances[0]._meta.pk.attname
        for instance, key in zip(instances, keys, strict=True):
            setattr(instance, pk, key)
    for instance in instances:
        _settle_keys(instance)
        instance._state.adding = False
        instance._state.db = using


def _settle_keys(instance: Model) -> None:
    """Put in the instance the keys of the rows it points to, once they have them.

    Those of its foreign keys to rows of the same statement, and those its
    JSON values' ``Key`` placeholders name.
    """
    relations, json_fields = _pointing_fields(type(instance))
    for field in relations:
        if field.is_cached(instance):
            related = field.get_cached_value(instance)
            if related is not None and getattr(instance, field.attname) is None:
                # The key alone, as the attribute's own setter stores it but
                # for dropping the related instance it names from the cache.
                instance.__dict__[field.attname] = related.pk
    for field in json_fields:
        value = getattr(instance, field.attname)
        if isinstance(value, dict | list | Key):
            keys = list(_keys_in(value, ()))
            if keys:
                setattr(instance, field.attname, _json_with_keys(value, keys, {})[0])


@functools.lru_cache(maxsize=64)
def _pointing_fields(model: type[Model]) -> tuple[list[Field], list[Field]]:
    """Return the fields of ``model`` that may point to other rows: relations, JSON."""
    fields = model._meta.concrete_fields
    return (
        [field for field in fields if field.is_relation],
        [field for field in fields if isinstance(field, JSONField)],
    )


class Statement(NamedTuple):
    sql: str
    fields: list[Field]
    # For each field, the type of the values save() would write as they are
    # (``written_as_is``), or None.
    as_is: tuple[type | None, ...]
    # The database makes the keys, and the statement returns them; otherwise
    # each row's key is the one its instance has.
    returns_keys: bool
    # "INSERT INTO table (columns)" and "(%s, ...)", for a statement of
    # several models' rows.
    head: str
    row: str


@functools.lru_cache(maxsize=64)
def insert_statement(model: type[Model], using: str, rows: int) -> Statement | None:
    """Return the INSERT of ``rows`` new rows of ``model``; None if only save() can."""
    connection = connections[using]
    meta = model._meta
    returns_keys = meta.auto_field is not None
    # A generated column the database writes itself; the instance reads it
    # back only if asked for it.
    fields = [
        field
        for field in meta.local_concrete_fields
        if field is not meta.auto_field and not field.generated
    ]
    returned = [field for field in meta.db_returning_fields if not field.generated]
    if (
        not fields
        or meta.parents
        or returned != ([meta.auto_field] if returns_keys else [])
        or any(hasattr(field, "get_placeholder") for field in fields)
        or (returns_keys and not connection.features.can_return_rows_from_bulk_insert)
    ):
        return None
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({})".format(
        quote(meta.db_table), ", ".join(quote(field.column) for field in fields)
    )
    row = "({})".format(", ".join(["%s"] * len(fields)))
    returning = ""
    if returns_keys:
        returning, _ = connection.ops.return_insert_columns([meta.auto_field])
    sql = f"{head} VALUES {', '.join([row] * rows)} {returning}".rstrip()
    as_is = tuple(written_as_is(field) for field in fields)
    return Statement(sql, fields, as_is, returns_keys, head, row)


def written_as_is(field: Field) -> type | None:
    """Return the type of the values ``save()`` writes in ``field`` as they are.

    A text's string, a flag's bool, an empty foreign key's None: preparing
    them only checks their type, on every database. None for any other field,
    and for any field class that prepares its values in a way of its own.
    """
    kind = type(field)
    if kind.pre_save is not Field.pre_save:
        return None
    if isinstance(field, ForeignKey):
        prepared_as_django_does = kind.get_db_prep_save is ForeignKey.get_db_prep_save
        return type(None) if prepared_as_django_does else None
    if (
        kind.get_db_prep_save is not Field.get_db_prep_save
        or kind.get_db_prep_value is not Field.get_db_prep_value
    ):
        return None
    if (kind.get_prep_value, kind.to_python) in (
        (CharField.get_prep_value, CharField.to_python),
        (TextField.get_prep_value, TextField.to_python),
    ):
        return str
    if (kind.get_prep_value, kind.to_python) == (
        BooleanField.get_prep_value,
        BooleanField.to_python,
    ):
        return bool
    return None


def writing_statement(
    model: type[Model], using: str, rows: int, without_signals: bool
) -> Statement | None:
    """Return the INSERT that ``insert`` writes these rows with; None if save() must.

    ``save()`` must when only it can build the statement, or when receivers
    the caller has not done the work of are to run.
    """
    if not without_signals and _has_receivers(model):
        return None
    return insert_statement(model, using, rows)


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
        row = row_values(statement, instance, connection, {})
        if row is None:
            return None
        values += row[0]
    return values


class Key:
    """The key of ``instance``, inside a JSON value of a row inserted after it.

    ``insert`` writes the key in its place; in ``in_one_statement``, where the
    instance has no key yet, the database does.
    """

    def __init__(self, instance: Model):
        self.instance = instance


def row_values(
    statement: Statement,
    instance: Model,
    connection,
    references: dict[int, str | None],
) -> tuple[list, dict[int, str]] | None:
    """Return one row's values as ``save()`` prepares them, and its references.

    ``references`` gives, for the instances written earlier in the same
    statement (by ``id()``), the SQL of the key the database gives each, or
    None if the statement cannot name it (one of several rows). The row's
    own references come back as {position of the value: its SQL}: the key of
    a related instance among them, and a JSON value with a ``Key`` of one (a
    ``jsonb_set`` of the value for each). None if only ``save()`` writes the
    row, or only ``insert`` after the rows it points to.
    """
    if (instance.pk is not None) is statement.returns_keys:
        return None
    pending = {}
    for field in _pointing_fields(type(instance))[0] if references else ():
        if field.is_cached(instance):
            related = field.get_cached_value(instance)
            if related is not None and id(related) in references:
                if (
                    references[id(related)] is None
                    or not field.target_field.primary_key
                ):
                    return None
                pending[field.attname] = field, related
    # As save() and bulk_create() do: no unsaved related object, but for
    # those the same statement writes first.
    for field, _ in pending.values():
        field.delete_cached_value(instance)
    try:
        instance._prepare_related_fields_for_save(operation_name="insert")
    finally:
        for field, related in pending.values():
            field.set_cached_value(instance, related)
    values, placed = [], {}
    for position, field in enumerate(statement.fields):
        if pending and field.attname in pending:
            placed[position] = references[id(pending[field.attname][1])]
            values.append(None)
            continue
        as_is = statement.as_is[position]
        if as_is is not None:
            value = getattr(instance, field.attname)
            if type(value) is as_is:
                values.append(value)
                continue
        value = field.pre_save(instance, add=True)
        if hasattr(value, "resolve_expression"):
            return None
        if isinstance(field, JSONField):
            keys = list(_keys_in(value, ()))
            if keys:
                placing = _json_with_keys(value, keys, references)
                if placing is None:
                    return None
                value, sql = placing
                if sql:
                    placed[position] = sql
        values.append(field.get_db_prep_save(value, connection))
    return values, placed


def _keys_in(value: Any, path: tuple) -> Iterator[tuple[tuple, Key]]:
    """Yield the path and the ``Key`` of each key to be placed in a JSON value."""
    if isinstance(value, Key):
        yield path, value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _keys_in(item, (*path, name))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _keys_in(item, (*path, index))


def _json_with_keys(
    value: Any, keys: list[tuple[tuple, Key]], references: dict[int, str | None]
) -> tuple[Any, str] | None:
    """Return the JSON value with the keys known in place, and the SQL of the rest.

    The SQL sets each key the database is to give in the value that its
    placeholder (``%s``) holds; "" if every key is known. None if the
    statement cannot place one (not a path of names and indexes inside the
    value, or a row it cannot name). A key neither known nor given in the
    statement (an unsaved instance's) is refused.
    """
    sql = ""
    for path, key in keys:
        if key.instance.pk is not None:
            value = _placed(value, path, key.instance.pk)
        elif id(key.instance) in references:
            reference = references[id(key.instance)]
            if reference is None or not path or not all(_is_step(s) for s in path):
                return None
            value = _placed(value, path, None)
            steps = ",".join(str(step) for step in path)
            sql = (
                f"jsonb_set({sql or '%s::jsonb'}, '{{{steps}}}', to_jsonb({reference}))"
            )
        else:
            raise ValueError(
                "insert() prohibited to prevent data loss due to an unsaved "
                f"{type(key.instance).__name__} whose key a JSON value holds."
            )
    return value, sql


def _is_step(step) -> bool:
    """Tell whether ``step`` can be written as is in a jsonb path: '{args,0}'."""
    return type(step) is int or (step.isidentifier() and step.lower() != "null")


def _placed(value: Any, path: tuple, item: Any) -> Any:
    """Return a copy of the JSON ``value`` with ``item`` at ``path``."""
    if not path:
        return item
    step, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, step: _placed(value[step], rest, item)}
    copied = list(value)
    copied[step] = _placed(value[step], rest, item)
    return copied


def _has_receivers(model: type[Model]) -> bool:
    return signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(
        model
    )


class Pending(NamedTuple):
    instances: list[Model]
    without_signals: bool


# The rows given to ``insert`` in this thread's ``in_one_statement`` block.
block = threading.local()
