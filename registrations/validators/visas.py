"""The rules of a visa request: a passport that outlasts the stay, sane dates.

Shared by the delegate's form and the Protocol office's corrections in the
admin. Dates are compared as calendar days in Japan; the event's first and
last days are given by the caller (no model is imported here).
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A passport number: letters and digits (ICAO 9303 allows up to nine in the
# machine-readable zone; some States print more in the visual zone).
PASSPORT_NUMBER = re.compile(r"^[A-Z0-9]{5,15}$")
# The oldest and youngest delegate we believe: a date outside is a typing slip.
OLDEST_AGE_YEARS = 110
YOUNGEST_AGE_YEARS = 14
# A short-term stay in Japan: 90 days at most, arrival at most a month early.
LONGEST_STAY_DAYS = 90
EARLIEST_ARRIVAL_DAYS = 30


def normalise_passport_number(value: str) -> str:
    """Return the number as printed: capitals, without spaces or hyphens."""
    return re.sub(r"[\s\-]", "", value).upper()


def validate_passport_number(value: str) -> None:
    if not PASSPORT_NUMBER.match(value):
        raise ValidationError(
            _(
                "Please give the passport number as printed: 5 to 15 letters and "
                "digits, without spaces."
            ),
            code="passport_number",
        )


def validate_date_of_birth(value: datetime.date, *, today: datetime.date) -> None:
    youngest = today.replace(year=today.year - YOUNGEST_AGE_YEARS)
    oldest = today.replace(year=today.year - OLDEST_AGE_YEARS)
    if not oldest <= value <= youngest:
        raise ValidationError(
            _("Please check the date of birth: it is written day, month and year."),
            code="date_of_birth",
        )


def stay_errors(
    *,
    stay_from: datetime.date | None,
    stay_until: datetime.date | None,
    expiry: datetime.date | None,
    event_first_day: datetime.date,
    event_last_day: datetime.date,
    today: datetime.date,
) -> dict[str, ValidationError]:
    """Return the errors of the stay and the passport's expiry, by field."""
    errors: dict[str, ValidationError] = {}
    if stay_from:
        if stay_from < today:
            errors["stay_from"] = ValidationError(
                _("The arrival date has passed."), code="arrival_past"
            )
        elif stay_from > event_first_day:
            errors["stay_from"] = ValidationError(
                _("Please arrive by the first day of the symposium, %(day)s."),
                code="arrival_late",
                params={"day": event_first_day.isoformat()},
            )
        elif stay_from < event_first_day - datetime.timedelta(
            days=EARLIEST_ARRIVAL_DAYS
        ):
            errors["stay_from"] = ValidationError(
                _(
                    "A letter covers arrival at most %(days)s days before the "
                    "symposium."
                ),
                code="arrival_early",
                params={"days": EARLIEST_ARRIVAL_DAYS},
            )
    if stay_until:
        if stay_until < event_last_day:
            errors["stay_until"] = ValidationError(
                _("Please stay until the last day of the symposium, %(day)s."),
                code="departure_early",
                params={"day": event_last_day.isoformat()},
            )
        elif stay_from and (stay_until - stay_from).days > LONGEST_STAY_DAYS:
            errors["stay_until"] = ValidationError(
                _("A short-term stay lasts %(days)s days at most."),
                code="stay_long",
                params={"days": LONGEST_STAY_DAYS},
            )
    if expiry and stay_until and expiry <= stay_until and "stay_until" not in errors:
        errors["passport_expiry"] = ValidationError(
            _(
                "The passport must be valid beyond your departure from Japan; "
                "please renew it before applying for the visa."
            ),
            code="passport_expires",
        )
    elif expiry and expiry <= today:
        errors["passport_expiry"] = ValidationError(
            _("This passport has expired."), code="passport_expired"
        )
    return errors
