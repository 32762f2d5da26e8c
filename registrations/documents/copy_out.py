"""Rows as PostgreSQL's ``COPY`` sends them: the attendee list's lines.

``COPY (SELECT ...) TO STDOUT`` in its text format: a row's fields with a tab
between them and a line break after them, each field escaped (``unescaped``).
The attendee list's CSV lines come this way (``csv_lines``) rather than
through a cursor, whose query PostgreSQL never shares among parallel workers.
"""

import re
import tempfile
from collections.abc import Iterator

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import QuerySet

# How ``COPY`` writes a text field: a backslash before a backslash and
# before a letter for each of six control characters; NULL as ``\N``.
ESCAPED = re.compile(rb"\\(.)", re.DOTALL)
UNESCAPED = {
    b"\\": b"\\",
    b"b": b"\b",
    b"f": b"\f",
    b"n": b"\n",
    b"r": b"\r",
    b"t": b"\t",
    b"v": b"\v",
}
COPY_NULL = b"\\N"
# Bytes of the temporary file read at a time.
READ_BYTES = 1024 * 1024


def unescaped(field: bytes) -> bytes | None:
    """Return a field of a row ``COPY`` wrote, as the database holds it."""
    if field == COPY_NULL:
        return None
    return ESCAPED.sub(lambda found: UNESCAPED[found[1]], field)


def fields(row: bytes) -> list[bytes | None]:
    """Return the fields of a row ``COPY`` wrote, as the database holds them.

    Most rows hold no backslash, and so nothing to unescape.
    """
    found = row.split(b"\t")
    if b"\\" not in row:
        return found
    return [unescaped(field) for field in found]


def copied(rows: QuerySet) -> Iterator[list[bytes]]:
    """Yield the rows of ``rows`` (a ``values_list``) in chunks, as COPY sends them.

    Each row is its fields in ``COPY``'s text format, tab between them. The
    database writes them all into a temporary file first, in a transaction
    of its own, so that none stays open while the file is downloaded (the
    download starts once the rows are sorted in any case), and without the
    JIT compiler, which would spend longer compiling these expressions than
    they take to run. Unlike a cursor's query, ``COPY``'s can run in
    parallel. The file has no name, only this process can read it, and it is
    gone when closed: at the end of the download, however it ends.
    """
    connection = connections[rows.db]
    try:
        sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    except EmptyResultSet:
        return
    with tempfile.TemporaryFile() as written:
        with transaction.atomic(using=rows.db, savepoint=False):
            with connection.cursor() as cursor:
                query = cursor.mogrify(sql, params).decode()
                cursor.execute("SET LOCAL jit = off")
                cursor.copy_expert(f"COPY ({query}) TO STDOUT", written)
                cursor.execute("SET LOCAL jit TO DEFAULT")
        written.seek(0)
        # Within a field COPY writes a line break as "\n": each one in the
        # file ends a row.
        rest = b""
        while block := written.read(READ_BYTES):
            rows_read = (rest + block).split(b"\n")
            rest = rows_read.pop()
            yield rows_read
        if rest:
            raise ValueError("COPY's last row was not ended by a line break.")
