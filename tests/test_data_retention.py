"""Personal data is deleted when the privacy notice says it will be."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from registrations.mail import outbox
from registrations.models import OutgoingEmail, Registration, RegistrationChange
from tests.factories import EventFactory, OutgoingEmailFactory, RegistrationFactory

pytestmark = pytest.mark.django_db


def event_ended_days_ago(days):
    ended = timezone.now() - datetime.timedelta(days=days)
    return EventFactory(
        starts_at=ended - datetime.timedelta(hours=8),
        ends_at=ended,
        registration_opens_at=ended - datetime.timedelta(days=60),
        registration_closes_at=ended - datetime.timedelta(days=2),
    )


def delete(*args):
    out = StringIO()
    call_command("delete_expired_registrations", *args, stdout=out)
    return out.getvalue()


def test_registrations_past_retention_are_deleted_with_their_history(settings):
    settings.REGISTRATION_RETENTION_DAYS = 183
    old = RegistrationFactory(event=event_ended_days_ago(200))
    RegistrationChange.objects.create(registration=old, actor="delegate")
    recent = RegistrationFactory(event=event_ended_days_ago(100))
    upcoming = RegistrationFactory()

    assert "Would delete 1 registrations" in delete("--dry-run")
    assert Registration.objects.count() == 3

    assert "Deleted 1 registrations" in delete()
    assert set(Registration.objects.all()) == {recent, upcoming}
    assert not RegistrationChange.objects.filter(registration_id=old.pk).exists()


def test_the_emails_to_a_deleted_registration_go_with_it():
    old = RegistrationFactory(event=event_ended_days_ago(400))
    waiting = OutgoingEmailFactory(registration=old)
    kept = OutgoingEmailFactory()
    delete()
    assert list(OutgoingEmail.objects.all()) == [kept]
    # A delivery still queued for it finds nothing to send.
    assert outbox.deliver_email.call(waiting.pk) == "skipped"
