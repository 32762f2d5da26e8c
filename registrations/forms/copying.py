"""Each form's own copy of its fields, made without deep-copying their choices.

Django gives every form instance a deep copy of the class's fields, so that
one request's changes (a queryset, a label, a widget's attributes) never
reach the next. A deep copy also walks every choice of every choice field,
one label at a time, though the choices are tuples of strings that nobody
changes in place: for the registration form that was a third of building it,
on every submission. ``CopiesFieldsLightly`` copies each field as Django's own
``__deepcopy__`` methods do, attribute for attribute, but takes a shallow copy
of the list of choices, as Django already does for the widget's.

Only the fields and widgets whose copying is Django's own are copied so; any
other (a widget made of widgets, a field with a ``__deepcopy__`` of its own)
is deep-copied as before.
"""

import copy

from django import forms
from django.forms.models import ModelFormMetaclass
from django.forms.widgets import ChoiceWidget

# The copying each field and widget class would otherwise do, which
# ``copy_field`` does the same way.
FIELD_COPIES = {
    forms.Field.__deepcopy__,
    forms.ChoiceField.__deepcopy__,
    forms.ModelChoiceField.__deepcopy__,
}
WIDGET_COPIES = {forms.Widget.__deepcopy__, ChoiceWidget.__deepcopy__}


def shallow_copy(thing):
    """Return a new object of ``thing``'s class with the same attributes."""
    copied = object.__new__(type(thing))
    copied.__dict__.update(thing.__dict__)
    return copied


def copy_widget(widget: forms.Widget) -> forms.Widget:
    """Copy ``widget`` as ``Widget.__deepcopy__`` and ``ChoiceWidget``'s do."""
    copied = shallow_copy(widget)
    copied.attrs = widget.attrs.copy()
    if isinstance(widget, ChoiceWidget):
        # Normalised when they were set: copied as they are, not again.
        copied._choices = copy.copy(widget._choices)
    return copied


def copy_field(field: forms.Field, memo: dict) -> forms.Field:
    """Return a form's own copy of ``field``: its choices shared, not deep-copied."""
    if (
        type(field).__deepcopy__ not in FIELD_COPIES
        or type(field.widget).__deepcopy__ not in WIDGET_COPIES
    ):
        return copy.deepcopy(field, memo)
    copied = shallow_copy(field)
    memo[id(field)] = copied
    copied.widget = copy_widget(field.widget)
    copied.error_messages = field.error_messages.copy()
    copied.validators = field.validators[:]
    if isinstance(field, forms.ModelChoiceField):
        # A queryset of its own (the setter clones it), which the form may
        # narrow, and the widget's choices iterate over (Django's ticket 11183).
        if field.queryset is not None:
            copied.queryset = field.queryset
    elif isinstance(field, forms.ChoiceField):
        copied._choices = copy.copy(field._choices)
    return copied


class FieldsCopiedLightly(dict):
    """A form class's fields, which each form instance copies with ``copy_field``."""

    def __deepcopy__(self, memo):
        return {name: copy_field(field, memo) for name, field in self.items()}


class CopiesFieldsLightly(ModelFormMetaclass):
    """Make a model form's instances copy its fields with ``copy_field``."""

    def __new__(mcs, name, bases, attrs):
        form_class = super().__new__(mcs, name, bases, attrs)
        form_class.base_fields = FieldsCopiedLightly(form_class.base_fields)
        return form_class
