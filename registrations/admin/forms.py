"""The staff's correction of a registration: the delegate's rules, then the service.

The form is the delegates' ``RegistrationDetailsForm`` (the same rules on every
field) and its validation ends by asking ``services.registration_correct``
to apply the correction. A correction the service refuses (a seat another
reviewer took a moment ago) is a form error: the admin then saves nothing and
logs nothing, and the reviewer keeps what they typed.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from registrations import services
from registrations.forms import RegistrationDetailsForm, SessionChoiceField
from registrations.models import Session


class StaffSessionField(SessionChoiceField):
    """The session picker for staff: times and rooms, and seats already taken."""

    full_remark = _("full")


class RegistrationCorrectionForm(RegistrationDetailsForm):
    sessions = StaffSessionField(
        queryset=Session.objects.none(),
        required=False,
        label=_("Sessions"),
        help_text=_("Sessions at the same time run in parallel."),
    )

    # The staff member correcting; the admin sets it for each request.
    corrected_by = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.changed_fields: list[str] = []

    def _post_clean(self):
        if self.errors or self.corrected_by is None:
            return
        try:
            self.changed_fields = services.registration_correct(
                registration=self.instance,
                by=self.corrected_by,
                sessions=list(self.cleaned_data["sessions"]),
                **self.delegate_details(),
            )
        except services.RegistrationError as error:
            field = "sessions" if error.code == "session_full" else None
            self.add_error(field, forms.ValidationError(error.message, code=error.code))
