"""What documents draw besides text: QR codes, crop marks, photos."""

import functools

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
    x: float,
    y: float,
    width: float,
    height: float,
    length: float = 5 * mm,
    gap: float = 2 * mm,
) -> None:
    """Draw the marks to cut a ``width`` by ``height`` piece at ``(x, y)`` out.

    Two short hairlines at each corner, outside the piece and ``gap`` away
    from it, along the lines to cut.
    """
    canvas.saveState()
    canvas.setStrokeColor(black)
    canvas.setLineWidth(0.25)
    for corner_x, outward_x in ((x, -1), (x + width, 1)):
        for corner_y, outward_y in ((y, -1), (y + height, 1)):
            canvas.line(
                corner_x + outward_x * gap,
                corner_y,
                corner_x + outward_x * (gap + length),
                corner_y,
            )
            canvas.line(
                corner_x,
                corner_y + outward_y * gap,
                corner_x,
                corner_y + outward_y * (gap + length),
            )
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
