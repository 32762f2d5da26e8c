"""Check-ins in the admin: every entry through a door, read-only, flags first.

Staff who may see registrations see whose entry it was; others with the
right to read check-ins (none by default) see the registration's number
only. Nobody adds, edits or deletes an entry here: the door records them.
"""

from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from registrations.models import CheckIn
from symposium.admin import ReadOnly

VIEW_REGISTRATION_PERMISSION = "registrations.view_registration"
PERSON_FIELDS = ["registration", "badge"]


class FlaggedFilter(admin.SimpleListFilter):
    title = _("flagged")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", _("Flagged")), ("no", _("Not flagged"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.flagged()
        if self.value() == "no":
            return queryset.filter(flag="")
        return queryset


def sees_people(request) -> bool:
    return request.user.has_perm(VIEW_REGISTRATION_PERMISSION)


@admin.register(CheckIn)
class CheckInAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "scanned",
        "person",
        "door",
        "session",
        "method",
        "offline",
        "forced",
        "flag",
        "checked_in_by",
    ]
    list_filter = [FlaggedFilter, "flag", "offline", "forced", "method", "event"]
    list_select_related = ["registration", "session", "checked_in_by"]
    date_hierarchy = "scanned_at"
    ordering = ["-scanned_at", "-pk"]
    fields = [
        "event",
        "registration",
        "registration_number",
        "badge",
        "session",
        "door",
        "device",
        "method",
        "scanned_at",
        "received_at",
        "offline",
        "forced",
        "flag",
        "earlier",
        "checked_in_by",
        "nonce",
    ]
    readonly_fields = [*fields]

    def get_fields(self, request, obj=None):
        if sees_people(request):
            return [name for name in self.fields if name != "registration_number"]
        return [name for name in self.fields if name not in PERSON_FIELDS]

    def get_search_fields(self, request):
        if sees_people(request):
            return ["registration__family_name", "registration__given_name", "door"]
        return ["door"]

    def get_list_display(self, request):
        if sees_people(request):
            return self.list_display
        return [
            "registration_number" if name == "person" else name
            for name in self.list_display
        ]

    @admin.display(description=_("scanned at"), ordering="scanned_at")
    def scanned(self, check_in):
        return date_format(
            timezone.localtime(check_in.scanned_at), "SHORT_DATETIME_FORMAT"
        )

    @admin.display(description=_("delegate"), ordering="registration__family_name")
    def person(self, check_in):
        return check_in.registration.display_name

    @admin.display(description=_("registration number"))
    def registration_number(self, check_in):
        return f"#{check_in.registration_id}"
