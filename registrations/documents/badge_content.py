"""What a badge says, in both languages, read once for a whole selection.

A badge is bilingual whoever prints it: the event, the category, the country
and the delegation role are given in English and in Japanese, whatever the
language of the staff member's page. The delegate's name is printed as they
typed it, family name in capitals, and in Japanese script when they gave one.
"""

from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import override
from django_countries import countries

from registrations.models import Event, Registration, Sector

# The colour band of each category, with white text on it (each at least
# 4.5:1 against white, so the label stays readable; the label, not the
# colour alone, says the category).
CATEGORY_COLOURS = {
    Sector.GOVERNMENT: "#1d4e89",
    Sector.INTERNATIONAL: "#0a6f9e",
    Sector.NGO: "#2e7031",
    Sector.ACADEMIC: "#6a3d9a",
    Sector.PRESS: "#b04a00",
    Sector.STAFF: "#b3261e",
    Sector.OTHER: "#555555",
}


@dataclass(frozen=True)
class BadgeContent:
    """Everything printed on one badge."""

    event_title: str
    event_title_ja: str
    event_line: str
    event_line_ja: str
    name: str
    name_ja: str
    organisation: str
    organisation_ja: str
    country: str
    category: str
    category_label: str
    secret: str
    short_code: str
    photo: bytes | None = None
    # The role in the delegation, in English and Japanese, e.g. "Head of
    # delegation / 代表団長"; empty when none.
    delegation_role: str = ""
    head_of_delegation: bool = False

    @property
    def colour(self) -> str:
        return CATEGORY_COLOURS.get(self.category, CATEGORY_COLOURS[Sector.OTHER])

    def all_text(self) -> str:
        """Return every text printed, for the check of characters the fonts lack."""
        return " ".join(
            [
                self.name,
                self.name_ja,
                self.organisation,
                self.organisation_ja,
                self.country,
            ]
        )


def both_languages(english: str, japanese: str) -> str:
    """Return "English / 日本語", or one of them when the other is missing or equal."""
    if not japanese or japanese == english:
        return english
    if not english:
        return japanese
    return f"{english} / {japanese}"


def latin_name(registration: Registration) -> str:
    """Return the name as typed, family name in capitals: "Helena KARLÉN"."""
    return f"{registration.given_name} {registration.family_name.upper()}"


def delegation_role(registration: Registration) -> tuple[str, bool]:
    """Return the delegation role to print, in both languages, and whether head.

    The place for the delegations' ``Registration.delegation_role`` (one of
    ``Registration.DelegationRole``: head, alternate, adviser, member,
    observer): printed under the name, the head of delegation marked. Until
    a registration has that field, no role is printed.
    """
    role = getattr(registration, "delegation_role", "")
    if not role:
        return "", False
    choice = type(registration).DelegationRole(role)
    with override("en"):
        english = str(choice.label)
    with override("ja"):
        japanese = str(choice.label)
    is_head = choice == type(registration).DelegationRole.HEAD
    return both_languages(english, japanese), is_head


@dataclass(frozen=True)
class EventTexts:
    """The event's lines and the labels in both languages, worked out once."""

    title: str
    title_ja: str
    line: str
    line_ja: str
    categories: dict[str, str]
    countries_en: dict[str, str]
    countries_ja: dict[str, str]


def event_texts(event: Event | None) -> EventTexts:
    """Return what every badge of ``event`` shares, in both languages."""
    categories: dict[str, str] = {}
    for value in Sector.values:
        with override("en"):
            english = str(Sector(value).label)
        with override("ja"):
            japanese = str(Sector(value).label)
        categories[value] = both_languages(english.upper(), japanese)
    with override("en"):
        countries_en = dict(countries)
    with override("ja"):
        countries_ja = dict(countries)
    if event is None:
        return EventTexts("", "", "", "", categories, countries_en, countries_ja)
    day = timezone.localtime(event.starts_at).date()
    with override("en"):
        english_day = formats.date_format(day, "j F Y")
    japanese_day = f"{day.year}年{day.month}月{day.day}日"
    english_line = f"{english_day} · {event.venue}"
    japanese_line = f"{japanese_day} · {event.venue_ja}" if event.venue_ja else ""
    return EventTexts(
        title=event.title,
        title_ja=event.title_ja,
        line=english_line,
        line_ja=japanese_line,
        categories=categories,
        countries_en=countries_en,
        countries_ja=countries_ja,
    )


def badge_content(
    registration: Registration,
    *,
    secret: str,
    short_code: str,
    texts: EventTexts,
    photo: bytes | None,
) -> BadgeContent:
    """Return what the badge of ``registration`` says.

    ``registration`` comes with its organisation (``select_related``).
    """
    organisation = registration.organisation
    if organisation is not None:
        english_org = organisation.name
        japanese_org = (
            organisation.name_ja if organisation.name_ja != english_org else ""
        )
    else:
        english_org, japanese_org = registration.organisation_other, ""
    code = str(registration.country)
    role, is_head = delegation_role(registration)
    return BadgeContent(
        event_title=texts.title,
        event_title_ja=texts.title_ja,
        event_line=texts.line,
        event_line_ja=texts.line_ja,
        name=latin_name(registration),
        name_ja=registration.name_ja,
        organisation=english_org,
        organisation_ja=japanese_org,
        country=both_languages(
            texts.countries_en.get(code, code), texts.countries_ja.get(code, "")
        ),
        category=registration.category,
        category_label=texts.categories.get(registration.category, ""),
        secret=secret,
        short_code=short_code,
        photo=photo,
        delegation_role=role,
        head_of_delegation=is_head,
    )
