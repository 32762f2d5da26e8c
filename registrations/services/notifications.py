"""Emails to delegates, handed to the task queue once the decision commits."""

from django.db import transaction

from registrations import emails
from registrations.models import Registration


def notify_delegate(registration: Registration, kind: str) -> None:
    """Send the ``kind`` email to the delegate after the transaction commits."""
    registration_id = registration.pk
    transaction.on_commit(
        lambda: emails.send_registration_email.enqueue(registration_id, kind)
    )
