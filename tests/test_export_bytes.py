"""The CSV file is the same, byte for byte, whichever module writes it.

The expected files below are what the export wrote for this data before its
code moved into ``registrations/documents/``, with every field quoted since
(so that no import splitting on a semicolon or a tab shifts a column), and
the delegation's three columns since delegations came; a change of layout
must not change a byte of what organisers open in Excel.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation

from registrations.models import Registration
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db
Status = Registration.Status

ENGLISH = (
    '\ufeff"ID","Status","Honorific","Family name","Given name",'
    '"Name in Japanese script","Email","Organisation","Organisation kind",'
    '"Position","Delegation","Role in the delegation","Protocol rank or title",'
    '"Country","Country code","Category","Sessions","Dietary needs",'
    '"Accessibility needs","Interpretation","Submitted at","Reviewed at",'
    '"Reviewed by"\r\n'
    '"{abe}","Waiting list","","Abe","Somchai","","s@example.org","Kyodo News",'
    '"","\'-","","","","Thailand","TH","Press","",'
    '"Halal; ""no pork""\r\nThanks","",'
    '"Not needed","2026-12-01T12:00:00+09:00","",""\r\n'
    '"{yamada}","Approved","H.E.","Yamada, ""Hana""","Hanako","山田 花子",'
    '"hanako@example.jp","Ministry of Justice","Non-governmental organisation",'
    '"Counsellor,\nTreaties Division","","","","Japan","JP",'
    '"Non-governmental organisation",'
    '"Opening; Cooperation panel","\'=1+1","","Into Japanese",'
    '"2026-11-27T09:30:00+09:00","2026-11-28T00:00:05+09:00","tanaka"\r\n'
)
JAPANESE = (
    '\ufeff"登録番号","登録状況","敬称","姓（ローマ字）","名（ローマ字）",'
    '"氏名（日本語表記）","メールアドレス","所属機関","所属機関の種別","役職",'
    '"代表団","代表団での役割","儀典上の肩書又は敬称","国・地域","国・地域コード",'
    '"参加区分","セッション","食事に関する配慮",'
    '"アクセシビリティに関する配慮","通訳","登録日時","審査日時","審査担当者"\r\n'
    '"{abe}","キャンセル待ち","","Abe","Somchai","","s@example.org","Kyodo News",'
    '"","\'-","","","","タイ","TH","報道関係","",'
    '"Halal; ""no pork""\r\nThanks","","不要",'
    '"2026-12-01T12:00:00+09:00","",""\r\n'
    '"{yamada}","承認済み","閣下（H.E.）","Yamada, ""Hana""","Hanako","山田 花子",'
    '"hanako@example.jp","法務省","非政府組織（NGO）","Counsellor,\nTreaties Division",'
    '"","","","日本","JP","非政府組織（NGO）","開会; 協力パネル","\'=1+1","",'
    '"日本語への通訳",'
    '"2026-11-27T09:30:00+09:00","2026-11-28T00:00:05+09:00","tanaka"\r\n'
)


@pytest.fixture
def attendees():
    """Two delegates whose rows use every column, quoting and neutralisation."""
    event = EventFactory(slug="apac")
    opening = SessionFactory(
        event=event, title="Opening", title_ja="開会", starts_at=event.starts_at
    )
    panel = SessionFactory(
        event=event,
        title="Cooperation panel",
        title_ja="協力パネル",
        starts_at=event.starts_at + datetime.timedelta(hours=2),
    )
    yamada = RegistrationFactory(
        event=event,
        status=Status.APPROVED,
        honorific=Registration.Honorific.EXCELLENCY,
        given_name="Hanako",
        family_name='Yamada, "Hana"',
        name_ja="山田 花子",
        email="hanako@example.jp",
        organisation=OrganisationFactory(name="Ministry of Justice", name_ja="法務省"),
        position="Counsellor,\nTreaties Division",
        country="JP",
        category=Registration.Category.NGO,
        dietary_needs="=1+1",
        interpretation=Registration.Interpretation.INTO_JAPANESE,
        submitted_at=datetime.datetime(2026, 11, 27, 0, 30, tzinfo=datetime.UTC),
        reviewed_at=datetime.datetime(2026, 11, 27, 15, 0, 5, tzinfo=datetime.UTC),
        reviewed_by=get_user_model().objects.create_user("tanaka"),
        sessions=[panel, opening],
    )
    abe = RegistrationFactory(
        event=event,
        status=Status.WAITLISTED,
        given_name="Somchai",
        family_name="Abe",
        email="s@example.org",
        organisation=None,
        organisation_other="Kyodo News",
        position="-",
        country="TH",
        category=Registration.Category.PRESS,
        dietary_needs='Halal; "no pork"\r\nThanks',
        submitted_at=datetime.datetime(2026, 12, 1, 3, 0, tzinfo=datetime.UTC),
    )
    return event, {"abe": abe.pk, "yamada": yamada.pk}


def exported(event, language: str) -> bytes:
    from registrations.documents import audit, selection

    with translation.override(language):
        export = audit.export_start(
            selection=selection.for_command(event=event, options={}), user=None
        )
        return b"".join(export)


@pytest.mark.parametrize(("language", "expected"), [("en", ENGLISH), ("ja", JAPANESE)])
def test_the_csv_is_byte_for_byte_what_it_was(attendees, language, expected):
    event, ids = attendees
    assert exported(event, language) == expected.format(**ids).encode()
