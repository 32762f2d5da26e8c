"""The registration list's own filters: only values they offer reach the database."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Exists, OuterRef
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from registrations import selectors
from registrations.countries import country_choices_in
from registrations.models import RegistrationSession, Session


class ChoiceListFilter(admin.SimpleListFilter):
    """A list filter that accepts only the values it offers.

    Anything else in the address (typed by hand, a stale bookmark) is reported
    by the changelist as an invalid filter rather than reaching the database.
    """

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        if self.value() not in {str(value) for value, _label in self.lookup_choices}:
            raise IncorrectLookupParameters(self.value())
        return self.filter(queryset, self.value())

    def filter(self, queryset, value: str):
        raise NotImplementedError


class CountryFilter(ChoiceListFilter):
    """Offer only the countries that registrations name, by their names."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        named = selectors.registration_countries()
        return [
            choice
            for choice in country_choices_in(get_language())
            if choice[0] in named
        ]

    def filter(self, queryset, value):
        return queryset.filter(country=value)


class SessionFilter(ChoiceListFilter):
    """Registrations that chose a session.

    Written out rather than a plain ``"sessions"`` filter, which would make the
    admin add DISTINCT to the whole list for the many-to-many join.
    """

    title = _("session")
    parameter_name = "session"

    def lookups(self, request, model_admin):
        sessions = Session.objects.select_related("event").order_by(
            "event__starts_at", "starts_at", "title"
        )
        return [(str(session.pk), session.localized.title) for session in sessions]

    def filter(self, queryset, value):
        chosen = RegistrationSession.objects.filter(
            registration=OuterRef("pk"), session_id=int(value)
        )
        return queryset.filter(Exists(chosen))


class RelatedInUseFilter(admin.RelatedOnlyFieldListFilter):
    """Offer the related rows that some registration names, as Django's filter.

    Asked row by row on the foreign key's index (``EXISTS``) rather than by
    Django's ``IN (SELECT DISTINCT ...)`` over every registration.
    """

    def field_choices(self, field, request, model_admin):
        return field.get_choices(
            include_blank=False,
            limit_choices_to=selectors.with_registrations(field),
            ordering=self.field_admin_ordering(field, request, model_admin),
        )
