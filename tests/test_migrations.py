"""Migrations that change stored data: what they leave behind."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = ("registrations", "0003_reviewers_group")
AFTER = ("registrations", "0004_normalise_email_addresses")


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
    apps = migrator(BEFORE)
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

    apps = migrator(AFTER)
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
