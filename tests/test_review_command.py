"""review_registrations applies the admin's rules from the command line."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from registrations.models import Registration
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db
Status = Registration.Status


@pytest.fixture
def reviewer(db):
    user = get_user_model().objects.create_user("alice", is_staff=True)
    user.groups.add(Group.objects.get(name="Reviewers"))
    return user


def review(*args):
    out, err = StringIO(), StringIO()
    call_command("review_registrations", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_it_approves_and_records_who_decided(reviewer):
    registration = RegistrationFactory()
    output = review("approve", str(registration.pk), "--by", "alice", "--note", "ok")
    registration.refresh_from_db()
    assert registration.status == Status.APPROVED
    assert registration.reviewed_by == reviewer
    assert "Approved" in output


def test_refusals_are_reported_and_make_the_command_fail(reviewer):
    event = EventFactory(capacity=1)
    first, second = RegistrationFactory.create_batch(2, event=event)
    with pytest.raises(CommandError, match="1 of 2 refused"):
        review("approve", str(first.pk), str(second.pk), "--by", "alice")
    assert Registration.objects.attending().count() == 1


def test_it_refuses_unknown_ids_and_users_without_the_permission(reviewer):
    registration = RegistrationFactory()
    with pytest.raises(CommandError, match="No registration with id 999"):
        review("reject", str(registration.pk), "999", "--by", "alice")
    get_user_model().objects.create_user("bob")
    with pytest.raises(CommandError, match="may review"):
        review("reject", str(registration.pk), "--by", "bob")
    registration.refresh_from_db()
    assert registration.status == Status.PENDING
