"""English and Japanese throughout: the catalogue, the pages, the switch, emails, admin.

The Japanese catalogue must be complete and in step with the code: the test
that regenerates it runs the makemessages command written in README.md (under
"Translations"), in a copy of the project, so that the two cannot drift apart.
"""

import datetime
import re
import shlex
import shutil
from pathlib import Path

import polib
import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation

from registrations import services
from registrations.documents import columns, csv
from registrations.models import Registration
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
)
from tests.test_registration_views import form_data
from tests.test_security import lock_out

pytestmark = pytest.mark.django_db
BASE_DIR = Path(settings.BASE_DIR)
CATALOGUE = BASE_DIR / "locale" / "ja" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")
MARKUP = re.compile(r"<[^>]+>")
Status = Registration.Status

# What every public page shows, in English and in Japanese.
CHROME = [
    ("Skip to main content", "本文へスキップ"),
    ("All times are Japan Standard Time", "時刻は全て日本時間"),
]
# English that no Japanese page may show.
ENGLISH_UI = [
    "Register to attend",
    "Programme",
    "Your registration",
    "Status",
    "Send my registration",
    "What happens next",
    "Japan Standard Time",
    "Pending review",
    "Skip to main content",
    "Organised by",
    "Please",
]


def message_key(entry) -> tuple:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def messages(catalogue) -> set[tuple]:
    return {message_key(entry) for entry in catalogue if not entry.obsolete}


def translations(catalogue) -> dict[tuple, tuple[str, ...]]:
    """Return each message's translation(s), plural forms in order."""
    return {
        message_key(entry): tuple(
            entry.msgstr_plural[form] for form in sorted(entry.msgstr_plural)
        )
        if entry.msgid_plural
        else (entry.msgstr,)
        for entry in catalogue
        if not entry.obsolete
    }


# The catalogue


def test_the_japanese_catalogue_is_complete_and_has_one_plural_form():
    catalogue = polib.pofile(CATALOGUE)
    assert catalogue.metadata["Language"] == "ja"
    assert catalogue.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert not catalogue.metadata_is_fuzzy
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    assert [entry.msgid for entry in catalogue.obsolete_entries()] == []
    for entry in catalogue:
        if entry.msgid_plural:
            assert sorted(entry.msgstr_plural) == [0], entry.msgid


def test_every_translation_keeps_the_placeholders_and_markup_of_its_message():
    for entry in polib.pofile(CATALOGUE):
        # Japanese has one form, which stands for the plural one too.
        source = entry.msgid_plural or entry.msgid
        for translated in translations([entry])[message_key(entry)]:
            assert set(PLACEHOLDER.findall(translated)) == set(
                PLACEHOLDER.findall(entry.msgid + source)
            ), entry.msgid
            assert sorted(MARKUP.findall(translated)) == sorted(
                MARKUP.findall(source)
            ), entry.msgid


def test_the_compiled_catalogue_says_what_the_po_file_says():
    assert translations(polib.mofile(COMPILED)) == translations(
        polib.pofile(CATALOGUE)
    ), "compile the catalogue again (README.md, Translations)"


def readme_makemessages_options() -> list[str]:
    """Return the options of the makemessages command README.md gives."""
    readme = (BASE_DIR / "README.md").read_text()
    block = readme.split("<!-- makemessages-command -->", 1)[1]
    command = next(line for line in block.splitlines() if "makemessages" in line)
    words = shlex.split(command)
    return words[words.index("makemessages") + 1 :]


@pytest.mark.skipif(
    shutil.which("xgettext") is None,
    reason="GNU gettext (xgettext) is not installed; .ci/run installs it",
)
def test_the_catalogue_is_in_step_with_the_code(tmp_path, monkeypatch):
    """Regenerating the catalogue as README.md says would add or drop nothing."""
    project = tmp_path / "project"
    shutil.copytree(
        BASE_DIR,
        project,
        ignore=shutil.ignore_patterns(".*", "staticfiles", "__pycache__", "*.sqlite3*"),
    )
    monkeypatch.chdir(project)
    with override_settings(LOCALE_PATHS=[project / "locale"]):
        call_command("makemessages", *readme_makemessages_options(), verbosity=0)

    committed = messages(polib.pofile(CATALOGUE))
    regenerated = messages(
        polib.pofile(project / "locale" / "ja" / "LC_MESSAGES" / "django.po")
    )
    assert sorted(regenerated - committed, key=str) == [], "new strings to translate"
    assert sorted(committed - regenerated, key=str) == [], "strings no longer used"


# The public pages in both languages


@pytest.fixture
def registration():
    event = EventFactory()
    session = SessionFactory(event=event, title="Opening", title_ja="開会")
    return RegistrationFactory(
        event=event,
        given_name="Hanako",
        family_name="Yamada",
        name_ja="山田 花子",
        position="Counsellor",
        sessions=[session],
    )


