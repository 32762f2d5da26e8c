"""The list of delegations for the protocol office: one row per delegation.

Who comes, how many, led by whom, and whether the note verbale is in hand;
with the focal point to call. The members themselves are in the attendee
list, whose delegation, role and rank columns sort them the same way. The
columns are declared once here, for CSV and XLSX alike.
"""

from collections.abc import Iterator

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from registrations import selectors
from registrations.documents.columns import MOMENT, NUMBER, Cell, Column
from registrations.models import (
    NOMINATED,
    Delegation,
    DelegationRole,
    Organisation,
    Registration,
)


def header(text):
    return lambda: str(text)


# The cells are made from each delegation as ``delegation_rows`` reads it.
DELEGATION_COLUMNS: tuple[Column, ...] = (
    Column(header(_("Organisation")), ("organisation",), width=36),
    Column(header(_("Acronym")), ("acronym",), width=10),
    Column(header(_("Kind")), ("kind",), width=20),
    Column(header(_("Country")), ("country",), width=16),
    Column(header(_("State")), ("state",), width=14),
    Column(header(_("Seat quota")), ("seat_quota",), kind=NUMBER, width=8),
    Column(header(_("Nominated")), ("nominated",), kind=NUMBER, width=8),
    Column(header(_("Approved")), ("approved",), kind=NUMBER, width=8),
    Column(header(_("Awaiting review")), ("pending",), kind=NUMBER, width=8),
    Column(header(_("Head of delegation")), ("head",), width=28),
    Column(header(_("Head's protocol rank")), ("head_rank",), width=16),
    Column(header(_("Focal point")), ("focal_point",), width=24),
    Column(header(_("Focal point's email")), ("focal_point_email",), width=28),
    Column(header(_("Focal point's phone")), ("focal_point_phone",), width=16),
    Column(header(_("Invitation sent")), ("invited_at",), kind=MOMENT, width=19),
    Column(header(_("Submitted")), ("submitted_at",), kind=MOMENT, width=19),
    Column(header(_("Confirmed")), ("confirmed_at",), kind=MOMENT, width=19),
    Column(header(_("Note verbale received")), ("received",), kind=MOMENT, width=19),
    Column(header(_("Note verbale verified")), ("verified",), kind=MOMENT, width=19),
)


def delegation_headers() -> list[str]:
    return [column.header() for column in DELEGATION_COLUMNS]


def with_head(delegations: QuerySet) -> QuerySet:
    """Annotate the head's names and rank, in the same SELECT."""
    heads = Registration.objects.filter(
        delegation=OuterRef("pk"),
        delegation_role=DelegationRole.HEAD,
        status__in=NOMINATED,
    )
    return delegations.annotate(
        head_given=Subquery(heads.values("given_name")[:1]),
        head_family=Subquery(heads.values("family_name")[:1]),
        head_rank=Subquery(heads.values("protocol_rank")[:1]),
    )


def delegation_rows(delegations: QuerySet) -> Iterator[list[Cell]]:
    """Return one row of typed cells per delegation, in the queryset's order."""
    states = dict(Delegation.State.choices)
    kinds = dict(Organisation.Kind.choices)
    names = dict(countries)
    chosen = with_head(selectors.with_member_counts(delegations)).select_related(
        "organisation"
    )

    def rows() -> Iterator[list[Cell]]:
        for delegation in chosen.iterator(chunk_size=500):
            organisation = delegation.organisation
            head = " ".join(
                filter(None, [delegation.head_given, delegation.head_family])
            )
            yield [
                organisation.localized.name,
                organisation.acronym,
                str(kinds.get(organisation.kind, organisation.kind)),
                str(names.get(organisation.country.code, ""))
                if organisation.country
                else "",
                str(states.get(delegation.state, delegation.state)),
                delegation.seat_quota,
                delegation.nominated_count,
                delegation.approved_count,
                delegation.pending_count,
                head,
                delegation.head_rank or "",
                delegation.focal_point_name,
                delegation.focal_point_email,
                delegation.focal_point_phone,
                delegation.invited_at,
                delegation.submitted_at,
                delegation.confirmed_at,
                delegation.note_verbale_received_at,
                delegation.note_verbale_verified_at,
            ]

    return rows()
