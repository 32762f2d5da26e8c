"""The badge PDF: one A6 page per badge, or four to an A4 sheet with crop marks.

A badge, top to bottom: the event (English, Japanese, date and venue); the
delegate's name, large (as typed, family name in capitals), the name in
Japanese script, the delegation role (the head of delegation marked); the
organisation and the country; the photo beside the QR code, with the short
code for typing in under it; and a band in the category's colour naming the
category in both languages.

Every text is fitted by ``pdf.fit_text``: shrunk to its minimum, then
wrapped, never cut off. When an extreme badge (the longest names the form
allows, in every field) still does not fit above the photo, the whole text
is set smaller again, by steps, until it does.

``badge_document`` is what the admin action, the staff page and the
``make_badges`` command call: it records the print (``services.badges_print``:
who, when, why, each badge a first print, a reprint or a replacement) and
returns the PDF.
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from registrations import services
from registrations.documents import pdf
from registrations.documents.audit import export_filename
from registrations.documents.badge_content import (
    BadgeContent,
    badge_content,
    event_texts,
)
from registrations.documents.pdf import BOLD, REGULAR, TextStyle, mm
from registrations.documents.selection import Selection

CONTENT_TYPE = "application/pdf"
EXTENSION = "pdf"
A6 = (105 * mm, 148 * mm)
INK = HexColor("#1a1a1a")
MUTED = HexColor("#4a4a4a")

# The badge's parts, in millimetres of an A6 badge.
MARGIN = 6 * mm
BAND_HEIGHT = 14 * mm
PHOTO_WIDTH, PHOTO_HEIGHT = 27 * mm, 34.5 * mm
QR_SIZE = 31 * mm
# The photo and QR code row sits this far above the band.
ROW_GAP = 3 * mm
CODE_HEIGHT = 5 * mm
ROW_TOP = BAND_HEIGHT + ROW_GAP + CODE_HEIGHT + max(PHOTO_HEIGHT, QR_SIZE)
# The smaller sizes tried, in turn, for a badge whose texts do not fit.
COMPACT_STEPS = (1.0, 0.85, 0.72)

STYLES = {
    "event": TextStyle(BOLD, 10, 7),
    "event_ja": TextStyle(REGULAR, 8.5, 6.5),
    "event_line": TextStyle(REGULAR, 7.5, 6),
    "name": TextStyle(BOLD, 24, 12, leading=1.15),
    "name_ja": TextStyle(BOLD, 18, 10),
    "role": TextStyle(BOLD, 10, 7),
    "organisation": TextStyle(REGULAR, 12, 7.5),
    "organisation_ja": TextStyle(REGULAR, 10, 7),
    "country": TextStyle(REGULAR, 11, 7),
    "code": TextStyle(BOLD, 10, 8),
    "category": TextStyle(BOLD, 14, 8),
}


@dataclass(frozen=True)
class Layout:
    """How badges sit on pages: the page, each badge's place, their scale."""

    name: str
    pagesize: tuple[float, float]
    # The lower-left corner of each badge on a page, in the order filled.
    slots: tuple[tuple[float, float], ...]
    scale: float = 1.0
    crop_marks: bool = False

    @property
    def badge_size(self) -> tuple[float, float]:
        return A6[0] * self.scale, A6[1] * self.scale


def four_up() -> Layout:
    """Return four badges, edge to edge, centred on an A4 sheet.

    Nine tenths of A6 (94.5 × 133.2 mm), so that an office printer's margin
    leaves the badges whole and there is room for the crop marks.
    """
    scale = 0.9
    width, height = A6[0] * scale, A6[1] * scale
    left = (A4[0] - 2 * width) / 2
    bottom = (A4[1] - 2 * height) / 2
    slots = (
        (left, bottom + height),
        (left + width, bottom + height),
        (left, bottom),
        (left + width, bottom),
    )
    return Layout("a4-4up", A4, slots, scale=scale, crop_marks=True)


LAYOUTS = {
    "a6": Layout("a6", A6, ((0.0, 0.0),)),
    "a4-4up": four_up(),
}


def _text_blocks(content: BadgeContent, step: float, width: float) -> list:
    """Return the fitted texts between the header and the photo, with their gaps."""

    def fit(key, text, max_lines=1, gap=1.5 * mm):
        style = STYLES[key]
        if step != 1.0:
            style = replace(
                style, size=style.size * step, min_size=style.min_size * step
            )
        fitted = pdf.fit_text(text, style, width=width, max_lines=max_lines)
        return key, fitted, gap * step

    blocks = [fit("name", content.name, gap=1 * mm)]
    if content.name_ja:
        blocks.append(fit("name_ja", content.name_ja))
    if content.delegation_role:
        blocks.append(fit("role", content.delegation_role, gap=3 * mm))
    blocks.append(fit("organisation", content.organisation, max_lines=2, gap=0.5 * mm))
    if content.organisation_ja:
        blocks.append(fit("organisation_ja", content.organisation_ja, max_lines=2))
    blocks.append(fit("country", content.country))
    return blocks


