"""The visa support letter: an A4 PDF on the ministry's letterhead.

One page in English, and a second in Japanese when the embassy or consulate
asks for one: the letterhead, the reference and the date, the mission it is
addressed to, the invitation to the event (its dates and venue), the
traveller's passport details, their role (the head of a delegation named as
such), who bears the costs, the signatory with the stamp if one was given,
and a QR code of the public verification page, which says only whether the
letter is valid.

Everything is drawn with the PDF foundation (``documents.pdf``): the fonts
are embedded, so a name in any script the fonts cover prints the same.
``render_letter`` is called by ``services.visas`` when a letter is issued;
the PDF is kept, never made again.
"""

import io
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader

from registrations.documents import pdf
from registrations.documents.pdf import BOLD, REGULAR, TextStyle, mm
from registrations.models import VisaLetter, VisaLetterhead, VisaRequest
from registrations.models.photos import private_storage

INK = HexColor("#1a1a1a")
MUTED = HexColor("#4a4a4a")
MARGIN = 20 * mm
# The QR code sits this far above the page's lower edge.
FOOT = 14 * mm
WIDTH = A4[0] - 2 * MARGIN
LABEL_WIDTH = 55 * mm
QR_SIZE = 22 * mm
STAMP_SIZE = 24 * mm
SIGNATURE_WIDTH = 85 * mm
# The most lines a paragraph may take before it is set smaller.
PARAGRAPH_LINES = 40
STYLES = {
    "header": TextStyle(BOLD, 13, 9),
    "header_line": TextStyle(REGULAR, 9.5, 7),
    "meta": TextStyle(REGULAR, 10, 8),
    "body": TextStyle(REGULAR, 10, 8.5, leading=1.4),
    "subject": TextStyle(BOLD, 11, 9, leading=1.35),
    "label": TextStyle(REGULAR, 9.5, 7.5, leading=1.3),
    "value": TextStyle(BOLD, 10, 7.5, leading=1.3),
    "small": TextStyle(REGULAR, 8, 6.5, leading=1.3),
}
# How each language writes the date on a letter.
DATE_FORMATS = {"en": "j F Y", "ja": "Y年n月j日"}


def verification_url(reference: str, language: str) -> str:
    """Return the absolute address of the letter's public verification page."""
    with translation.override(language):
        path = reverse("registrations:visa_verify", kwargs={"reference": reference})
    return settings.SITE_URL.rstrip("/") + path


def letter_date(value, language: str) -> str:
    if hasattr(value, "hour"):
        value = timezone.localdate(value)
    return formats.date_format(value, DATE_FORMATS.get(language, "j F Y"))


class Page:
    """A page being written from the top down, a new one when it is full."""

    def __init__(self, canvas):
        self.canvas = canvas
        self.top = A4[1] - MARGIN

    def need(self, height: float) -> None:
        # The foot of each page is kept for the verification code.
        if self.top - height < FOOT + QR_SIZE + 4 * mm:
            self.canvas.showPage()
            self.top = A4[1] - MARGIN

    def text(self, text: str, style: str, *, x=MARGIN, width=WIDTH, align="left"):
        fitted = pdf.fit_text(
            text, STYLES[style], width=width, max_lines=PARAGRAPH_LINES
        )
        self.need(fitted.height)
        self.top = fitted.draw(
            self.canvas, x=x, top=self.top, width=width, align=align, colour=INK
        )

    def space(self, points: float) -> None:
        self.top -= points

    def row(self, label: str, value: str) -> None:
        """Draw a label and its value side by side (the passport details)."""
        value_width = WIDTH - LABEL_WIDTH
        left = pdf.fit_text(label, STYLES["label"], width=LABEL_WIDTH - 3 * mm)
        right = pdf.fit_text(
            value or "—", STYLES["value"], width=value_width, max_lines=3
        )
        height = max(left.height, right.height)
        self.need(height)
        left.draw(self.canvas, x=MARGIN, top=self.top, width=LABEL_WIDTH, colour=MUTED)
        right.draw(self.canvas, x=MARGIN + LABEL_WIDTH, top=self.top, width=value_width)
        self.top -= height + 1.5 * mm


