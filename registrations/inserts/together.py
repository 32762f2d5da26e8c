"""Several models' new rows in one statement: ``in_one_statement``."""

import contextlib
import hashlib
import itertools
import re
from collections.abc import Iterator

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router, transaction

from registrations.inserts.rows import (
    Pending,
    block,
    insert,
    mark_written,
    row_values,
    writing_statement,
)


@contextlib.contextmanager
def in_one_statement(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Write the rows ``insert`` is given in the block at its end, in one statement.

    A block of ``transaction.atomic()`` otherwise: all or none, a savepoint
    inside the caller's transaction, the ``on_commit`` callbacks after the
    commit. Until the block ends, its rows are not written and have no keys:
    a row may point to an earlier one (a foreign key to it, or its ``Key`` in
    a JSON value), but a statement run in the block cannot see them. Outside
    any transaction, the statement is one of its own, with no BEGIN and COMMIT
    of the connection's. Where one statement cannot write them (a database
    other than PostgreSQL, a row only ``save()`` writes), they are written one
    model at a time by ``insert``, in the order given. Each row's values are
    read when the block ends. Blocks do not nest, and ``insert`` is refused
    inside a savepoint of the block's (an ``atomic()`` in it), whose rollback
    its rows would outlive.
    """
    if getattr(block, "pending", None) is not None:
        raise RuntimeError("in_one_statement blocks do not nest")
    connection = connections[using]
    alone = not connection.in_atomic_block
    try:
        with transaction.atomic(using=using):
            pending = block.pending = []
            block.connection = connection
            block.savepoints = len(connection.savepoint_ids)
            try:
                yield
            finally:
                block.pending = None
            if pending and not connection.needs_rollback:
                _write_pending(pending, using, alone=alone)
    finally:
        block.pending = None


def _write_pending(pending: list[Pending], using: str, *, alone: bool) -> None:
    connection = connections[using]
    together = _together(pending, using)
    if together is None:
        for rows in pending:
            insert(rows.instances, without_signals=rows.without_signals)
        return
    sql, values, keyed = together
    connection.ensure_connection()
    driver = connection.connection
    # Nothing has run in the block's transaction yet: the statement can be
    # its own, and the block's COMMIT has nothing left to do.
    alone = alone and driver.info.transaction_status == 0
    if alone:
        driver.autocommit = True
    try:
        with connection.cursor() as cursor:
            if alone:
                execute_prepared(connection, cursor, sql, values)
            else:
                cursor.execute(sql, values)
            keys = cursor.fetchone()
    finally:
        if alone and not driver.closed:
            driver.autocommit = False
    given = iter(keys)
    for rows in pending:
        mark_written(rows.instances, _keys_of(rows, keyed, given), using)


# At most this many statements prepared on one connection: one path writes
# rows of a few shapes (a registration with each number of sessions chosen).
PREPARED_PER_CONNECTION = 32
PLACEHOLDER = re.compile(r"%([s%])")
# PostgreSQL's codes: no statement prepared under the name; one prepared
# already; a prepared statement whose tables changed under it (a migration
# while the connection stayed open: "cached plan must not change result type").
NOT_PREPARED = "26000"
PREPARED_ALREADY = "42P05"
PLAN_CHANGED = "0A000"


def execute_prepared(connection, cursor, sql: str, values: list) -> None:
    """Run ``sql`` as a statement prepared once on the connection.

    PostgreSQL then parses and plans the statement once per connection, not
    on every request: of the database's work on a submission, a third. The
    PREPARE goes through the driver, and is not among the queries Django
    counts; EXECUTE is the one statement of the block. Only outside any
    transaction: a statement gone from the connection (after ``DISCARD
    ALL``, or on another server connection of a pooler's), or whose tables
    changed since, fails without a transaction to abort, and runs as written.
    """
    name = _prepared_name(connection, sql)
    if name is None:
        cursor.execute(sql, values)
        return
    arguments = f"({', '.join(['%s'] * len(values))})" if values else ""
    try:
        cursor.execute(f"EXECUTE {name}{arguments}", values)
    except DatabaseError as error:
        code = _code_of(error)
        if code not in (NOT_PREPARED, PLAN_CHANGED):
            raise
        if code == PLAN_CHANGED:
            _run_unseen(connection, f"DEALLOCATE {name}")
        # Prepared again the next time.
        _names_prepared_on(connection).pop(sql, None)
        cursor.execute(sql, values)


def _prepared_name(connection, sql: str) -> str | None:
    """Return the name ``sql`` is prepared under on the connection, preparing it.

    The name is made from the statement's text: on every connection, one
    name is one statement. None once the connection has its share of
    prepared statements.
    """
    names = _names_prepared_on(connection)
    name = names.get(sql)
    if name is None and len(names) < PREPARED_PER_CONNECTION:
        name = "rows_" + hashlib.blake2b(sql.encode(), digest_size=12).hexdigest()
        numbers = itertools.count(1)
        numbered = PLACEHOLDER.sub(
            lambda found: f"${next(numbers)}" if found[1] == "s" else "%", sql
        )
        try:
            _run_unseen(connection, f"PREPARE {name} AS {numbered}")
        except DatabaseError as error:
            # Prepared on this server connection before, by this statement.
            if _code_of(error) != PREPARED_ALREADY:
                raise
        names[sql] = name
    return name


def _names_prepared_on(connection) -> dict[str, str]:
    """Return {SQL: name} of the statements prepared on the connection's driver."""
    driver = connection.connection
    prepared = connection.__dict__.get("prepared_statements")
    if prepared is None or prepared[0] is not driver:
        # A new connection has none.
        prepared = connection.prepared_statements = (driver, {})
    return prepared[1]


def _run_unseen(connection, sql: str) -> None:
    """Run ``sql`` through the driver: not among the queries Django counts."""
    with connection.wrap_database_errors, connection.connection.cursor() as cursor:
        cursor.execute(sql)


def _code_of(error: DatabaseError) -> str | None:
    """Return PostgreSQL's code of the error the driver raised."""
    return getattr(error.__cause__, "pgcode", None)


def _keys_of(rows: Pending, keyed: set[int], given: Iterator) -> list | None:
    return next(given) if id(rows) in keyed else None


def _together(pending: list[Pending], using: str) -> tuple[str, list, set[int]] | None:
    """Return the one statement that writes the pending rows, its values and keys.

    A ``WITH`` of one INSERT for each model's rows; the keys the database
    gives come back as one array for each INSERT that returns them (the ids of
    those ``Pending``). None if one statement cannot write them all.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    quote = connection.ops.quote_name
    references: dict[int, str | None] = {}
    inserts, values, keyed, returned = [], [], set(), []
    for number, rows in enumerate(pending):
        model = type(rows.instances[0])
        if router.db_for_write(model, instance=rows.instances[0]) != using:
            return None
        statement = writing_statement(
            model, using, len(rows.instances), rows.without_signals
        )
        if statement is None:
            return None
        name = quote(f"rows_{number}")
        written = []
        for instance in rows.instances:
            row = row_values(statement, instance, connection, references)
            if row is None:
                return None
            prepared, placed = row
            if not placed:
                written.append(statement.row)
                values += prepared
                continue
            written.append(
                "({})".format(
                    ", ".join(
                        placed.get(position, "%s") for position in range(len(prepared))
                    )
                )
            )
            values += [
                value
                for position, value in enumerate(prepared)
                if position not in placed or "%s" in placed[position]
            ]
        returning = ""
        if statement.returns_keys:
            pk = quote(model._meta.pk.column)
            returning = f" RETURNING {pk}"
            keyed.add(id(rows))
            returned.append(f"ARRAY(SELECT {pk} FROM {name})")
            # The rows after these may point to the key the database gives one
            # row; to one of several, insert() writes them after this statement.
            key = f"(SELECT {pk} FROM {name})" if len(rows.instances) == 1 else None
            for instance in rows.instances:
                references[id(instance)] = key
        inserts.append(
            f"{name} AS ({statement.head} VALUES {', '.join(written)}{returning})"
        )
    sql = "WITH {} SELECT {}".format(", ".join(inserts), ", ".join(returned) or "1")
    return sql, values, keyed
