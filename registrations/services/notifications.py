"""Emails, recorded in the outbox with the decision that causes them.

Each leaves only if the caller's transaction commits, and then from the mail
worker (``registrations.mail.outbox``), which retries it when the server fails.
"""

from registrations.mail import outbox
from registrations.models import Delegation, Invitation, Registration


def notify_delegate(registration: Registration, kind: str) -> None:
    """Record the ``kind`` email to the delegate, in the caller's transaction."""
    outbox.email_record(registration=registration, kind=kind)


def notify_focal_point(delegation: Delegation, kind: str) -> None:
    """Record the ``kind`` email to the delegation's focal point."""
    outbox.email_record(delegation=delegation, kind=kind)


def notify_invitee(invitation: Invitation, kind: str) -> None:
    """Record the ``kind`` email to the receiver of a personal invitation."""
    outbox.email_record(invitation=invitation, kind=kind)