def _draw_header(canvas: Canvas, content: BadgeContent, colour) -> float:
    """Draw the event's lines at the top; return where the body starts."""
    width = A6[0] - 2 * MARGIN
    top = A6[1] - 5 * mm
    for key, text, lines, ink in (
        ("event", content.event_title, 2, colour),
        ("event_ja", content.event_title_ja, 2, colour),
        ("event_line", content.event_line, 1, MUTED),
        ("event_line", content.event_line_ja, 1, MUTED),
    ):
        fitted = pdf.fit_text(text, STYLES[key], width=width, max_lines=lines)
        top = fitted.draw(
            canvas, x=MARGIN, top=top, width=width, align="centre", colour=ink
        )
    top -= 1.5 * mm
    canvas.setStrokeColor(colour)
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, top, A6[0] - MARGIN, top)
    return top - 3 * mm


def _draw_body(canvas: Canvas, content: BadgeContent, top: float, colour) -> None:
    """Draw the name, role, organisation and country between ``top`` and the row."""
    width = A6[0] - 2 * MARGIN
    room = top - ROW_TOP - 2 * mm
    for step in COMPACT_STEPS:
        blocks = _text_blocks(content, step, width)
        needed = sum(fitted.height + gap for _key, fitted, gap in blocks)
        if needed <= room:
            break
    # The block sits in the middle of the room it has, a little above.
    top -= max(room - needed, 0) * 0.4
    for key, fitted, gap in blocks:
        if key == "role" and content.head_of_delegation:
            # The head of delegation: the role reversed out of a bar.
            bar_width = min(fitted.widest() + 6 * mm, width)
            canvas.setFillColor(colour)
            canvas.roundRect(
                MARGIN + (width - bar_width) / 2,
                top - fitted.height - 0.6 * mm,
                bar_width,
                fitted.height + 1.2 * mm,
                1.5 * mm,
                stroke=0,
                fill=1,
            )
            ink = white
        else:
            ink = INK if key.startswith("name") or key == "organisation" else MUTED
        top = fitted.draw(
            canvas, x=MARGIN, top=top, width=width, align="centre", colour=ink
        )
        top -= gap


def _draw_row(canvas: Canvas, content: BadgeContent) -> None:
    """Draw the photo and the QR code with its short code, above the band."""
    bottom = BAND_HEIGHT + ROW_GAP
    if content.photo is not None:
        photo_x = MARGIN + 4 * mm
        qr_x = A6[0] - MARGIN - 2 * mm - QR_SIZE
        pdf.draw_photo(
            canvas,
            ImageReader(io.BytesIO(content.photo)),
            x=photo_x,
            y=bottom + CODE_HEIGHT + (QR_SIZE - PHOTO_HEIGHT) / 2,
            width=PHOTO_WIDTH,
            height=PHOTO_HEIGHT,
        )
    else:
        qr_x = (A6[0] - QR_SIZE) / 2
    pdf.draw_qr(canvas, content.secret, x=qr_x, y=bottom + CODE_HEIGHT, size=QR_SIZE)
    code = pdf.fit_text(content.short_code, STYLES["code"], width=QR_SIZE)
    code.draw(
        canvas,
        x=qr_x,
        top=bottom + CODE_HEIGHT,
        width=QR_SIZE,
        align="centre",
        colour=INK,
    )


def _draw_band(canvas: Canvas, content: BadgeContent, colour) -> None:
    """Draw the category's colour band along the bottom, naming the category."""
    canvas.setFillColor(colour)
    canvas.rect(0, 0, A6[0], BAND_HEIGHT, stroke=0, fill=1)
    width = A6[0] - 2 * MARGIN
    label = pdf.fit_text(content.category_label, STYLES["category"], width=width)
    label.draw(
        canvas,
        x=MARGIN,
        top=(BAND_HEIGHT + label.height) / 2,
        width=width,
        align="centre",
        colour=white,
    )


def draw_badge(canvas: Canvas, content: BadgeContent) -> None:
    """Draw one badge with its lower-left corner at the canvas's origin (A6 size)."""
    colour = HexColor(content.colour)
    top = _draw_header(canvas, content, colour)
    _draw_body(canvas, content, top, colour)
    _draw_row(canvas, content)
    _draw_band(canvas, content, colour)


