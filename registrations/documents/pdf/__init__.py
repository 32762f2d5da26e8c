"""The foundation every PDF document shares: badges, visa letters, the list of
participants.

- ``fonts``: the fonts, embedded in every PDF, found in installed packages
  (IPAexGothic from ``matplotlib-fontja`` for Japanese, DejaVu Sans from
  ``matplotlib`` for Latin with any diacritics, Greek and Cyrillic), and the
  typefaces (``REGULAR``, ``BOLD``) that fall back from one to the other
  character by character.
- ``text``: text measured and drawn as runs, each in the first font of its
  typeface that has the characters; ``fit_text`` shrinks a text to its box
  down to a legible minimum, then wraps it, and never cuts anything off.
- ``shapes``: a QR code, crop marks, a photo fitted into a frame.
- ``new_canvas``: a ReportLab canvas with the document's title and author set.

A document draws with these and nothing else, so that a name typed in any
script the fonts cover comes out the same on a badge, a letter and the list.
Units are PDF points (1/72 inch); ``mm`` converts.
"""

from reportlab.lib.units import mm

from registrations.documents.pdf.canvas import new_canvas
from registrations.documents.pdf.fonts import (
    BOLD,
    REGULAR,
    Typeface,
    missing_characters,
    register_fonts,
)
from registrations.documents.pdf.shapes import draw_crop_marks, draw_photo, draw_qr
from registrations.documents.pdf.text import (
    FittedText,
    TextStyle,
    draw_runs,
    fit_text,
    text_width,
)

__all__ = [
    "BOLD",
    "REGULAR",
    "FittedText",
    "TextStyle",
    "Typeface",
    "draw_crop_marks",
    "draw_photo",
    "draw_qr",
    "draw_runs",
    "fit_text",
    "missing_characters",
    "mm",
    "new_canvas",
    "register_fonts",
    "text_width",
]
