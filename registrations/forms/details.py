"""The base of every form that edits a registration, the delegate's and the staff's.

``RegistrationDetailsForm`` cleans a registration's fields with the rules of
``registrations.validators``; the delegate's forms (``forms.registration``) and
the admin's correction form are built on it, so that delegates and staff obey
one set of rules.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from registrations import services, validators
from registrations.caching import FormChoices
from registrations.errors import RegistrationError
from registrations.forms import widgets as select_widgets
from registrations.forms.fields import (
    FREE_TEXT_FIELD_CLASSES,
    NOT_LISTED,
    OrganisationChoiceField,
    PersonalNamesForm,
    SessionChoiceField,
    ask_as_each_field_needs,
    form_field_of,
)
from registrations.models import Event, Organisation, Registration, Session


class RegistrationDetailsForm(PersonalNamesForm):
    """A registration's fields, cleaned by the rules delegates and staff share.

    ``event`` gives the programme to choose from (default: the registration's
    own event). The sessions offered are that event's, with their seats taken.
    ``choices`` gives the event and what its form offers, read already
    (``caching.form_choices``): a sent form is then checked, and shown again,
    without a query for its choices.
    """

    organisation = OrganisationChoiceField(
        queryset=Organisation.objects.all(),
        label=_("Organisation"),
        empty_label=_("Choose your organisation"),
        widget=select_widgets.Select(attrs={"data-not-listed": NOT_LISTED}),
    )
    sessions = SessionChoiceField(
        queryset=Session.objects.none(),
        required=False,
        label=_("Sessions you would like to attend"),
        help_text=_("Sessions at the same time run in parallel: choose one of them."),
    )

    class Meta:
        model = Registration
        fields = [*Registration.DELEGATE_FIELDS, "sessions"]
        field_classes = FREE_TEXT_FIELD_CLASSES
        formfield_callback = staticmethod(form_field_of)

    def __init__(
        self,
        *args,
        event: Event | None = None,
        choices: FormChoices | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if choices is not None:
            self.event = choices.event
            self.offer(choices)
        else:
            self.event = event or self.instance.event
            sessions = self.event.sessions.all()
            # A sent form only checks that the sessions are the event's: the
            # seats are counted under the services' locks, and for the labels
            # only if the form is shown again.
            self.fields["sessions"].queryset = (
                sessions if self.is_bound else sessions.with_approved_count()
            )
        ask_as_each_field_needs(self)
        if self.instance.pk and not self.instance.organisation_id:
            self.initial["organisation"] = NOT_LISTED

    def offer(self, choices: FormChoices) -> None:
        """Check, and show, the sessions and organisations of ``choices``."""
        self.fields["sessions"].offered = choices.sessions
        self.fields["organisation"].offered = choices.organisations

    def clean_name_ja(self):
        return validators.clean_japanese_name(self.cleaned_data["name_ja"])

    def clean_sessions(self):
        sessions = list(self.cleaned_data["sessions"])
        validators.validate_sessions_of_event(sessions, self.event)
        validators.validate_no_overlapping_sessions(sessions)
        if self.instance.pk:
            # A quick check; the services count the seats again under locks.
            try:
                services.check_seats_for_sessions(
                    registration=self.instance, sessions=sessions
                )
            except RegistrationError as refusal:
                raise forms.ValidationError(
                    refusal.message, code=refusal.code
                ) from None
        return self.cleaned_data["sessions"]

    def clean(self):
        """Keep one organisation: the one chosen from the list, or the typed name.

        With scripts off the typed box is always shown, and a name typed there
        before choosing from the list stays behind; the list wins, and a name
        typed without choosing "not listed" counts as not listed. So no
        combination of the two fields is refused, only an organisation missing.
        """
        cleaned = super().clean()
        if "organisation" in self.errors or "organisation_other" in self.errors:
            return cleaned
        listed = cleaned.get("organisation")
        typed = cleaned.get("organisation_other", "")
        if isinstance(listed, Organisation):
            cleaned["organisation_other"] = ""
        elif typed:
            cleaned["organisation"] = None
        elif listed == NOT_LISTED:
            cleaned["organisation"] = None
            self.add_error(
                "organisation_other",
                forms.ValidationError(
                    _("Please type the name of your organisation."), code="required"
                ),
            )
        else:
            self.add_error(
                "organisation",
                forms.ValidationError(
                    _(
                        "Please choose your organisation, or “%(not_listed)s” and "
                        "type its name."
                    ),
                    code="required",
                    params={"not_listed": self.fields["organisation"].not_listed_label},
                ),
            )
        return cleaned

    def delegate_details(self) -> dict:
        """Return the cleaned fields that ``services`` stores, without sessions."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name in self._meta.fields and name != "sessions"
        }
