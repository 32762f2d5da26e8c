"""The rules of registration: every change of a registration goes through here.

Views, admin actions and management commands call these functions and turn a
``RegistrationError`` into a message for their user. Each function runs in one
transaction; emails are handed to the task queue only after it commits.

The package is split by sub-domain: ``submission`` (the delegate registers),
``corrections`` (delegate and staff edits), ``workflow`` (the status
transitions and the review), ``capacity`` (locking and counting seats),
``history`` (the record of each change), ``notifications`` (emails after
commit) and ``retention`` (deleting personal data on time). Reads live in
``registrations.selectors``. Import from here: ``services.registration_approve``.
"""

from registrations.errors import RegistrationError
from registrations.services.capacity import check_seats_for_sessions
from registrations.services.corrections import (
    DELEGATE_FIELDS,
    registration_correct,
    registration_update,
)
from registrations.services.retention import registrations_delete_expired
from registrations.services.submission import (
    SubmitResult,
    registration_resend_link,
    registration_submit,
)
from registrations.services.workflow import (
    ALLOWED_TRANSITIONS,
    REVIEW_DECISIONS,
    ReviewOutcome,
    can_transition,
    delegate_can_cancel,
    delegate_can_edit,
    registration_approve,
    registration_cancel,
    registration_reject,
    registration_waitlist,
    registrations_review,
)

__all__ = [
    "ALLOWED_TRANSITIONS",
    "DELEGATE_FIELDS",
    "REVIEW_DECISIONS",
    "RegistrationError",
    "ReviewOutcome",
    "SubmitResult",
    "can_transition",
    "check_seats_for_sessions",
    "delegate_can_cancel",
    "delegate_can_edit",
    "registration_approve",
    "registration_cancel",
    "registration_correct",
    "registration_reject",
    "registration_resend_link",
    "registration_submit",
    "registration_update",
    "registrations_delete_expired",
    "registrations_review",
    "registration_waitlist",
]