@dataclass(frozen=True)
class LetterFacts:
    """What a letter says, read once from the request, the event and the letterhead."""

    letter: VisaLetter
    request: VisaRequest
    letterhead: VisaLetterhead
    stamp: bytes | None


def role_text(request: VisaRequest) -> str:
    """Return the delegate's role at the event, in the active language."""
    registration = request.registration
    if registration.delegation_id:
        organisation = registration.delegation.organisation.localized.name
        return _("%(role)s (delegation of %(organisation)s)") % {
            "role": registration.get_delegation_role_display(),
            "organisation": organisation,
        }
    return _("Participant (%(category)s)") % {
        "category": registration.get_category_display()
    }


def costs_text(request: VisaRequest) -> str:
    registration = request.registration
    host = registration.event.localized.host
    organisation = registration.organisation_name
    sentences = {
        VisaRequest.Costs.ORGANISATION: _(
            "The costs of the journey and of the stay in Japan will be borne by "
            "the participant's government or organisation, %(organisation)s."
        ),
        VisaRequest.Costs.HOST: _(
            "The costs of the journey and of the stay in Japan will be borne by "
            "the %(host)s."
        ),
        VisaRequest.Costs.SHARED: _(
            "The costs of the journey will be borne by the participant's "
            "government or organisation, %(organisation)s; the accommodation in "
            "Tokyo will be provided by the %(host)s."
        ),
        VisaRequest.Costs.DELEGATE: _(
            "The costs of the journey and of the stay in Japan will be borne by "
            "the participant."
        ),
    }
    return sentences[request.costs] % {"host": host, "organisation": organisation}


def event_days(event, language: str) -> str:
    first = timezone.localdate(event.starts_at)
    last = timezone.localdate(event.ends_at)
    if first == last:
        return letter_date(first, language)
    return _("%(first)s to %(last)s") % {
        "first": letter_date(first, language),
        "last": letter_date(last, language),
    }


def draw_letterhead(page: Page, facts: LetterFacts, language: str) -> None:
    letterhead = facts.letterhead
    header = (
        letterhead.header_ja
        if language == "ja" and letterhead.header_ja
        else (letterhead.header)
    )
    lines = [line.strip() for line in header.splitlines() if line.strip()]
    for number, line in enumerate(lines):
        page.text(line, "header" if number == 0 else "header_line", align="centre")
    page.space(2 * mm)
    page.canvas.setStrokeColor(MUTED)
    page.canvas.setLineWidth(0.6)
    page.canvas.line(MARGIN, page.top, MARGIN + WIDTH, page.top)
    page.space(6 * mm)


def draw_page(canvas, facts: LetterFacts, language: str) -> None:
    """Draw the letter in ``language`` (its own page or pages)."""
    letter, request = facts.letter, facts.request
    registration = request.registration
    event = registration.event
    page = Page(canvas)
    draw_letterhead(page, facts, language)
    page.text(
        _("Reference: %(reference)s") % {"reference": letter.reference},
        "meta",
        align="right",
    )
    page.text(
        _("Tokyo, %(date)s") % {"date": letter_date(letter.issued_at, language)},
        "meta",
        align="right",
    )
    page.space(5 * mm)
    page.text(
        _("To the Consular Section, %(mission)s") % {"mission": request.mission}, "body"
    )
    page.space(4 * mm)
    page.text(
        _("Subject: visa support for a participant in the %(event)s")
        % {"event": event.localized.title},
        "subject",
    )
    page.space(3 * mm)
    page.text(_("Dear Sir or Madam,"), "body")
    page.space(2 * mm)
    page.text(
        _(
            "The %(host)s is pleased to confirm that the person named below has "
            "been invited to attend the %(event)s, which the Ministry holds on "
            "%(days)s at %(venue)s."
        )
        % {
            "host": event.localized.host,
            "event": event.localized.title,
            "days": event_days(event, language),
            "venue": event.localized.venue,
        },
        "body",
    )
    page.space(4 * mm)
    nationality = request.nationality.name if request.nationality else ""
    rows = [
        (_("Name as in the passport"), request.passport_name),
        (_("Passport number"), request.passport_number),
        (_("Nationality"), nationality),
        (_("Date of birth"), letter_date(request.date_of_birth, language)),
        (_("Passport valid until"), letter_date(request.passport_expiry, language)),
        (_("Organisation"), registration.organisation_name),
        (_("Position"), registration.position),
        (_("Role at the symposium"), role_text(request)),
        (
            _("Intended stay in Japan"),
            _("%(first)s to %(last)s")
            % {
                "first": letter_date(request.stay_from, language),
                "last": letter_date(request.stay_until, language),
            },
        ),
    ]
    for label, value in rows:
        page.row(label, value)
    page.space(3 * mm)
    page.text(costs_text(request), "body")
    page.space(2 * mm)
    page.text(
        _(
            "The Ministry would be grateful for any assistance your mission may "
            "extend to the participant in obtaining a visa for this visit. The "
            "decision on the visa rests with your mission."
        ),
        "body",
    )
    page.space(2 * mm)
    page.text(
        _("Yours faithfully,"), "body", align="right" if language == "ja" else "left"
    )
    draw_signature(page, facts, language)
    draw_verification(page, letter, language)


