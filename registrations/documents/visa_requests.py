"""The protocol office's list of visa requests: passport data, for Protocol only.

Never part of the attendee lists (``columns``): its own columns, declared
here once, its own permission (``export_visa_requests``) and its own record
(an ``ExportLog`` of the document "visa requests", and a ``PassportDataView``
for each request in it).
"""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from registrations.selectors.visas import with_letter_in_force

PROTOCOL_COLUMNS = [
    ("letter_reference", _("Letter in force")),
    ("state", _("State")),
    ("family_name", _("Family name")),
    ("given_name", _("Given name")),
    ("passport_name", _("Name as in the passport")),
    ("passport_number", _("Passport number")),
    ("nationality", _("Nationality")),
    ("date_of_birth", _("Date of birth")),
    ("passport_expiry", _("Passport valid until")),
    ("stay_from", _("Arrival in Japan")),
    ("stay_until", _("Departure from Japan")),
    ("mission", _("Embassy or consulate")),
    ("japanese_version", _("Japanese version")),
    ("costs", _("Costs borne by")),
    ("organisation", _("Organisation")),
    ("delegation_role", _("Role in the delegation")),
    ("status", _("Registration status")),
    ("email", _("Email")),
]


def protocol_headers() -> list[str]:
    return [str(label) for _name, label in PROTOCOL_COLUMNS]


def protocol_requests(requests: QuerySet) -> QuerySet:
    """Return the requests in the list's order, each with its letter in force."""
    return with_letter_in_force(
        requests.select_related(
            "registration__organisation", "registration__event"
        ).order_by("registration__family_name", "registration__given_name", "pk")
    )


def protocol_rows(requests: QuerySet) -> Iterator[list]:
    """Yield the protocol list's rows, in the reader's language."""
    yes, no = str(_("Yes")), str(_("No"))
    for request in requests:
        registration = request.registration
        values = {
            "letter_reference": request.letter_reference or "",
            "state": request.get_state_display(),
            "family_name": registration.family_name,
            "given_name": registration.given_name,
            "passport_name": request.passport_name,
            "passport_number": request.passport_number,
            "nationality": request.nationality.name if request.nationality else "",
            "date_of_birth": request.date_of_birth,
            "passport_expiry": request.passport_expiry,
            "stay_from": request.stay_from,
            "stay_until": request.stay_until,
            "mission": request.mission,
            "japanese_version": yes if request.japanese_version else no,
            "costs": request.get_costs_display(),
            "organisation": registration.organisation_name,
            "delegation_role": registration.get_delegation_role_display(),
            "status": registration.get_status_display(),
            "email": registration.email,
        }
        yield [cell(values[name]) for name, _label in PROTOCOL_COLUMNS]


def cell(value) -> str:
    """Return a cell as text; the renderer makes it safe for spreadsheets."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
