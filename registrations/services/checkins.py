"""The door: a scan redeemed once, whenever and however often its device sends it.

A door's device sends every scan with a nonce of its own choosing (pretix's
check-in API does the same). The first arrival decides; a later arrival of
the same nonce (an answer lost on the way, a queue synced again) is told the
same answer and changes nothing. Online, the server's answer is the door's:
a refused badge is refused, a second entry is shown as such. A scan made
offline has already let its holder in, so it is always recorded, marked as
offline, and flagged for staff when the server would have refused it: two
offline doors letting the same badge in keep both entries, the later arrival
flagged.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from registrations import selectors
from registrations.models import (
    ATTENDING,
    BadgeCheck,
    CheckIn,
    Event,
    Registration,
    RegistrationSession,
    Session,
)
from registrations.models.badges import SHORT_CODE_LENGTH, normalise_short_code
from registrations.services.capacity import lock_registration

Flag = CheckIn.Flag
# What a door may be told besides ``BadgeCheck``'s answers.
ALREADY_IN = "already_in"
NOT_IN_SESSION = "not_in_session"
# A refusal the offline device overrode becomes this flag on its entry.
FLAG_FOR_CHECK = {
    BadgeCheck.CANCELLED: Flag.CANCELLED,
    BadgeCheck.NOT_APPROVED: Flag.NOT_APPROVED,
    BadgeCheck.REISSUED: Flag.REISSUED,
    NOT_IN_SESSION: Flag.NOT_IN_SESSION,
}
# How far ahead of the server a device's clock may be: beyond, it is wrong.
CLOCK_TOLERANCE = datetime.timedelta(minutes=10)


@dataclass(frozen=True)
class Scan:
    """What a door's device read and sends: one of ``badge_hash``, ``short_code``
    (typed) or ``registration_id`` (found by search), and the scan's context."""

    nonce: str
    door: str
    device: str
    scanned_at: datetime.datetime
    offline: bool = False
    forced: bool = False
    badge_hash: str = ""
    short_code: str = ""
    registration_id: int | None = None
    session_id: int | None = None

    @property
    def method(self) -> str:
        if self.badge_hash:
            return CheckIn.Method.QR
        if self.short_code:
            return CheckIn.Method.CODE
        return CheckIn.Method.SEARCH


@dataclass(frozen=True)
class DoorAnswer:
    """The door's answer: let in (``check_in`` recorded) or not, and why not."""

    admitted: bool
    check: str
    registration: Registration | None = None
    check_in: CheckIn | None = None
    earlier: CheckIn | None = None
    repeated: bool = False

    @property
    def reason(self) -> str:
        if self.check == ALREADY_IN and self.earlier is not None:
            return already_in_text(self.earlier)
        if self.check == NOT_IN_SESSION:
            return _("Not registered for this session")
        return str(BadgeCheck(self.check).label)


def already_in_text(earlier: CheckIn) -> str:
    """Return "Already in at 09:12 through Door 2", in the event's time zone."""
    return _("Already in at %(time)s through %(door)s") % {
        "time": time_format(timezone.localtime(earlier.scanned_at), "H:i"),
        "door": earlier.door,
    }


def _lookup(scan: Scan, event: Event) -> selectors.BadgeLookup:
    if scan.badge_hash:
        return selectors.badge_lookup_by_hash(scan.badge_hash, event=event)
    if scan.short_code:
        if len(normalise_short_code(scan.short_code)) != SHORT_CODE_LENGTH:
            return selectors.BadgeLookup(BadgeCheck.UNKNOWN)
        return selectors.badge_lookup(scan.short_code, event=event)
    registration = Registration.objects.filter(
        pk=scan.registration_id, event=event
    ).first()
    if registration is None:
        return selectors.BadgeLookup(BadgeCheck.UNKNOWN)
    if registration.status == Registration.Status.CANCELLED:
        check = BadgeCheck.CANCELLED
    elif registration.status != ATTENDING:
        check = BadgeCheck.NOT_APPROVED
    else:
        check = BadgeCheck.VALID
    return selectors.BadgeLookup(check, registration=registration)


