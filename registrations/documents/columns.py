"""The attendee list's columns, and the rows read for them from the database."""

from collections.abc import Generator, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import Aggregate, CharField, OuterRef, QuerySet, Subquery
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django_countries import countries

from registrations.models import (
    Organisation,
    Registration,
    RegistrationSession,
    Session,
    japanese_is_active,
)

# The symposium runs in Tokyo: its staff read times and dates in Japan time,
# whatever the server's clock says.
EXPORT_TIMEZONE = ZoneInfo("Asia/Tokyo")

SESSION_SEPARATOR = "; "
# Rows fetched from the database at a time: large enough to keep the overhead
# per row low, small enough that memory does not depend on the row count.
FETCH_ROWS = 2_000

# A spreadsheet evaluates a cell that starts with one of these (OWASP, "CSV
# Injection"); tab and carriage return because Excel skips them and then
# reads what follows as the start of the cell.
FORMULA_TRIGGERS = frozenset("=+-@\t\r")

Status = Registration.Status

# The columns read from the database, in the order ``attendee_rows`` unpacks them.
EXPORT_FIELDS = (
    "pk",
    "status",
    "honorific",
    "family_name",
    "given_name",
    "name_ja",
    "email",
    "organisation__name",
    "organisation__name_ja",
    "organisation_other",
    "organisation__kind",
    "position",
    "country",
    "category",
    "session_ids",
    "dietary_needs",
    "accessibility_needs",
    "interpretation",
    "submitted_at",
    "reviewed_at",
    f"reviewed_by__{get_user_model().USERNAME_FIELD}",
)


def neutralise(value: str) -> str:
    """Return ``value`` so that a spreadsheet shows it as text, never as a formula.

    Following OWASP's advice on CSV injection, a value that starts with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a single quote
    in front; Excel and LibreOffice take a leading quote as "this is text".
    Every other value is left exactly as it is: "Smith-Jones" and "O'Neil"
    start with a letter and are untouched. The rule looks at the first
    character only and makes no exceptions, because an exception ("it looks
    like a phone number") is a way round it. So "+81 3 5501 8000" becomes
    "'+81 3 5501 8000", which a spreadsheet shows as the phone number rather
    than evaluating it (to an error), and a lone "-" becomes "'-". A program
    reading the file sees the quote and can strip it.
    """
    if value[:1] in FORMULA_TRIGGERS:
        return "'" + value
    return value


class GroupConcat(Aggregate):
    """Join a group's values into one comma-separated string.

    ``GROUP_CONCAT`` on SQLite, ``STRING_AGG`` on PostgreSQL; the order of the
    values is not defined.
    """

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            template="%(function)s((%(expressions)s)::text, ',')",
            **extra_context,
        )


def session_ids_subquery() -> Subquery:
    """Return the ids of each registration's sessions as "3,1,4", in the same SELECT.

    A correlated subquery rather than ``prefetch_related``, which would cost
    one more query for every chunk of rows the cursor fetches.
    """
    chosen = RegistrationSession.objects.filter(registration_id=OuterRef("pk"))
    return Subquery(
        chosen.order_by()
        .values("registration_id")
        .annotate(ids=GroupConcat("session_id"))
        .values("ids")
    )


def column_headers() -> list[str]:
    """Return the header row, in the active language."""

    def label(name: str) -> str:
        return str(capfirst(Registration._meta.get_field(name).verbose_name))

    return [
        _("ID"),
        label("status"),
        label("honorific"),
        label("family_name"),
        label("given_name"),
        label("name_ja"),
        label("email"),
        label("organisation"),
        _("Organisation kind"),
        label("position"),
        label("country"),
        _("Country code"),
        label("category"),
        label("sessions"),
        label("dietary_needs"),
        label("accessibility_needs"),
        label("interpretation"),
        label("submitted_at"),
        label("reviewed_at"),
        label("reviewed_by"),
    ]


def _labels(choices: Iterable[tuple[str, object]]) -> dict[str, str]:
    """Return each choice's label, translated once rather than once per row."""
    return {value: str(label) for value, label in choices}


def _local_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(EXPORT_TIMEZONE).isoformat(timespec="seconds")


def attendee_rows(registrations: QuerySet) -> Generator[list[str], None, None]:
    """Return the rows of ``registrations``: one list of text cells each.

    The labels, the country names and the names of sessions and listed
    organisations are taken now, in the active language, as the headers are:
    the rows themselves are read from the database only as the result is
    iterated, which for a download is after the view has returned. Rows come
    in the queryset's order; every cell has been through ``neutralise``.
    """
    japanese = japanese_is_active()
    statuses = _labels(Status.choices)
    honorifics = _labels(Registration.Honorific.choices) | {"": ""}
    categories = _labels(Registration.Category.choices)
    interpretations = _labels(Registration.Interpretation.choices)
    organisation_kinds = _labels(Organisation.Kind.choices)
    country_names = dict(countries)
    # Every session, not only the event's: the table is small, and an admin
    # may have given a registration a session of another event.
    programme = list(Session.objects.all())
    titles = {session.pk: session.localized.title for session in programme}
    programme_order = {session.pk: place for place, session in enumerate(programme)}
    # A registration picks a few sessions among a handful, so the same
    # combinations come back again and again.
    session_cells: dict[str | None, str] = {None: ""}

    def sessions_cell(session_ids: str | None) -> str:
        cell = session_cells.get(session_ids)
        if cell is None:
            ids = sorted(map(int, session_ids.split(",")), key=programme_order.get)
            cell = SESSION_SEPARATOR.join(titles[id_] for id_ in ids)
            session_cells[session_ids] = cell
        return cell

    def rows() -> Generator[list[str], None, None]:
        for (
            pk,
            status,
            honorific,
            family_name,
            given_name,
            name_ja,
            email,
            organisation_name,
            organisation_name_ja,
            organisation_other,
            organisation_kind,
            position,
            country,
            category,
            session_ids,
            dietary_needs,
            accessibility_needs,
            interpretation,
            submitted_at,
            reviewed_at,
            reviewed_by,
        ) in (
            registrations.annotate(session_ids=session_ids_subquery())
            .values_list(*EXPORT_FIELDS)
            .iterator(chunk_size=FETCH_ROWS)
        ):
            if organisation_name is None:
                organisation = organisation_other
            elif japanese and organisation_name_ja:
                organisation = organisation_name_ja
            else:
                organisation = organisation_name
            # A value the choices do not know (an old one) is shown as stored
            # rather than breaking the download halfway.
            cells = [
                str(pk),
                statuses.get(status, status),
                honorifics.get(honorific, honorific),
                family_name,
                given_name,
                name_ja,
                email,
                organisation,
                organisation_kinds.get(organisation_kind, organisation_kind or ""),
                position,
                country_names.get(country, country),
                country,
                categories.get(category, category),
                sessions_cell(session_ids),
                dietary_needs,
                accessibility_needs,
                interpretations.get(interpretation, interpretation),
                _local_time(submitted_at),
                _local_time(reviewed_at),
                reviewed_by or "",
            ]
            yield [neutralise(cell) for cell in cells]

    return rows()
