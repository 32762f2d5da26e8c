"""The "Lost your link?" form: the address a delegate registered with, nothing else."""

from django import forms
from django.utils.translation import gettext_lazy as _

from registrations.forms.fields import ask_as_each_field_needs
from registrations.validators import NormalisedEmailField


class LostLinkForm(forms.Form):
    email = NormalisedEmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("The address you registered with."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ask_as_each_field_needs(self)
