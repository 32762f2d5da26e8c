"""The attendee list as a CSV file that opens cleanly in Excel.

The file is UTF-8 with a byte-order mark (without it Excel on Japanese Windows
reads UTF-8 as Shift_JIS and garbles every name), comma-separated with every
field quoted as RFC 4180 says, with CRLF line ends. Moments are written in Tokyo time as
ISO 8601 text ("2027-01-20T09:30:00+09:00"), and every cell is neutralised.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from registrations.documents.columns import EXPORT_TIMEZONE, Cell, neutralise

CONTENT_TYPE = "text/csv; charset=utf-8"
EXTENSION = "csv"
BYTE_ORDER_MARK = "\ufeff"
# Characters handed to the web server at a time: large enough to keep the
# overhead per row low, small enough that memory does not depend on the row
# count.
CHUNK_CHARACTERS = 64 * 1024


def text_cell(value: Cell) -> str:
    """Return a cell as the text the file holds."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(EXPORT_TIMEZONE).isoformat(timespec="seconds")
    return neutralise(str(value))


def render(
    header: Sequence[str], rows: Iterable[Sequence[Cell]], **layout
) -> Iterator[bytes]:
    """Yield the file of ``rows`` under ``header``, in pieces.

    ``layout`` (the columns' widths, a sheet's name) means nothing to a CSV file.
    """
    return csv_bytes(header, ([text_cell(value) for value in row] for row in rows))


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[bytes]:
    """Yield a CSV file in pieces: the byte-order mark, the header, the rows.

    Each piece is whole UTF-8 text of about ``CHUNK_CHARACTERS`` characters,
    so that the web server writes a few large pieces rather than a small one
    per row.
    """
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    return pieces(buffer, header, map(writer.writerow, rows))


def lines_bytes(header: Sequence[str], lines: Iterable[bytes]) -> Iterator[bytes]:
    """Yield a CSV file of lines already written in UTF-8 (quoted, with CRLF).

    In pieces of about ``CHUNK_CHARACTERS`` bytes, as ``csv_bytes`` does.
    """
    buffer = io.StringIO()
    buffer.write(BYTE_ORDER_MARK)
    csv_writer(buffer).writerow(header)
    pending, size = [buffer.getvalue().encode()], 0
    for line in lines:
        pending.append(line)
        size += len(line)
        if size >= CHUNK_CHARACTERS:
            yield b"".join(pending)
            pending, size = [], 0
    yield b"".join(pending)


def csv_writer(buffer: io.StringIO):
    # Every field in quotes: a semicolon or tab inside one is then never taken
    # for a separator by an import that splits on it.
    return csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)


def pieces(
    buffer: io.StringIO, header: Sequence[str], written: Iterable
) -> Iterator[bytes]:
    """Yield ``buffer`` in pieces as each of ``written`` writes a row into it."""
    buffer.write(BYTE_ORDER_MARK)
    csv_writer(buffer).writerow(header)
    for _ in written:
        if buffer.tell() >= CHUNK_CHARACTERS:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
