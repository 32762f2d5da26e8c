"""The events' list action that emails the venue's details, once confirmed.

It writes to every approved delegate of each event chosen, again to all of
them if the details went out before: the page before it shows what will be
sent, to how many, and which events are left out because their details are
incomplete.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from registrations import services
from symposium.admin import action_page


class VenueDetailsMixin:
    """The action "Send the venue details to the approved delegates"."""

    @admin.action(
        description=_("Send the venue details to the approved delegates"),
        permissions=["change"],
    )
    def send_venue_details(self, request, queryset):
        events = list(queryset.order_by("starts_at", "pk"))
        if request.POST.get("confirm") != "yes":
            return self.venue_details_confirmation(request, events)
        for event in events:
            try:
                count = services.event_send_venue_details(event=event, by=request.user)
            except services.RegistrationError as error:
                self.message_user(request, f"{event}: {error.message}", messages.ERROR)
                continue
            self.message_user(
                request,
                ngettext(
                    "%(event)s: the venue details are on their way to %(count)d "
                    "approved delegate.",
                    "%(event)s: the venue details are on their way to %(count)d "
                    "approved delegates.",
                    count,
                )
                % {"event": event, "count": count},
                messages.SUCCESS,
            )
        return None

    def venue_details_confirmation(self, request, events):
        """Show what each event's email holds and to how many it goes."""
        rows = [
            {"event": event, "delegates": event.registrations.attending().count()}
            for event in events
        ]
        return action_page(
            self,
            request,
            "admin/registrations/event/venue_details_confirmation.html",
            title=_("Send the venue details"),
            rows=rows,
            ready=any(row["event"].venue_details_complete for row in rows),
        )