@pytest.fixture
def page_url(registration):
    """Return a function giving the address of a public page in a language."""
    closed = EventFactory(
        registration_opens_at=timezone.now() - datetime.timedelta(days=9),
        registration_closes_at=timezone.now() - datetime.timedelta(days=1),
    )
    arguments = {
        "home": {},
        "event": {"slug": registration.event.slug},
        "register": {"slug": registration.event.slug},
        "registered": {"slug": registration.event.slug},
        "closed": {"slug": closed.slug},
        "private": {"token": registration.token},
        "private_edit": {"token": registration.token},
        "private_cancel": {"token": registration.token},
        "404": {"token": "no-such-link-" + "x" * 30},
    }
    views = {"closed": "register", "404": "private"}

    def url(name: str, language: str) -> str:
        with translation.override(language):
            view = views.get(name, name)
            return reverse(f"registrations:{view}", kwargs=arguments[name])

    return url


# Each page, and what it says in English and in Japanese.
PAGES = {
    "home": [
        ("Register to attend", "参加登録"),
        ("Programme", "プログラム"),
        ("Japan Standard Time (JST)", "（日本時間）"),
    ],
    "event": [("About the symposium", "シンポジウムの概要")],
    "register": [
        ("Send my registration", "登録する"),
        ("How we use your data", "個人情報の取扱いについて"),
        ("Name in Japanese script (optional)", "氏名の日本語表記（任意）"),
    ],
    "registered": [
        ("What happens next", "今後の流れ"),
        (
            "Thank you: please look in your inbox",
            "ありがとうございます。受信トレイをご確認ください",
        ),
    ],
    "closed": [("Registration is closed", "参加登録の受付は終了しました")],
    "private": [
        ("Your registration", "ご登録内容"),
        ("Status", "登録状況"),
        ("Pending review", "審査待ち"),
    ],
    "private_edit": [
        ("Correct my details", "登録内容を修正する"),
        ("Save my changes", "変更を保存する"),
    ],
    "private_cancel": [
        ("Cancel my registration", "参加登録を取り消す"),
        ("Yes, cancel my registration", "はい、参加登録を取り消します"),
    ],
    "404": [("We could not find this page", "お探しのページが見つかりませんでした")],
}


def get_page(client, settings, page_url, name, language):
    # The friendly 404 page is the production one.
    settings.DEBUG = name != "404"
    response = client.get(page_url(name, language))
    assert response.status_code == (404 if name == "404" else 200)
    return response


@pytest.mark.parametrize("name", PAGES)
def test_each_public_page_speaks_japanese_with_no_english_left(
    client, settings, page_url, name
):
    japanese = get_page(client, settings, page_url, name, "ja").content.decode()
    english = get_page(client, settings, page_url, name, "en").content.decode()
    # Japanese headings mark where they may break (BudouX): read them whole.
    japanese = re.sub(r'<wbr>|<span class="phrases">', "", japanese)

    assert '<html lang="ja">' in japanese and '<html lang="en">' in english
    for in_english, in_japanese in PAGES[name] + CHROME:
        assert in_japanese in japanese, in_japanese
        assert in_english in english, in_english
        assert in_japanese not in english, in_japanese
    for text in ENGLISH_UI:
        assert text not in japanese, text


def language_switch(page: str) -> str:
    """Return the address the page's language switch links to."""
    nav = page.split('class="language-switch"', 1)[1].split("</nav>", 1)[0]
    return re.search(r'href="([^"]+)"', nav).group(1)


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(("language", "other"), [("en", "ja"), ("ja", "en")])
def test_the_language_switch_keeps_the_visitor_on_the_same_page(
    client, settings, page_url, name, language, other
):
    page = get_page(client, settings, page_url, name, language)
    target = language_switch(page.content.decode())
    assert target == page_url(name, other)
    assert target.startswith(f"/{other}/") and "?" not in target

    followed = client.get(target)
    assert followed.status_code == page.status_code
    assert f'<html lang="{other}">' in followed.content.decode()


def test_the_switch_on_an_address_that_names_no_page_changes_only_the_language(
    client, settings
):
    settings.DEBUG = False
    response = client.get("/ja/no/such/page/")
    assert response.status_code == 404
    assert language_switch(response.content.decode()) == "/en/no/such/page/"


@pytest.mark.parametrize(
    ("accept_language", "landing"),
    [
        ("ja", "/ja/"),
        ("ja-JP,ja;q=0.9,en;q=0.8", "/ja/"),
        ("en-GB,en;q=0.9", "/en/"),
        ("fr-FR,fr;q=0.9", "/en/"),
        (None, "/en/"),
    ],
)
def test_the_site_root_sends_the_visitor_to_the_language_the_browser_prefers(
    client, accept_language, landing
):
    headers = {"accept-language": accept_language} if accept_language else {}
    response = client.get("/", headers=headers)
    assert response.status_code == 302
    assert response["Location"] == landing


