"""Vocabularies that several models share."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegistrationStatus(models.TextChoices):
    """Where a registration stands; ``services`` holds the allowed transitions."""

    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WAITLISTED = "waitlisted", _("Waiting list")
    CANCELLED = "cancelled", _("Cancelled")


# Who attends: the registrations that hold a seat. Capacity counts them, the
# session lists and badges are made for them. The one place that says so.
ATTENDING = RegistrationStatus.APPROVED


class Sector(models.TextChoices):
    """What kind of body an organisation is, and so for whom a delegate attends.

    One vocabulary for both: an organisation's kind and a delegate's category
    take the same values, so that a delegate's category can be read from
    their organisation, and lists can be counted by sector either way.
    """

    GOVERNMENT = "government", _("Government")
    INTERNATIONAL = "international", _("International organisation")
    NGO = "ngo", _("Non-governmental organisation")
    ACADEMIC = "academic", _("Academia")
    PRESS = "press", _("Press")
    # The organisers' own people (the secretariat, interpreters, security):
    # set by staff in the admin, never offered on the public form.
    STAFF = "staff", _("Organisers' staff")
    OTHER = "other", _("Other")


# Who chooses a sector: delegates choose among these; staff may set any.
DELEGATE_SECTORS = [value for value in Sector.values if value != Sector.STAFF]


class DelegationRole(models.TextChoices):
    """A member's place in a delegation, in the order protocol lists them."""

    HEAD = "head", _("Head of delegation")
    ALTERNATE = "alternate", _("Alternate head")
    ADVISER = "adviser", _("Adviser")
    MEMBER = "member", _("Member")
    OBSERVER = "observer", _("Observer")


# The registrations that take up a place in their delegation's quota: every
# nomination not cancelled, withdrawn or rejected. The one place that says so.
NOMINATED = (
    RegistrationStatus.PENDING,
    RegistrationStatus.APPROVED,
    RegistrationStatus.WAITLISTED,
)


class OpenForm(models.TextChoices):
    """Who may register through the event's open form."""

    EVERYONE = "everyone", _("Everyone")
    CATEGORIES = "categories", _("Only the categories chosen below")
    INVITEES = "invitees", _("Invitees only")
