"""The statistics page: numbers equal to direct counts, at a constant query cost."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registrations.models import ATTENDING, CheckIn, ExportLog, Registration, Sector
from registrations.selectors.statistics import event_statistics
from tests.factories import (
    DelegationFactory,
    EventFactory,
    OrganisationFactory,
    RegistrationFactory,
    SessionFactory,
    StaffUserFactory,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status
URL = "registrations:staff_statistics"
ACTIVE = (Status.PENDING, Status.APPROVED, Status.WAITLISTED)


@pytest.fixture
def analyst():
    return StaffUserFactory(permissions=["registrations.view_statistics"])


def stats_of(event):
    return event_statistics(event, rest_label="Other countries (%(count)s)")


def test_the_numbers_equal_direct_counts(seed):
    event = seed(400)
    stats = stats_of(event)
    registrations = Registration.objects.filter(event=event)
    assert stats.total == registrations.count() == 400
    for status in Status.values:
        assert (
            stats.by_status.get(status, 0)
            == registrations.filter(status=status).count()
        )
    assert stats.waiting_list == registrations.filter(status=Status.WAITLISTED).count()
    active = registrations.filter(status__in=ACTIVE)
    labels = dict(Sector.choices)
    for row in stats.by_category:
        value = next(k for k, v in labels.items() if str(v) == row.label)
        assert row.active == active.filter(category=value).count()
        assert row.approved == active.filter(category=value, status=ATTENDING).count()
    assert sum(row.active for row in stats.by_country) == active.count()
    assert sum(sum(day.values()) for _day, day in stats.over_time) == 400
    for session in stats.sessions:
        assert (
            session["approved"]
            == registrations.filter(
                status=ATTENDING, sessions__title=session["title"]
            ).count()
        )
    approved = registrations.filter(status=ATTENDING)
    headsets = dict(
        approved.values_list("interpretation").annotate(n=Count("pk")).order_by()
    )
    for row in stats.interpretation:
        value = next(
            k for k, v in Registration.Interpretation.choices if str(v) == row.label
        )
        assert row.approved == headsets.get(value, 0)
    assert (
        sum(count for _need, count in stats.dietary)
        == approved.exclude(dietary_needs="").count()
    )


def test_countries_after_the_first_twenty_are_added_up():
    event = EventFactory()
    codes = ["AU", "BD", "BN", "CA", "CN", "FJ", "FR", "GB", "ID", "IN", "JP", "KH"]
    codes += ["KR", "LA", "LK", "MM", "MN", "MY", "NP", "NZ", "PH", "PK", "SG"]
    for place, code in enumerate(codes):
        for _ in range(len(codes) - place):
            RegistrationFactory(event=event, country=code)
    rows = stats_of(event).by_country
    assert len(rows) == 21
    assert rows[0].label == "Australia" and rows[0].active == 23
    assert rows[-1].label == "Other countries (3)"
    assert rows[-1].active == 3 + 2 + 1


def test_delegations_and_sessions_are_counted_against_quota_and_capacity():
    event = EventFactory()
    session = SessionFactory(event=event, capacity=2, room="Room B")
    delegation = DelegationFactory(
        event=event, organisation=OrganisationFactory(name="Government of Fiji")
    )
    for status in (Status.APPROVED, Status.APPROVED, Status.PENDING):
        RegistrationFactory(
            event=event,
            delegation=delegation,
            delegation_role="member",
            status=status,
            sessions=[session],
        )
    stats = stats_of(event)
    assert stats.by_delegation == [
        {"name": "Government of Fiji", "quota": 5, "nominated": 3, "approved": 2}
    ]
    assert stats.sessions[0]["approved"] == 2
    assert stats.sessions[0]["capacity"] == 2


def page_queries(client, event) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(URL), {"event": event.slug})
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_page_makes_as_many_queries_for_5000_registrations_as_for_10(
    client, analyst, seed
):
    client.force_login(analyst)
    event = seed(10)
    for_ten, _page = page_queries(client, event)
    seed(4_990)
    assert Registration.objects.filter(event=event).count() == 5_000
    for_5000, page = page_queries(client, event)
    assert for_5000 == for_ten
    assert "<svg" in page and "<table" in page


def test_every_chart_has_its_numbers_in_a_table(client, analyst, seed):
    client.force_login(analyst)
    event = seed(50)
    page = client.get(reverse(URL), {"event": event.slug}).content.decode()
    assert page.count('role="img"') >= 6
    assert page.count("<table") >= page.count('role="img"')
    approved = Registration.objects.filter(event=event, status=ATTENDING).count()
    assert f'<td class="number">{approved}</td>' in page
    assert "style=" not in page.split('<div id="content-main">')[1]
    assert "<script" not in page.split('<div id="content-main">')[1]


def test_only_staff_with_the_permission_see_the_page(client, event):
    url = reverse(URL)
    assert client.get(url).status_code == 302  # to the admin's sign-in
    client.force_login(
        StaffUserFactory(permissions=["registrations.view_registration"])
    )
    assert client.get(url).status_code == 403


def test_the_caterer_s_list_names_the_approved_delegates_with_needs(client, event):
    RegistrationFactory(
        event=event, family_name="Tanaka", status=Status.APPROVED, dietary_needs="Halal"
    )
    RegistrationFactory(event=event, family_name="Ito", status=Status.APPROVED)
    RegistrationFactory(
        event=event, family_name="Mori", status=Status.PENDING, dietary_needs="Vegan"
    )
    user = StaffUserFactory(
        permissions=[
            "registrations.view_statistics",
            "registrations.export_registration",
        ]
    )
    client.force_login(user)
    response = client.get(
        reverse("registrations:staff_needs_xlsx"), {"event": event.slug}
    )
    content = b"".join(response.streaming_content)
    rows = list(openpyxl.load_workbook(io.BytesIO(content)).active.values)
    assert [row[0] for row in rows[1:]] == ["TANAKA"]
    assert rows[1][4] == "Halal"
    log = ExportLog.objects.get()
    assert log.document == ExportLog.Document.NEEDS and log.row_count == 1
    response = client.get(
        reverse("registrations:staff_needs_csv"), {"event": event.slug}
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][0] == "TANAKA"


def test_the_caterer_s_list_needs_the_export_permission(client, event, analyst):
    client.force_login(analyst)
    response = client.get(
        reverse("registrations:staff_needs_xlsx"), {"event": event.slug}
    )
    assert response.status_code == 403


def test_an_unknown_event_is_a_404_not_a_500(client, analyst):
    client.force_login(analyst)
    assert client.get(reverse(URL), {"event": "no-such-event"}).status_code == 404


def test_once_the_day_has_begun_the_page_counts_who_came_in_by_category(
    client, analyst
):
    event = EventFactory()
    government = RegistrationFactory.create_batch(
        3, event=event, status=ATTENDING, category=Sector.GOVERNMENT
    )
    RegistrationFactory(event=event, status=ATTENDING, category=Sector.NGO)
    for place, registration in enumerate(government[:2]):
        CheckIn.objects.create(
            event=event,
            registration=registration,
            door="Door 1",
            device="tablet-1",
            nonce=f"nonce-{place}",
            method=CheckIn.Method.QR,
            scanned_at=event.starts_at,
        )
    client.force_login(analyst)
    before = client.get(reverse(URL), {"event": event.slug}).content.decode()
    assert "Checked in at the door" not in before
    with time_machine.travel(event.starts_at + datetime.timedelta(hours=1)):
        client.force_login(analyst)
        page = client.get(reverse(URL), {"event": event.slug}).content.decode()
    assert "2 of 4 approved delegates have come in." in page
    section = page.split('id="checkin-heading"')[1].split("</section>")[0]
    rows = re.findall(
        r'<th scope="row">([^<]+)</th><td class="number">(\d+)</td>'
        r'<td class="number">(\d+)</td>',
        section,
    )
    assert dict((label, (int(a), int(b))) for label, a, b in rows) == {
        str(Sector.GOVERNMENT.label): (2, 3),
        str(Sector.NGO.label): (0, 1),
    }
