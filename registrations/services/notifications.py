"""Emails to delegates, recorded in the outbox with the decision that causes them."""

from registrations.mail import outbox
from registrations.models import Registration


def notify_delegate(registration: Registration, kind: str) -> None:
    """Record the ``kind`` email in the outbox, in the caller's transaction.

    It leaves only if that transaction commits, and then from the mail worker
    (``registrations.mail.outbox``), which retries it when the server fails.
    """
    outbox.email_record(registration=registration, kind=kind)