def draw_signature(page: Page, facts: LetterFacts, language: str) -> None:
    """Draw the signatory at the right, the stamp over the end of the name.

    Japanese writes the title before the name; English the name, then the title.
    """
    letterhead = facts.letterhead
    japanese = language == "ja"
    name = (japanese and letterhead.signatory_name_ja) or letterhead.signatory_name
    title = (japanese and letterhead.signatory_title_ja) or letterhead.signatory_title
    lines = (
        [(title, "label"), (name, "value")]
        if japanese
        else [
            (name, "value"),
            (title, "label"),
        ]
    )
    page.need(STAMP_SIZE + 6 * mm)
    page.space(STAMP_SIZE * 0.6)
    left = MARGIN + WIDTH - SIGNATURE_WIDTH
    if facts.stamp:
        page.canvas.drawImage(
            ImageReader(io.BytesIO(facts.stamp)),
            MARGIN + WIDTH - STAMP_SIZE,
            page.top - STAMP_SIZE * 0.55,
            STAMP_SIZE,
            STAMP_SIZE,
            mask="auto",
            preserveAspectRatio=True,
        )
    for text, style in lines:
        page.text(text, style, x=left, width=SIGNATURE_WIDTH - STAMP_SIZE * 0.4)


def draw_verification(page: Page, letter: VisaLetter, language: str) -> None:
    """Draw the QR code of the verification page at the foot of the page."""
    url = verification_url(letter.reference, language)
    canvas = page.canvas
    y = FOOT
    pdf.draw_qr(canvas, url, x=MARGIN, y=y, size=QR_SIZE)
    caption = pdf.fit_text(
        _(
            "This letter can be verified by scanning the code or at %(url)s "
            "(reference %(reference)s)."
        )
        % {"url": url, "reference": letter.reference},
        STYLES["small"],
        width=WIDTH - QR_SIZE - 4 * mm,
        max_lines=4,
    )
    caption.draw(
        canvas,
        x=MARGIN + QR_SIZE + 4 * mm,
        top=y + QR_SIZE / 2 + caption.height / 2,
        width=WIDTH - QR_SIZE - 4 * mm,
        colour=MUTED,
    )


def read_stamp(letterhead: VisaLetterhead) -> bytes | None:
    if not letterhead.stamp_file:
        return None
    try:
        with private_storage().open(letterhead.stamp_file, "rb") as file:
            return file.read()
    except OSError:
        return None


def render_letter(
    *, letter: VisaLetter, request: VisaRequest, letterhead: VisaLetterhead
) -> bytes:
    """Return the letter's PDF: English, then Japanese if the letter has it."""
    output = io.BytesIO()
    event = request.registration.event
    canvas = pdf.new_canvas(
        output,
        pagesize=A4,
        title=f"{letter.reference} – {event.title}",
        author=event.host,
    )
    facts = LetterFacts(letter, request, letterhead, read_stamp(letterhead))
    languages = ["en", "ja"] if letter.japanese_version else ["en"]
    for language in languages:
        with translation.override(language):
            draw_page(canvas, facts, language)
        canvas.showPage()
    canvas.save()
    return output.getvalue()
