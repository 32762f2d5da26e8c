"""The symposium's data: events, their programme, organisations and registrations."""

from registrations.models.bilingual import BilingualMixin, Localized, japanese_is_active
from registrations.models.choices import RegistrationStatus
from registrations.models.exports import ExportLog
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
    RegistrationChange,
    RegistrationQuerySet,
    new_private_token,
)

__all__ = [
    "BilingualMixin",
    "Event",
    "EventQuerySet",
    "ExportLog",
    "Localized",
    "Organisation",
    "Registration",
    "RegistrationChange",
    "RegistrationQuerySet",
    "RegistrationStatus",
    "Session",
    "SessionQuerySet",
    "SessionSpeaker",
    "Speaker",
    "japanese_is_active",
    "new_private_token",
]