def test_a_refused_form_says_why_in_japanese(registration):
    with translation.override("ja"):
        url = reverse(
            "registrations:register", kwargs={"slug": registration.event.slug}
        )
    refused = Client(enforce_csrf_checks=True).post(url, {})
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "フォームを送信できませんでした" in page
    assert "Please go back" not in page


def test_the_admin_lockout_page_says_when_to_try_again_in_japanese(client, settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    ten_in_tokyo = datetime.datetime(2027, 1, 20, 1, 0, tzinfo=datetime.UTC)
    with time_machine.travel(ten_in_tokyo, tick=False):
        response = lock_out(client)
    assert response.status_code == 429
    assert "10:15 JST以降（15分後）に再度お試しください。" in response.content.decode()


# Dates, times and names


@pytest.fixture
def dated_event():
    """An event on 20 January 2027, 9:30 to 18:00 in Tokyo (given in UTC)."""
    starts = datetime.datetime(2027, 1, 20, 0, 30, tzinfo=datetime.UTC)
    return EventFactory(
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=8, minutes=30),
        registration_opens_at=starts - datetime.timedelta(days=60),
        registration_closes_at=starts - datetime.timedelta(days=1),
    )


def test_dates_are_written_the_japanese_way_in_japan_standard_time(client, dated_event):
    with translation.override("ja"):
        japanese = client.get(dated_event.get_absolute_url()).content.decode()
    english = client.get(dated_event.get_absolute_url()).content.decode()
    assert "2027年1月20日（水）9:30～18:00（日本時間）" in japanese
    assert "Wednesday 20 January 2027, 09:30–18:00 Japan Standard Time" in english


def test_a_japanese_page_writes_romaji_after_the_name_and_latin_names_as_given(
    client, registration
):
    latin_only = RegistrationFactory(
        event=registration.event, given_name="Maria", family_name="Santos"
    )
    with translation.override("ja"):
        mine = client.get(registration.private_path()).content.decode()
        hers = client.get(latin_only.private_path()).content.decode()
    assert "山田 花子（YAMADA Hanako）" in mine
    # A name in Latin letters only is not turned round.
    assert "Maria Santos" in hers and "Santos Maria" not in hers
    english = client.get(latin_only.private_path()).content.decode()
    assert "Maria Santos" in english


# Emails in the delegate's language


def test_a_delegate_who_registers_in_japanese_is_written_to_in_japanese(
    client, event, django_capture_on_commit_callbacks
):
    with translation.override("ja"):
        url = reverse("registrations:register", kwargs={"slug": event.slug})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form_data(event))
    assert response.status_code == 302

    registration = Registration.objects.get()
    assert registration.language == "ja"
    [message] = mail.outbox
    assert message.subject == f"参加登録受付のお知らせ（{event.title_ja}）"
    assert message.body.startswith("山田 花子 様")
    assert "ご登録いただき、誠にありがとうございます" in message.body
    assert "ご登録を確かに承りました" in message.body
    assert f"/ja/registration/{registration.token}/" in message.body
    for english in ("Dear", "Thank you", "Your registration", "Status"):
        assert english not in message.body
    html = message.alternatives[0][0]
    assert '<html lang="ja">' in html and "ご登録内容を確認する" in html


NOTE = "Attendance is limited to invited organisations."
DECISIONS = {
    Status.APPROVED: {
        "review": services.registration_approve,
        "ja": ("参加登録承認のお知らせ", "ご参加登録を承認いたしました"),
        "en": ("Registration approved", "pleased to confirm your registration"),
    },
    Status.REJECTED: {
        "review": services.registration_reject,
        "ja": (
            "参加登録について",
            "誠に残念ながら、今回はご登録をお受けいたしかねます",
        ),
        "en": ("Your registration", "unable to confirm your registration"),
    },
    Status.WAITLISTED: {
        "review": services.registration_waitlist,
        "ja": ("キャンセル待ちのお知らせ", "キャンセル待ちの順番：1番目"),
        "en": ("Waiting list", "Your position on the waiting list: 1."),
    },
}


