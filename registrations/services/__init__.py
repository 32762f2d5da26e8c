"""The rules of registration: every change of a registration goes through here.

Views, admin actions and management commands call these functions and turn a
``RegistrationError`` into a message for their user. Each function runs in one
transaction; the emails it causes are recorded in the outbox inside it
(``registrations.mail.outbox``) and leave only if it commits.

The package is split by sub-domain: ``submission`` (the delegate registers),
``links`` (private links replaced, never sent twice), ``corrections``
(delegate and staff edits), ``workflow`` (the status transitions and the
review), ``capacity`` (locking and counting seats), ``history`` (the record of
each change), ``notifications`` (emails into the outbox), ``retention``
(deleting personal data on time), ``badges`` (issued, reissued, every print
recorded) and ``photos`` (badge photos in the private storage). Reads live in
``registrations.selectors``. Import from here: ``services.registration_approve``.
"""

from registrations.errors import RegistrationError
from registrations.services.badges import (
    BadgePrintRecord,
    badge_reissue,
    badges_print,
)
from registrations.services.capacity import check_seats_for_sessions
from registrations.services.corrections import (
    DELEGATE_FIELDS,
    registration_correct,
    registration_update,
)
from registrations.services.links import (
    LINK_RESEND_INTERVAL,
    registration_replace_link,
)
from registrations.services.photos import (
    delegate_can_upload_photo,
    photo_remove,
    photo_replace,
)
from registrations.services.retention import registrations_delete_expired
from registrations.services.submission import (
    SubmitResult,
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
    "BadgePrintRecord",
    "DELEGATE_FIELDS",
    "LINK_RESEND_INTERVAL",
    "REVIEW_DECISIONS",
    "RegistrationError",
    "ReviewOutcome",
    "SubmitResult",
    "badge_reissue",
    "badges_print",
    "can_transition",
    "check_seats_for_sessions",
    "delegate_can_cancel",
    "delegate_can_edit",
    "delegate_can_upload_photo",
    "photo_remove",
    "photo_replace",
    "registration_approve",
    "registration_cancel",
    "registration_correct",
    "registration_reject",
    "registration_replace_link",
    "registration_submit",
    "registration_update",
    "registrations_delete_expired",
    "registrations_review",
    "registration_waitlist",
]
