"""The List of Participants as a PDF: A4 pages, in English or in Japanese.

Each page carries the event, the list's name and its state (provisional
until staff mark it final) at the top and its number at the bottom. The
body runs in two columns per participant, as lists of participants of
intergovernmental meetings do: the name on the left (the head of delegation
marked), the title, position and organisation on the right. A section's or a
group's heading is never left alone at the foot of a page.

Text is drawn with the PDF foundation (``documents.pdf``): the fonts are
embedded and every text is fitted, wrapped, never cut off.
"""

import io
from collections.abc import Sequence

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4

from registrations.documents import pdf
from registrations.documents.pdf import BOLD, REGULAR, TextStyle, mm
from registrations.selectors.participants import Participant, Section

INK = HexColor("#1a1a1a")
MUTED = HexColor("#555555")
RULE = HexColor("#999999")
MARGIN = 18 * mm
TOP_BAND = 24 * mm
BOTTOM_BAND = 14 * mm
NAME_WIDTH = 72 * mm
COLUMN_GAP = 6 * mm
INDENT = 4 * mm
ENTRY_GAP = 2.2 * mm

STYLES = {
    "event": TextStyle(BOLD, 10, 7),
    "header": TextStyle(REGULAR, 8.5, 6.5),
    "state": TextStyle(BOLD, 9, 7),
    "section": TextStyle(BOLD, 13, 10),
    "group": TextStyle(BOLD, 11, 8),
    "name": TextStyle(BOLD, 9.5, 7.5),
    "role": TextStyle(REGULAR, 8.5, 7),
    "detail": TextStyle(REGULAR, 9, 7.5),
    "footer": TextStyle(REGULAR, 8, 7),
}


class Pages:
    """The canvas and where the next line goes, with the headers of each page."""

    def __init__(self, output, *, texts: dict):
        self.texts = texts
        self.canvas = pdf.new_canvas(
            output, pagesize=A4, title=texts["document_title"], author=texts["host"]
        )
        self.width, self.height = A4
        self.body_width = self.width - 2 * MARGIN
        self.number = 0
        self.top = 0.0
        self._start_page()

    def _start_page(self) -> None:
        self.number += 1
        canvas, texts = self.canvas, self.texts
        left, right = MARGIN, self.width - MARGIN
        top = self.height - MARGIN + 6 * mm
        pdf.fit_text(texts["event"], STYLES["event"], width=self.body_width * 0.7).draw(
            canvas, x=left, top=top, width=self.body_width * 0.7, colour=INK
        )
        state = pdf.fit_text(
            texts["state"], STYLES["state"], width=self.body_width * 0.3
        )
        state.draw(canvas, x=left, top=top, width=self.body_width, align="right")
        under = top - 5 * mm
        pdf.fit_text(texts["subtitle"], STYLES["header"], width=self.body_width).draw(
            canvas, x=left, top=under, width=self.body_width, colour=MUTED
        )
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(left, under - 5 * mm, right, under - 5 * mm)
        footer = texts["page"] % {"number": self.number}
        pdf.fit_text(footer, STYLES["footer"], width=self.body_width).draw(
            canvas, x=left, top=MARGIN - 4 * mm, width=self.body_width, align="centre"
        )
        self.top = self.height - MARGIN - TOP_BAND + 6 * mm

    def make_room(self, height: float) -> None:
        """Start a new page unless ``height`` fits below the current line."""
        if self.top - height < MARGIN + BOTTOM_BAND - 6 * mm:
            self.canvas.showPage()
            self._start_page()

    def finish(self) -> int:
        self.canvas.showPage()
        self.canvas.save()
        return self.number


def _entry_blocks(
    participant: Participant, language: str, width: float, heading: str = ""
):
    """Return the fitted texts of a participant: (left column, right column).

    The organisation is left out where the group's heading already names it.
    """
    name = participant.name
    if participant.honorific and language == "en":
        name = f"{participant.honorific} {name}"
    left = [pdf.fit_text(name, STYLES["name"], width=NAME_WIDTH, max_lines=3)]
    if participant.role:
        left.append(pdf.fit_text(participant.role, STYLES["role"], width=NAME_WIDTH))
    right_width = width - NAME_WIDTH - COLUMN_GAP - INDENT
    organisation = participant.organisation
    if organisation.casefold() == heading.casefold():
        organisation = ""
    details = [participant.title, participant.position, organisation]
    right = [
        pdf.fit_text(text, STYLES["detail"], width=right_width, max_lines=4)
        for text in details
        if text
    ]
    return left, right


def _height(blocks) -> float:
    return sum(block.height for block in blocks)


def _draw_column(canvas, blocks, *, x: float, top: float, width: float) -> None:
    for block in blocks:
        colour = MUTED if block.style is STYLES["role"] else INK
        top = block.draw(canvas, x=x, top=top, width=width, colour=colour)


def render(sections: Sequence[Section], *, language: str, texts: dict) -> tuple:
    """Return the PDF's bytes and its page count."""
    output = io.BytesIO()
    pages = Pages(output, texts=texts)
    width = pages.body_width
    if not sections:
        empty = pdf.fit_text(texts["empty"], STYLES["detail"], width=width)
        empty.draw(pages.canvas, x=MARGIN, top=pages.top, width=width)
    for section in sections:
        heading = section.heading.upper() if language == "en" else section.heading
        fitted = pdf.fit_text(heading, STYLES["section"], width=width, max_lines=2)
        for number, group in enumerate(section.groups):
            group_heading = pdf.fit_text(
                group.heading, STYLES["group"], width=width, max_lines=3
            )
            first = _entry_blocks(group.participants[0], language, width, group.heading)
            needed = group_heading.height + max(map(_height, first)) + 4 * mm
            if number == 0:
                needed += fitted.height + 5 * mm
            pages.make_room(needed)
            if number == 0:
                pages.top = fitted.draw(
                    pages.canvas, x=MARGIN, top=pages.top, width=width
                )
                pages.top -= 3 * mm
            pages.top = group_heading.draw(
                pages.canvas, x=MARGIN, top=pages.top - 2 * mm, width=width
            )
            pages.top -= 1.5 * mm
            for participant in group.participants:
                left, right = _entry_blocks(participant, language, width, group.heading)
                height = max(_height(left), _height(right))
                pages.make_room(height + ENTRY_GAP)
                _draw_column(
                    pages.canvas,
                    left,
                    x=MARGIN + INDENT,
                    top=pages.top,
                    width=NAME_WIDTH,
                )
                _draw_column(
                    pages.canvas,
                    right,
                    x=MARGIN + INDENT + NAME_WIDTH + COLUMN_GAP,
                    top=pages.top,
                    width=width - NAME_WIDTH - COLUMN_GAP - INDENT,
                )
                pages.top -= height + ENTRY_GAP
        pages.top -= 4 * mm
    page_count = pages.finish()
    return output.getvalue(), page_count
