"""What documents draw besides text: QR codes, crop marks, photos."""

import functools
from collections.abc import Sequence

import segno
from reportlab.lib.colors import black, white
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

# The light margin a reader needs around a QR code, in modules (ISO 18004
# asks for four; phones and door scanners read two reliably on white paper).
QR_QUIET_ZONE = 2


@functools.lru_cache(maxsize=4)
def _qr_rows(data: str, error: str) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Return each row of the code's dark modules as (start, length) runs."""
    code = segno.make(data, error=error, micro=False)
    rows = []
    for row in code.matrix:
        spans, start = [], None
        for column, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                spans.append((start, column - start))
                start = None
        rows.append(tuple(spans))
    return tuple(rows)


def draw_qr(
    canvas: Canvas, data: str, *, x: float, y: float, size: float, error: str = "m"
) -> None:
    """Draw a QR code of ``data`` as a square ``size`` wide, lower-left at ``(x, y)``.

    The square includes a white quiet zone. ``error`` is the correction level
    (``l``, ``m``, ``q``, ``h``): ``m`` survives a scratch or a fold and keeps
    the modules large. The code is drawn as vector rectangles, one per run of
    dark modules, so it prints sharp at any resolution.
    """
    rows = _qr_rows(data, error)
    modules = len(rows) + 2 * QR_QUIET_ZONE
    module = size / modules
    canvas.saveState()
    canvas.setFillColor(white)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColor(black)
    path = canvas.beginPath()
    for number, spans in enumerate(rows):
        row_y = y + size - (number + QR_QUIET_ZONE + 1) * module
        for start, length in spans:
            path.rect(
                x + (start + QR_QUIET_ZONE) * module, row_y, length * module, module
            )
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def draw_crop_marks(
    canvas: Canvas,
    *,
    columns: Sequence[float],
    rows: Sequence[float],
    length: float = 5 * mm,
    gap: float = 2 * mm,
) -> None:
    """Draw the marks for cutting a sheet along ``columns`` (x) and ``rows`` (y).

    The pieces lie edge to edge between the first and last of each; every
    cut line gets a short hairline in the margin at both of its ends,
    ``gap`` away from the pieces, so that no mark falls on a piece. One
    piece is ``columns=(x, x + width), rows=(y, y + height)``.
    """
    left, right = min(columns), max(columns)
    bottom, top = min(rows), max(rows)
    canvas.saveState()
    canvas.setStrokeColor(black)
    canvas.setLineWidth(0.25)
    for x in columns:
        canvas.line(x, top + gap, x, top + gap + length)
        canvas.line(x, bottom - gap, x, bottom - gap - length)
    for y in rows:
        canvas.line(left - gap, y, left - gap - length, y)
        canvas.line(right + gap, y, right + gap + length, y)
    canvas.restoreState()


def draw_photo(
    canvas: Canvas,
    image: ImageReader,
    *,
    x: float,
    y: float,
    width: float,
    height: float,
) -> None:
    """Draw ``image`` as large as fits the frame, centred, its proportions kept."""
    image_width, image_height = image.getSize()
    scale = min(width / image_width, height / image_height)
    drawn_width, drawn_height = image_width * scale, image_height * scale
    canvas.drawImage(
        image,
        x + (width - drawn_width) / 2,
        y + (height - drawn_height) / 2,
        drawn_width,
        drawn_height,
    )
