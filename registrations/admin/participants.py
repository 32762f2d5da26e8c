"""The List of Participants from the events' list: its editions, final or not."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from registrations import selectors, services
from registrations.documents import participants
from registrations.models import ExportLog

Format = ExportLog.Format


def edition_action(language: str, file_format: str, description):
    """Return the admin action that downloads one edition of the list."""

    @admin.action(description=description, permissions=["export"])
    def action(self, request, queryset):
        return self._edition(
            request, queryset, language=language, file_format=file_format
        )

    action.__name__ = f"participants_{file_format}_{language}"
    return action


class ParticipantsListMixin:
    """Actions on one event: download an edition of its list, mark it final."""

    def has_export_permission(self, request):
        return selectors.can_export(request.user)

    def _one_event(self, request, queryset):
        events = list(queryset[:2])
        if len(events) != 1:
            self.message_user(
                request,
                _("Choose one event for its List of Participants."),
                messages.WARNING,
            )
            return None
        return events[0]

    def _edition(self, request, queryset, *, language, file_format):
        event = self._one_event(request, queryset)
        if event is None:
            return None
        document = participants.participants_document(
            event=event, language=language, file_format=file_format, user=request.user
        )
        return participants.participants_response(document)

    participants_pdf_en = edition_action(
        "en", Format.PDF, _("List of Participants: PDF, English edition")
    )
    participants_pdf_ja = edition_action(
        "ja", Format.PDF, _("List of Participants: PDF, Japanese edition")
    )
    participants_xlsx_en = edition_action(
        "en", Format.XLSX, _("List of Participants: XLSX, English edition")
    )
    participants_xlsx_ja = edition_action(
        "ja", Format.XLSX, _("List of Participants: XLSX, Japanese edition")
    )

    def _mark(self, request, queryset, *, final: bool):
        for event in queryset:
            services.participants_list_mark(event=event, final=final, by=request.user)
            message = (
                _("%(event)s: the List of Participants is now final.")
                if final
                else _("%(event)s: the List of Participants is provisional again.")
            )
            self.message_user(request, message % {"event": event}, messages.SUCCESS)

    @admin.action(
        description=_("Mark the List of Participants final"),
        permissions=["export", "change"],
    )
    def participants_mark_final(self, request, queryset):
        self._mark(request, queryset, final=True)

    @admin.action(
        description=_("Mark the List of Participants provisional again"),
        permissions=["export", "change"],
    )
    def participants_mark_provisional(self, request, queryset):
        self._mark(request, queryset, final=False)


PARTICIPANTS_ACTIONS = [
    "participants_pdf_en",
    "participants_pdf_ja",
    "participants_xlsx_en",
    "participants_xlsx_ja",
    "participants_mark_final",
    "participants_mark_provisional",
]