@pytest.mark.parametrize("decision", DECISIONS)
@pytest.mark.parametrize("language", ["ja", "en"])
def test_each_decision_reaches_the_delegate_in_the_language_they_registered_in(
    superuser, django_capture_on_commit_callbacks, decision, language
):
    registration = RegistrationFactory(
        language=language, given_name="Hanako", family_name="Yamada", name_ja=""
    )
    review = DECISIONS[decision]["review"]
    # The reviewer works in the other language; the email ignores that.
    with translation.override("en" if language == "ja" else "ja"):
        with django_capture_on_commit_callbacks(execute=True):
            review(registration=registration, by=superuser, note=NOTE)

    [message] = mail.outbox
    subject, sentence = DECISIONS[decision][language]
    event = registration.event
    assert message.subject.startswith(subject)
    assert (event.title_ja if language == "ja" else event.title) in message.subject
    assert sentence in message.body
    salutation = "Hanako Yamada 様" if language == "ja" else "Dear Hanako Yamada,"
    assert message.body.startswith(salutation)
    assert f"/{language}/registration/{registration.token}/" in message.body
    if decision != Status.APPROVED:
        # A rejection's or a waiting list's note goes to the delegate as written.
        assert NOTE in message.body
    if language == "ja":
        for english in ("Dear", "Thank you", "Your private link"):
            assert english not in message.body


def test_the_japanese_email_gives_the_date_the_japanese_way_in_tokyo_time(
    dated_event, superuser, django_capture_on_commit_callbacks
):
    registration = RegistrationFactory(event=dated_event, language="ja")
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_approve(registration=registration, by=superuser)
    assert "日時：2027年1月20日（水）9:30～18:00（日本時間）" in mail.outbox[0].body


# The admin and the exports


@pytest.fixture
def japanese_admin(client, superuser):
    client.force_login(superuser)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    return client


def test_the_admin_speaks_japanese_with_our_names_for_things(
    japanese_admin, registration
):
    registration.organisation.name_ja = "法務省"
    registration.organisation.save()
    page = japanese_admin.get(
        reverse("admin:registrations_registration_changelist")
    ).content.decode()
    assert '<html lang="ja"' in page
    for japanese in (
        "参加登録",  # the model's name
        "選択した参加登録を承認する",  # an action
        "審査待ち",  # a status
        "登録状況",  # a column and a filter
        "国・地域",  # a filter
    ):
        assert japanese in page, japanese
    for english in ("Approve selected registrations", "Pending review", "Status"):
        assert english not in page, english
    assert "YAMADA Hanako (山田 花子)" in page
    assert "法務省" in page


def test_the_admins_language_switch_turns_it_japanese(client, superuser, registration):
    client.force_login(superuser)
    changelist = reverse("admin:registrations_registration_changelist")
    response = client.post(
        reverse("set_language"), {"language": "ja", "next": changelist}
    )
    assert response["Location"] == changelist
    assert "選択した参加登録を承認する" in client.get(changelist).content.decode()


def test_the_export_headers_are_translated_for_japanese_staff():
    with translation.override("en"):
        english = columns.column_headers()
    with translation.override("ja"):
        japanese = columns.column_headers()
    assert [j for e, j in zip(english, japanese, strict=True) if e == j] == []
    assert japanese[:6] == [
        "登録番号",
        "登録状況",
        "敬称",
        "姓（ローマ字）",
        "名（ローマ字）",
        "氏名（日本語表記）",
    ]


def test_a_japanese_export_names_organisations_and_statuses_in_japanese():
    registration = RegistrationFactory(
        organisation=OrganisationFactory(name="Ministry of Justice", name_ja="法務省"),
        status=Status.WAITLISTED,
    )
    with translation.override("ja"):
        [typed] = list(columns.attendee_rows(Registration.objects.all()))
        row = [csv.text_cell(value) for value in typed]
    assert row[0] == str(registration.pk)
    assert row[1] == "キャンセル待ち"
    assert "法務省" in row


def test_japanese_headings_break_between_phrases_never_inside_a_word():
    from registrations.templatetags.symposium import phrases

    title = "アジア太平洋地域における人の密輸対策に関する国際シンポジウム"
    with translation.override("ja"):
        html = str(phrases(title))
    assert html.startswith('<span class="phrases">') and html.endswith("</span>")
    pieces = html.removeprefix('<span class="phrases">').removesuffix("</span>")
    assert "".join(pieces.split("<wbr>")) == title
    assert "国際シンポジウム" in pieces.split("<wbr>")
    with translation.override("en"):
        assert phrases("International Symposium") == "International Symposium"
    with translation.override("ja"):
        assert str(phrases("<b>")) == '<span class="phrases">&lt;b&gt;</span>'


@pytest.mark.parametrize(
    ("language", "first", "second"),
    [("en", "given_name", "family_name"), ("ja", "family_name", "given_name")],
)
def test_the_error_summary_names_the_names_in_the_order_the_form_shows_them(
    client, event, language, first, second
):
    with translation.override(language):
        url = reverse("registrations:register", kwargs={"slug": event.slug})
    response = client.post(url, {})
    page = response.content.decode()
    summary = page[page.index('id="form-errors"') :]
    assert summary.index(f'href="#id_{first}"') < summary.index(f'href="#id_{second}"')
    form = page[page.index("<form") :]
    assert form.index(f'id="id_{first}"') < form.index(f'id="id_{second}"')
