"""Migrations that change stored data: what they leave behind."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE_NORMALISED = ("registrations", "0003_reviewers_group")
NORMALISED = ("registrations", "0004_normalise_email_addresses")
BEFORE_THROUGH_MODEL = ("registrations", "0006_outgoing_email")
THROUGH_MODEL = ("registrations", "0007_registration_session_and_sectors")


@pytest.fixture
def migrator(transactional_db):
    """Move the database to a migration and back to the latest afterwards."""

    def migrate(target):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([target])
        return executor.loader.project_state([target]).apps

    yield migrate
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_stored_lookalike_addresses_become_one_mailbox_and_extra_ones_are_cancelled(
    migrator,
):
    apps = migrator(BEFORE_NORMALISED)
    Event = apps.get_model("registrations", "Event")
    Registration = apps.get_model("registrations", "Registration")
    now = timezone.now()
    event = Event.objects.create(
        title="Symposium",
        slug="symposium",
        starts_at=now + datetime.timedelta(days=30),
        ends_at=now + datetime.timedelta(days=30, hours=8),
        venue="Tokyo",
        host="Ministry",
        contact_email="secretariat@example.org",
        registration_opens_at=now - datetime.timedelta(days=1),
        registration_closes_at=now + datetime.timedelta(days=29),
        capacity=10,
    )

    def register(email, status, minutes_ago):
        return Registration.objects.create(
            event=event,
            given_name="Hanako",
            family_name="Yamada",
            email=email,
            organisation_other="Ministry of Justice",
            position="Counsellor",
            country="JP",
            category="government",
            consent_given_at=now,
            status=status,
            submitted_at=now - datetime.timedelta(minutes=minutes_ago),
            token=f"token-{email.encode().hex()}"[:64],
        )

    first = register("hanako@ｅｘａｍｐｌｅ.org", "pending", 30)
    approved_later = register("hanako@EXAMPLE.org", "approved", 20)
    invisible = register("hanako@exam\u200bple.org", "pending", 10)
    other = register("Someone@Else.ORG", "pending", 5)

    apps = migrator(NORMALISED)
    Registration = apps.get_model("registrations", "Registration")
    RegistrationChange = apps.get_model("registrations", "RegistrationChange")
    rows = {r.pk: r for r in Registration.objects.all()}
    assert {r.email for r in rows.values()} == {
        "hanako@example.org",
        "Someone@else.org",
    }
    # The approved registration keeps the mailbox; the others are cancelled.
    assert rows[approved_later.pk].status == "approved"
    assert rows[first.pk].status == rows[invisible.pk].status == "cancelled"
    assert rows[other.pk].status == "pending"
    notes = RegistrationChange.objects.filter(to_status="cancelled")
    assert {change.registration_id for change in notes} == {first.pk, invisible.pk}
    assert all(str(approved_later.pk) in change.note for change in notes)


def test_the_sessions_delegates_chose_survive_their_new_model(migrator):
    old = migrator(BEFORE_THROUGH_MODEL)
    Event = old.get_model("registrations", "Event")
    Session = old.get_model("registrations", "Session")
    Registration = old.get_model("registrations", "Registration")
    start = datetime.datetime(2027, 1, 20, 0, 30, tzinfo=datetime.UTC)
    event = Event.objects.create(
        title="Symposium",
        slug="symposium",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=8),
        venue="Tokyo",
        host="MOFA",
        contact_email="s@example.org",
        registration_opens_at=start - datetime.timedelta(days=60),
        registration_closes_at=start - datetime.timedelta(days=1),
        capacity=300,
    )
    opening, panel = (
        Session.objects.create(
            event=event,
            title=title,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=1),
        )
        for title in ("Opening", "Panel")
    )
    submitted = start - datetime.timedelta(days=20)
    registration = Registration.objects.create(
        event=event,
        given_name="Hanako",
        family_name="Yamada",
        email="hanako@example.jp",
        organisation_other="Kyodo News",
        position="Reporter",
        country="JP",
        category="press",
        consent_given_at=submitted,
        submitted_at=submitted,
    )
    registration.sessions.set([opening, panel])

    new = migrator(THROUGH_MODEL)
    RegistrationSession = new.get_model("registrations", "RegistrationSession")
    chosen = RegistrationSession.objects.filter(registration_id=registration.pk)
    assert sorted(chosen.values_list("session__title", flat=True)) == [
        "Opening",
        "Panel",
    ]
    assert {choice.chosen_at for choice in chosen} == {submitted}
