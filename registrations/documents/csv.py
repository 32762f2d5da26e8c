"""The attendee list as a CSV file that opens cleanly in Excel.

The file is UTF-8 with a byte-order mark (without it Excel on Japanese Windows
reads UTF-8 as Shift_JIS and garbles every name), comma-separated and quoted
as RFC 4180 says, with CRLF line ends.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence

BYTE_ORDER_MARK = "\ufeff"
# Characters handed to the web server at a time: large enough to keep the
# overhead per row low, small enough that memory does not depend on the row
# count.
CHUNK_CHARACTERS = 64 * 1024


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[bytes]:
    """Yield a CSV file in pieces: the byte-order mark, the header, the rows.

    Each piece is whole UTF-8 text of about ``CHUNK_CHARACTERS`` characters,
    so that the web server writes a few large pieces rather than a small one
    per row.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BYTE_ORDER_MARK)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() >= CHUNK_CHARACTERS:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()
