"""The list of the approved delegates' dietary and access needs, with names.

For the hotel and its caterer: who needs what, nothing else about them
(no address, no passport, no status). The columns are declared once here,
for CSV and XLSX alike; each list that leaves is recorded (``audit``).
"""

from collections.abc import Iterator

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registrations.documents import audit
from registrations.documents.columns import Cell, Column
from registrations.documents.delegations import header
from registrations.models import ATTENDING, Event, ExportLog, organisation_display_name

NEEDS_COLUMNS: tuple[Column, ...] = (
    Column(header(_("Family name")), ("family_name",), width=16),
    Column(header(_("Given name")), ("given_name",), width=16),
    Column(header(_("Name in Japanese script")), ("name_ja",), width=14),
    Column(header(_("Organisation")), ("organisation",), width=30),
    Column(header(_("Dietary needs")), ("dietary_needs",), width=30),
    Column(header(_("Accessibility needs")), ("accessibility_needs",), width=30),
)
FIELDS = (
    "family_name",
    "given_name",
    "name_ja",
    "organisation__name",
    "organisation__name_ja",
    "organisation_other",
    "dietary_needs",
    "accessibility_needs",
)


def needs_rows(event: Event) -> Iterator[list[Cell]]:
    """Yield the approved delegates with a need, by family name."""
    chosen = (
        event.registrations.filter(status=ATTENDING)
        .exclude(Q(dietary_needs="") & Q(accessibility_needs=""))
        .order_by("family_name", "given_name", "pk")
        .values_list(*FIELDS)
    )
    for family, given, name_ja, org, org_ja, other, dietary, access in chosen.iterator(
        chunk_size=2_000
    ):
        organisation = organisation_display_name(name=org, name_ja=org_ja, other=other)
        yield [family.upper(), given, name_ja, organisation, dietary, access]


def needs_export(
    *, event: Event, user: AbstractBaseUser | None, file_format: str
) -> audit.AttendeeExport:
    """Record the needs list of ``event`` and return it, ready to stream."""
    return audit.document_start(
        kind=ExportLog.Kind.EVENT,
        document=ExportLog.Document.NEEDS,
        event=event,
        name="needs",
        filters={"status": ATTENDING, "page": "statistics"},
        header=[column.header() for column in NEEDS_COLUMNS],
        rows=needs_rows(event),
        user=user,
        file_format=file_format,
        layout={"columns": NEEDS_COLUMNS, "sheet_name": _("Needs")},
    )