def render(
    contents: Iterable[BadgeContent], *, layout: str, title: str
) -> tuple[bytes, int]:
    """Return the PDF of ``contents`` in ``layout`` and its number of pages."""
    chosen = LAYOUTS[layout]
    output = io.BytesIO()
    canvas = pdf.new_canvas(
        output, pagesize=chosen.pagesize, title=title, author="Symposium secretariat"
    )
    per_page = len(chosen.slots)
    pages = 0
    for number, content in enumerate(contents):
        slot = number % per_page
        if slot == 0:
            if number:
                canvas.showPage()
            pages += 1
            if chosen.crop_marks:
                _draw_sheet_marks(canvas, chosen)
        x, y = chosen.slots[slot]
        canvas.saveState()
        canvas.translate(x, y)
        canvas.scale(chosen.scale, chosen.scale)
        draw_badge(canvas, content)
        canvas.restoreState()
    canvas.showPage()
    canvas.save()
    return output.getvalue(), max(pages, 1)


def _draw_sheet_marks(canvas: Canvas, layout: Layout) -> None:
    width, height = layout.badge_size
    xs = sorted({x for x, _y in layout.slots} | {x + width for x, _y in layout.slots})
    ys = sorted({y for _x, y in layout.slots} | {y + height for _x, y in layout.slots})
    pdf.draw_crop_marks(canvas, columns=xs, rows=ys)


# How many registrations with characters the fonts lack a page names.
UNPRINTABLE_LISTED = 20


def unprintable(registrations) -> list[tuple[str, str]]:
    """Return the names whose badge would show a character as an empty box.

    Each is ``(name, characters)``; the fonts cover Latin, Greek, Cyrillic
    and Japanese, not Thai or Hangul, for instance. A page shows them before
    anything is printed, so that staff can correct the name first.
    """
    found = []
    fields = ("given_name", "family_name", "name_ja", "organisation_other")
    for given, family, name_ja, other in registrations.values_list(*fields).iterator():
        missing = pdf.missing_characters(" ".join([given, family, name_ja, other]))
        if missing:
            found.append((f"{given} {family.upper()}", " ".join(missing)))
            if len(found) == UNPRINTABLE_LISTED:
                break
    return found


@dataclass(frozen=True)
class BadgeDocument:
    """A printed badge PDF and its record."""

    content: bytes
    pages: int
    record: services.BadgePrintRecord

    @property
    def filename(self) -> str:
        return self.record.log.filename


def badge_response(document: BadgeDocument) -> HttpResponse:
    """Return the badge PDF as a download, kept by no cache on the way."""
    return HttpResponse(
        document.content,
        content_type=CONTENT_TYPE,
        headers={
            "Content-Disposition": content_disposition_header(
                as_attachment=True, filename=document.filename
            ),
            "Cache-Control": "private, no-store",
        },
    )


def badge_contents(record: services.BadgePrintRecord) -> Iterable[BadgeContent]:
    """Yield what each badge of a recorded print says, in the selection's order."""
    texts = {}
    for registration, badge, _kind in record.badges:
        if registration.event_id not in texts:
            texts[registration.event_id] = event_texts(registration.event)
        photo = getattr(registration, "photo", None)
        yield badge_content(
            registration,
            secret=badge.secret,
            short_code=badge.printed_code,
            texts=texts[registration.event_id],
            photo=photo.read() if photo is not None else None,
        )


def badge_document(
    *,
    selection: Selection,
    user: AbstractBaseUser | None,
    layout: str,
    reason: str = "",
) -> BadgeDocument:
    """Record the print of the badges of ``selection`` and return their PDF.

    Raise ``services.RegistrationError`` when the print is refused (nothing
    selected, a rejected or cancelled registration, a reprint without reason).
    """
    if layout not in LAYOUTS:
        raise ValueError(f"Unknown badge layout {layout!r}")
    filename = export_filename(
        event=selection.event, name=f"badges-{selection.name}", extension=EXTENSION
    )
    record = services.badges_print(
        registrations=selection.registrations.select_related(
            "event", "organisation", "photo"
        ),
        kind=selection.kind,
        event=selection.event,
        filters={**selection.filters, "layout": layout},
        filename=filename,
        by=user,
        reason=reason,
    )
    title = f"Badges – {selection.event.title}" if selection.event else "Badges"
    content, pages = render(badge_contents(record), layout=layout, title=title)
    return BadgeDocument(content=content, pages=pages, record=record)
