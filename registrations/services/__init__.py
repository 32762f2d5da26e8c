"""The rules of registration: every change of a registration goes through here.

Views, admin actions and management commands call these functions and turn a
``RegistrationError`` into a message for their user. Each function runs in one
transaction; the emails it causes are recorded in the outbox inside it
(``registrations.mail.outbox``) and leave only if it commits.

The package is split by sub-domain: ``submission`` (the delegate registers),
``links`` (private links replaced, never sent twice), ``corrections``
(delegate and staff edits), ``transitions`` (which status may follow which,
and the one function that moves a registration), ``workflow`` (the review and
the cancellation), ``waitlist`` (freed seats approve the waiting list in its
order), ``venue`` (the hotel's details to approved delegates), ``capacity``
(locking and counting seats), ``history`` (the record of each change),
``notifications`` (emails into the outbox), ``retention`` (deleting personal
data on time), ``badges`` (issued, reissued, every print recorded),
``photos`` (badge photos in the private storage), ``checkins`` (the door),
``delegations`` (create and invite), ``delegation_review`` (remind, new
portal links, confirm), ``nominations`` (the focal point's steps),
``notes_verbales``, ``invitations`` (personal invitations), ``visas`` (visa
support requests and letters), ``participants`` (the List of Participants
made final) and ``messages`` (staff write to delegates). Reads live in
``registrations.selectors``. Import from here: ``services.registration_approve``.
"""

from registrations.errors import RegistrationError
from registrations.services.badges import (
    BadgePrintRecord,
    badge_reissue,
    badges_print,
)
from registrations.services.capacity import check_seats_for_sessions
from registrations.services.checkins import (
    ALREADY_IN,
    NOT_IN_SESSION,
    DoorAnswer,
    Scan,
    checkin_redeem,
)
from registrations.services.corrections import (
    DELEGATE_FIELDS,
    registration_correct,
    registration_update,
)
from registrations.services.delegation_review import (
    ConfirmOutcome,
    delegation_confirm,
    delegation_remind,
    delegation_replace_portal_link,
    for_each,
)
from registrations.services.delegations import (
    FOCAL_POINT_FIELDS,
    BulkOutcome,
    DelegationInvite,
    delegation_create,
    delegation_send_invitation,
    delegation_update,
    delegations_invite,
)
from registrations.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_decline,
    invitation_is_usable,
    invitation_revoke,
)
from registrations.services.links import (
    LINK_REQUEST_INTERVAL,
    LINK_RESEND_INTERVAL,
    registration_replace_link,
    registration_request_link,
)
from registrations.services.messages import (
    MessageTexts,
    message_recipients,
    message_send,
)
from registrations.services.nominations import (
    MEMBER_FIELDS,
    delegation_decline,
    delegation_name_head,
    delegation_submit,
    member_correct,
    member_nominate,
    member_replace,
    member_withdraw,
    portal_is_open,
)
from registrations.services.notes_verbales import (
    delegation_mark_note_received,
    delegation_upload_note_verbale,
    delegation_verify_note_verbale,
)
from registrations.services.participants import participants_list_mark
from registrations.services.photos import (
    delegate_can_upload_photo,
    photo_remove,
    photo_replace,
)
from registrations.services.retention import (
    registrations_delete_expired,
    visa_data_delete_expired,
)
from registrations.services.submission import (
    SubmitResult,
    open_form_refusal,
    registration_submit,
)
from registrations.services.transitions import ALLOWED_TRANSITIONS, can_transition
from registrations.services.venue import event_send_venue_details
from registrations.services.visas import (
    delegate_visa_refusal,
    letter_refusal,
    passport_data_seen,
    visa_letter_issue,
    visa_letter_send,
    visa_letter_withdraw,
    visa_request_refuse,
    visa_request_submit,
)
from registrations.services.waitlist import (
    FreedSeats,
    waitlist_fill_raised_capacity,
    waitlist_promote,
)
from registrations.services.workflow import (
    REVIEW_DECISIONS,
    ReviewOutcome,
    delegate_can_cancel,
    delegate_can_edit,
    delegate_edit_refusal,
    registration_approve,
    registration_cancel,
    registration_reject,
    registration_waitlist,
    registrations_review,
)

__all__ = [
    "ALREADY_IN",
    "NOT_IN_SESSION",
    "DoorAnswer",
    "Scan",
    "checkin_redeem",
    "ALLOWED_TRANSITIONS",
    "BadgePrintRecord",
    "BulkOutcome",
    "ConfirmOutcome",
    "DELEGATE_FIELDS",
    "DelegationInvite",
    "FOCAL_POINT_FIELDS",
    "MEMBER_FIELDS",
    "delegation_confirm",
    "delegation_create",
    "delegation_decline",
    "delegation_mark_note_received",
    "delegation_name_head",
    "delegation_remind",
    "delegation_replace_portal_link",
    "delegation_send_invitation",
    "delegation_submit",
    "delegation_update",
    "delegation_upload_note_verbale",
    "delegation_verify_note_verbale",
    "delegations_invite",
    "for_each",
    "invitation_accept",
    "invitation_create",
    "invitation_decline",
    "invitation_is_usable",
    "invitation_revoke",
    "participants_list_mark",
    "MessageTexts",
    "message_recipients",
    "message_send",
    "member_correct",
    "member_nominate",
    "member_replace",
    "member_withdraw",
    "open_form_refusal",
    "portal_is_open",
    "FreedSeats",
    "LINK_REQUEST_INTERVAL",
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
    "delegate_edit_refusal",
    "event_send_venue_details",
    "registration_approve",
    "registration_cancel",
    "registration_correct",
    "registration_reject",
    "registration_replace_link",
    "registration_request_link",
    "registration_submit",
    "registration_update",
    "registrations_delete_expired",
    "registrations_review",
    "registration_waitlist",
    "delegate_visa_refusal",
    "letter_refusal",
    "passport_data_seen",
    "visa_data_delete_expired",
    "visa_letter_issue",
    "visa_letter_send",
    "visa_letter_withdraw",
    "visa_request_refuse",
    "visa_request_submit",
    "waitlist_fill_raised_capacity",
    "waitlist_promote",
]
