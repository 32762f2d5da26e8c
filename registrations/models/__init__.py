"""The symposium's data: events, their programme, organisations and registrations.

The outbox's model lives with the rest of the mail delivery
(``registrations.mail.models``); it is imported here so that Django finds it
among this app's models.
"""

from registrations.mail.models import OutgoingEmail
from registrations.models.badges import Badge, BadgeCheck, BadgePrint
from registrations.models.bilingual import BilingualMixin, Localized, japanese_is_active
from registrations.models.checkins import CheckIn, CheckInQuerySet
from registrations.models.choices import (
    ATTENDING,
    DELEGATE_SECTORS,
    NOMINATED,
    DelegationRole,
    OpenForm,
    RegistrationStatus,
    Sector,
)
from registrations.models.delegations import (
    Delegation,
    DelegationChange,
    DelegationQuerySet,
    new_portal_token,
)
from registrations.models.exports import ExportLog
from registrations.models.history import RegistrationChange
from registrations.models.invitations import Invitation, new_invitation_token
from registrations.models.participants import (
    DelegateMessage,
    ListingConsent,
    ParticipantsList,
)
from registrations.models.photos import DelegatePhoto
from registrations.models.programme import (
    Event,
    EventQuerySet,
    Organisation,
    Session,
    SessionQuerySet,
    SessionSpeaker,
    Speaker,
)
from registrations.models.registrations import (
    Registration,
    RegistrationQuerySet,
    new_private_token,
    organisation_display_name,
)
from registrations.models.session_choices import RegistrationSession, SessionIdList
from registrations.models.visas import (
    PassportDataView,
    VisaLetter,
    VisaLetterhead,
    VisaRequest,
)

__all__ = [
    "ATTENDING",
    "DELEGATE_SECTORS",
    "NOMINATED",
    "Badge",
    "BadgeCheck",
    "BadgePrint",
    "CheckIn",
    "CheckInQuerySet",
    "DelegateMessage",
    "DelegatePhoto",
    "ListingConsent",
    "ParticipantsList",
    "Delegation",
    "DelegationChange",
    "DelegationQuerySet",
    "DelegationRole",
    "Invitation",
    "OpenForm",
    "new_invitation_token",
    "new_portal_token",
    "Sector",
    "BilingualMixin",
    "Event",
    "EventQuerySet",
    "ExportLog",
    "Localized",
    "Organisation",
    "OutgoingEmail",
    "Registration",
    "RegistrationChange",
    "RegistrationQuerySet",
    "RegistrationSession",
    "SessionIdList",
    "RegistrationStatus",
    "Session",
    "SessionQuerySet",
    "SessionSpeaker",
    "Speaker",
    "PassportDataView",
    "VisaLetter",
    "VisaLetterhead",
    "VisaRequest",
    "japanese_is_active",
    "new_private_token",
    "organisation_display_name",
]
