"""Reads about visa support: who may see passport data, which letter is in force.

Passport data is the Protocol group's alone (``view_passport_data``); the
reviewers see only that a letter was requested and its state.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from registrations.models import VisaLetter, VisaRequest

PASSPORT_PERMISSION = "registrations.view_passport_data"
ISSUE_PERMISSION = "registrations.issue_visa_letter"
EXPORT_VISAS_PERMISSION = "registrations.export_visa_requests"


def can_view_passport_data(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Return whether ``user`` may read passport data (the Protocol group)."""
    return user.has_perm(PASSPORT_PERMISSION)


def can_issue_visa_letters(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.has_perm(ISSUE_PERMISSION) and can_view_passport_data(user)


def can_export_visa_requests(user: AbstractBaseUser | AnonymousUser) -> bool:
    return user.has_perm(EXPORT_VISAS_PERMISSION) and can_view_passport_data(user)


def letter_in_force(request: VisaRequest) -> VisaLetter | None:
    """Return the request's letter not withdrawn, if any."""
    return request.letters.filter(withdrawn_at__isnull=True).first()


def with_letter_in_force(requests: QuerySet) -> QuerySet:
    """Annotate each request with the reference of its letter in force."""
    in_force = VisaLetter.objects.filter(
        request=OuterRef("pk"), withdrawn_at__isnull=True
    ).values("reference")[:1]
    return requests.annotate(letter_reference=Subquery(in_force))


def visa_state_label(registration) -> str:
    """Return what a reviewer may know: requested or not, and the state."""
    request = (
        VisaRequest.objects.filter(registration=registration).only("state").first()
    )
    if request is None and registration.visa_needed:
        return str(_("Needed: passport details not given yet"))
    if request is None:
        return str(_("Not requested"))
    return str(request.get_state_display())
