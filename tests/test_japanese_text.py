"""Japanese a ministry would sign, and English that names people properly.

Dates carry the weekday; punctuation is the language's own; required fields
ask to type or to choose; Japanese mail comes from a Japanese sender; names
are written as their owners write them; speakers as 氏名　所属　役職.
"""

import datetime
from email.header import decode_header, make_header

import pytest
from django.core import mail
from django.utils import translation

from registrations import services
from registrations.forms import RegistrationForm
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
    SpeakerFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db
TOKYO = datetime.timezone(datetime.timedelta(hours=9))


def approve(registration, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_approve(registration=registration, by=StaffUserFactory())
    [message] = mail.outbox
    return message


def test_japanese_mail_comes_from_a_japanese_sender(
    django_capture_on_commit_callbacks, settings
):
    settings.DEFAULT_FROM_EMAIL = "Symposium secretariat <symposium@mofa.example>"
    message = approve(
        RegistrationFactory(language="ja"), django_capture_on_commit_callbacks
    )
    sender = str(make_header(decode_header(message.message()["From"])))
    assert sender == "外務省 シンポジウム事務局 <symposium@mofa.example>"


def test_english_mail_keeps_the_configured_sender(
    django_capture_on_commit_callbacks, settings
):
    settings.DEFAULT_FROM_EMAIL = "Symposium secretariat <symposium@mofa.example>"
    message = approve(RegistrationFactory(), django_capture_on_commit_callbacks)
    assert message.from_email == "Symposium secretariat <symposium@mofa.example>"


@pytest.mark.parametrize(
    ("honorific", "salutation"),
    [
        ("dr", "Dear Dr Santos,"),
        ("ambassador", "Dear Ambassador Santos,"),
        ("excellency", "Your Excellency,"),
        ("", "Dear Maria Santos,"),
    ],
)
def test_the_english_salutation_uses_the_honorific_chosen(
    honorific, salutation, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(
        given_name="Maria", family_name="Santos", honorific=honorific
    )
    message = approve(registration, django_capture_on_commit_callbacks)
    assert message.body.startswith(salutation)


def test_a_latin_name_in_japanese_mail_is_not_turned_round(
    django_capture_on_commit_callbacks,
):
    registration = RegistrationFactory(
        given_name="Amelia", family_name="Hart", language="ja"
    )
    message = approve(registration, django_capture_on_commit_callbacks)
    assert message.body.startswith("Amelia Hart 様")
    assert "氏名：Amelia Hart" in message.body


def test_japanese_mail_writes_dates_with_the_weekday_and_its_own_colons(
    django_capture_on_commit_callbacks,
):
    event = EventFactory(
        starts_at=datetime.datetime(2027, 1, 20, 9, 30, tzinfo=TOKYO),
        ends_at=datetime.datetime(2027, 1, 20, 18, 0, tzinfo=TOKYO),
    )
    SessionFactory(
        event=event,
        title_ja="開会",
        room_ja="メインホール",
        starts_at=datetime.datetime(2027, 1, 20, 9, 30, tzinfo=TOKYO),
        ends_at=datetime.datetime(2027, 1, 20, 10, 15, tzinfo=TOKYO),
    )
    registration = RegistrationFactory(
        event=event,
        language="ja",
        name_ja="山田 花子",
        sessions=list(event.sessions.all()),
    )
    message = approve(registration, django_capture_on_commit_callbacks)
    assert "日時：2027年1月20日（水）9:30～18:00（日本時間）" in message.body
    assert "9:30～10:15　開会（メインホール）" in message.body
    assert "山田 花子（" in message.body
    assert ": " not in message.body.split("http")[0]


def test_english_dates_carry_the_weekday(client):
    event = EventFactory(
        starts_at=datetime.datetime(2027, 1, 20, 9, 30, tzinfo=TOKYO),
        ends_at=datetime.datetime(2027, 1, 20, 18, 0, tzinfo=TOKYO),
    )
    page = client.get(event.get_absolute_url()).content.decode()
    assert "Wednesday 20 January 2027, 09:30–18:00" in page


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("given_name", "入力してください。"),
        ("position", "入力してください。"),
        ("country", "選択してください。"),
        ("category", "選択してください。"),
    ],
)
def test_a_missing_answer_asks_to_type_or_to_choose(event, field, message):
    with translation.override("ja"):
        form = RegistrationForm({}, event=event)
        assert form.errors[field] == [message]
    with translation.override("en"):
        form = RegistrationForm({}, event=event)
        assert form.errors[field] == ["This field is required."]


def test_speakers_read_name_organisation_title_in_japanese(client):
    session = SessionFactory()
    session.speakers.add(
        SpeakerFactory(
            name="Carol Bellamy",
            name_ja="キャロル・ベラミー",
            title_ja="事務局長",
            organisation=OrganisationFactory(name_ja="国連児童基金（ユニセフ）"),
        )
    )
    with translation.override("ja"):
        page = client.get(session.event.get_absolute_url()).content.decode()
    assert "キャロル・ベラミー　国連児童基金（ユニセフ）　事務局長" in page