def _answer_again(check_in: CheckIn) -> DoorAnswer:
    return DoorAnswer(
        admitted=True,
        check=BadgeCheck.VALID,
        registration=check_in.registration,
        check_in=check_in,
        earlier=check_in.earlier,
        repeated=True,
    )


def checkin_redeem(
    *, event: Event, scan: Scan, by: AbstractBaseUser | None
) -> DoorAnswer:
    """Let the holder of what ``scan`` read in through a door of ``event``, or not.

    Idempotent by ``scan.nonce``. Online, a refused badge or a second entry
    (unless ``forced`` by staff) is refused without a record; offline, the
    entry is recorded and flagged instead. A session's door (``session_id``)
    records on the delegate's choice of that session too.
    """
    session = None
    if scan.session_id is not None:
        session = Session.objects.filter(pk=scan.session_id, event=event).first()
        if session is None:
            return DoorAnswer(admitted=False, check=BadgeCheck.OTHER_EVENT)
    with transaction.atomic():
        lookup = _lookup(scan, event)
        registration = lookup.registration
        if registration is None or lookup.check == BadgeCheck.OTHER_EVENT:
            return DoorAnswer(admitted=False, check=lookup.check)
        # One door at a time per delegate: the nonce and the earlier entries
        # are read under the registration's lock.
        registration = lock_registration(registration)
        repeated = (
            CheckIn.objects.select_related("registration", "earlier")
            .filter(nonce=scan.nonce)
            .first()
        )
        if repeated is not None:
            if repeated.registration_id != registration.pk:
                # A device that reuses its nonces: nothing is recorded.
                return DoorAnswer(admitted=False, check=BadgeCheck.UNKNOWN)
            return _answer_again(repeated)
        check = lookup.check
        choice = None
        if session is not None and check == BadgeCheck.VALID:
            choice = RegistrationSession.objects.filter(
                registration=registration, session=session
            ).first()
            if choice is None:
                check = NOT_IN_SESSION
        earlier = (
            CheckIn.objects.filter(
                event=event, registration=registration, session=session
            )
            .order_by("scanned_at", "pk")
            .first()
        )
        flag = ""
        if check != BadgeCheck.VALID:
            if not scan.offline:
                return DoorAnswer(
                    admitted=False, check=check, registration=registration
                )
            flag = FLAG_FOR_CHECK[check]
        elif earlier is not None and not scan.forced:
            if not scan.offline:
                return DoorAnswer(
                    admitted=False,
                    check=ALREADY_IN,
                    registration=registration,
                    earlier=earlier,
                )
            flag = Flag.TWICE
        now = timezone.now()
        try:
            with transaction.atomic():
                check_in = CheckIn.objects.create(
                    event=event,
                    registration=registration,
                    badge=lookup.badge,
                    session=session,
                    door=scan.door,
                    device=scan.device,
                    nonce=scan.nonce,
                    method=scan.method,
                    scanned_at=min(scan.scanned_at, now + CLOCK_TOLERANCE),
                    received_at=now,
                    offline=scan.offline,
                    forced=scan.forced,
                    flag=flag,
                    earlier=earlier,
                    checked_in_by=by,
                )
        except IntegrityError:
            # The same nonce arrived for another delegate at the same moment.
            return DoorAnswer(admitted=False, check=BadgeCheck.UNKNOWN)
        if choice is not None and choice.checked_in_at is None:
            choice.checked_in_at = check_in.scanned_at
            choice.save(update_fields=["checked_in_at"])
    return DoorAnswer(
        admitted=True,
        check=BadgeCheck.VALID,
        registration=registration,
        check_in=check_in,
        earlier=earlier,
    )
