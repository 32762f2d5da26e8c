"""Who is in the List of Participants, and in which order protocol lists them.

The list names the approved delegates who did not opt out of it, grouped by
delegation: governments first (by country), then international
organisations, NGOs, academia, the press and the rest, each kind in the order
the secretariat set (``Delegation.list_position``), then alphabetically in
the edition's language: by the English name, or in the Japanese edition by
the Japanese name in the order of the syllabary (五十音順). Delegates who
came on their own are grouped by their organisation, in the same sections.
Within a group the head of delegation comes first, then the alternate,
advisers, members and observers, each by order of precedence, then by name.

The order is computed in Python from one SELECT: the list is hundreds of
lines, not hundreds of thousands, and the Japanese order is not a collation
the database knows.
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from registrations.countries import syllabary_key
from registrations.models import (
    ATTENDING,
    DelegationRole,
    Event,
    ParticipantsList,
    Registration,
    Sector,
)

# The sections of the list, in order; the organisers' staff come last.
SECTION_ORDER = (
    Sector.GOVERNMENT,
    Sector.INTERNATIONAL,
    Sector.NGO,
    Sector.ACADEMIC,
    Sector.PRESS,
    Sector.OTHER,
    Sector.STAFF,
)
# How the list heads each section (the sectors' own names are singular).
SECTION_HEADINGS = {
    Sector.GOVERNMENT: _("Governments"),
    Sector.INTERNATIONAL: _("International organisations"),
    Sector.NGO: _("Non-governmental organisations"),
    Sector.ACADEMIC: _("Academia"),
    Sector.PRESS: _("Press"),
    Sector.OTHER: _("Other participants"),
    Sector.STAFF: _("Organisers"),
}
ROLE_PLACE = {role: place for place, role in enumerate(DelegationRole.values)}
LANGUAGES = ("en", "ja")


@dataclass(frozen=True)
class Participant:
    """One line of the list, its texts in the edition's language."""

    honorific: str
    title: str
    name: str
    position: str
    organisation: str
    role: str
    is_head: bool


@dataclass
class Group:
    """A delegation, or the delegates of one organisation who came on their own."""

    heading: str
    participants: list[Participant] = field(default_factory=list)


@dataclass
class Section:
    """The groups of one kind of organisation: governments, NGOs, ..."""

    sector: str
    heading: str
    groups: list[Group] = field(default_factory=list)

    @property
    def participant_count(self) -> int:
        return sum(len(group.participants) for group in self.groups)


def participants_listed(event: Event) -> QuerySet:
    """Return the registrations the list names: approved and not opted out."""
    return (
        event.registrations.filter(status=ATTENDING, listed_in_participants=True)
        .select_related("organisation", "delegation__organisation")
        .order_by()
    )


def participants_list_is_final(event: Event) -> bool:
    """Return whether staff marked the event's list final (else provisional)."""
    return ParticipantsList.objects.filter(event=event, final_at__isnull=False).exists()


def name_key(text: str, language: str) -> tuple:
    """Return the key that sorts ``text`` alphabetically in ``language``."""
    if language == "ja":
        return (syllabary_key(text), text.casefold())
    return (text.casefold(),)


def person_name(registration: Registration, language: str) -> str:
    """Return the name as the list prints it: the family name in capitals.

    The Japanese edition prints the name in Japanese script where there is
    one, family name first as the delegate wrote it.
    """
    if language == "ja" and registration.name_ja:
        return registration.name_ja
    return f"{registration.given_name} {registration.family_name.upper()}"


def _sector(registration: Registration) -> str:
    organisation = (
        registration.delegation.organisation
        if registration.delegation_id
        else registration.organisation
    )
    if organisation is not None and organisation.kind in SECTION_ORDER:
        return organisation.kind
    return registration.category if registration.category in SECTION_ORDER else "other"


def _group_of(
    registration: Registration, sector: str, language: str, country_names: dict
):
    """Return (key, heading, secretariat's place) of the registration's group."""
    delegation = registration.delegation if registration.delegation_id else None
    organisation = delegation.organisation if delegation else registration.organisation
    if sector == Sector.GOVERNMENT:
        code = (
            organisation.country.code
            if organisation is not None and organisation.country
            else registration.country.code
        )
        heading = str(country_names.get(code, code))
        if language == "en":
            heading = heading.upper()
        key = ("country", code)
    elif organisation is not None:
        heading = organisation.localized.name
        key = ("organisation", organisation.pk)
    else:
        heading = registration.organisation_other
        key = ("typed", heading.casefold())
    place = delegation.list_position if delegation else None
    return key, heading, place


def _participant(registration: Registration, roles: dict, honorifics: dict):
    honorific = honorifics.get(registration.honorific, "")
    # "H.E." chosen as the honorific and typed as the rank is printed once.
    title = registration.protocol_rank
    if title.casefold().rstrip(".") == honorific.casefold().rstrip("."):
        title = ""
    return Participant(
        honorific=honorific,
        title=title,
        name=registration._listed_name,
        position=registration.position,
        organisation=registration.organisation_name,
        role=roles.get(registration.delegation_role, ""),
        is_head=registration.delegation_role == DelegationRole.HEAD,
    )


def participants_sections(event: Event, language: str) -> list[Section]:
    """Return the list of ``event`` in ``language``: its sections, groups, lines."""
    with translation.override(language):
        return _sections(participants_listed(event), language)


def _sections(registrations: QuerySet, language: str) -> list[Section]:
    roles = {value: str(label) for value, label in DelegationRole.choices}
    honorifics = {value: str(label) for value, label in Registration.Honorific.choices}
    honorifics[""] = ""
    names = dict(countries)
    groups: dict[tuple, list] = {}
    for registration in registrations:
        sector = _sector(registration)
        key, heading, place = _group_of(registration, sector, language, names)
        registration._listed_name = person_name(registration, language)
        entry = groups.setdefault((sector, key), [heading, [], place])
        entry[1].append(registration)
        if place is not None and (entry[2] is None or place < entry[2]):
            entry[2] = place
    sections = []
    for sector in SECTION_ORDER:
        mine = [group for (kind, _key), group in groups.items() if kind == sector]
        if not mine:
            continue
        mine.sort(
            key=lambda group: (
                group[2] is None,
                group[2] or 0,
                name_key(group[0], language),
            )
        )
        section = Section(sector=sector, heading=str(SECTION_HEADINGS[sector]))
        for heading, members, _place in mine:
            members.sort(
                key=lambda member: (
                    ROLE_PLACE.get(member.delegation_role, len(ROLE_PLACE)),
                    member.protocol_order if member.delegation_id else 0,
                    name_key(member.family_name, "en"),
                    member.given_name.casefold(),
                    member.pk,
                )
            )
            section.groups.append(
                Group(
                    heading=heading,
                    participants=[_participant(m, roles, honorifics) for m in members],
                )
            )
        sections.append(section)
    return sections
