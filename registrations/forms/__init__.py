"""The forms of the public site. Forms validate input; ``services`` decides.

``details``: the base of every form that edits a registration (the
delegate's, the admin's correction form); ``registration``: the delegate's
forms; ``fields``: their choice fields;
``widgets``: their select boxes; ``layout``: the blank form's parts written
once; ``links``: the "Lost your link?" form; ``copying``: how each form
copies its class's fields.
"""

from registrations.forms.details import RegistrationDetailsForm
from registrations.forms.fields import (
    NOT_LISTED,
    OrganisationChoiceField,
    SessionChoiceField,
    country_choices,
    session_label,
)
from registrations.forms.links import LostLinkForm
from registrations.forms.registration import (
    DelegateDetailsForm,
    RegistrationEditForm,
    RegistrationForm,
)

__all__ = [
    "NOT_LISTED",
    "DelegateDetailsForm",
    "LostLinkForm",
    "OrganisationChoiceField",
    "RegistrationDetailsForm",
    "RegistrationEditForm",
    "RegistrationForm",
    "SessionChoiceField",
    "country_choices",
    "session_label",
]
