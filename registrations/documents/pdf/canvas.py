"""A new PDF canvas, with the document's metadata and the fonts loaded."""

from typing import BinaryIO

from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas

from registrations.documents.pdf.fonts import LATIN, register_fonts


def new_canvas(
    output: BinaryIO, *, pagesize: tuple[float, float], title: str, author: str
) -> Canvas:
    """Return a canvas writing to ``output``, its pages compressed.

    ``title`` and ``author`` become the PDF's metadata (a viewer's window
    title). The fonts are embedded as subsets of the characters drawn.
    """
    register_fonts()
    # Binary streams, not ASCII85: a photo's JPEG goes in as it is, a quarter
    # smaller, without the pure-Python encoding that took most of the time
    # of a thousand badges with photos.
    rl_config.useA85 = 0
    # The initial font is one of ours: a page would otherwise name Helvetica,
    # which is not embedded, even if nothing is drawn in it.
    canvas = Canvas(output, pagesize=pagesize, pageCompression=1, initialFontName=LATIN)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setCreator("Symposium registration")
    return canvas
