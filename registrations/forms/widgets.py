"""Select boxes that write their options without a template for each one.

Django renders every ``<option>`` through a template of its own (and its
attributes through another), which made the form's country list of some 250
names cost more than all the rest of the form. These widgets write the same
HTML, character for character, as Django's own ``select.html`` through its
form renderer (the project overrides none of those templates): values and
labels escaped, the chosen option ``selected``, the same line breaks. The
country list, the same for every form of one language, is written once per
language (``fields.country_options``) and only the chosen option is marked on
each form.

crispy-forms names the widget's class in the element's CSS classes, so these
classes keep the names of the widgets they stand in for.
"""

from django import forms
from django.utils.choices import normalize_choices
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django_countries import widgets as country_widgets


def html_text(value) -> str:
    """Return ``value`` as a template's ``{{ value }}`` writes it."""
    value = localize(value)
    if not issubclass(type(value), str):
        value = str(value)
    return conditional_escape(value)


def html_attributes(attrs: dict) -> str:
    """Return ``attrs`` as Django's ``django/forms/widgets/attrs.html`` writes them."""
    written = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            written.append(f" {html_text(name)}")
        else:
            written.append(f' {html_text(name)}="{conditional_escape(str(value))}"')
    return "".join(written)


def option_tags(choices) -> list[tuple[str, str, str]] | None:
    """Return each choice's value and its ``<option>`` tag, in two halves.

    The tag's attribute ``selected``, when the option is chosen, goes between
    the halves. None if the choices are in groups, which Django's templates
    write.
    """
    tags = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):
            return None
        value = "" if value is None else str(value)
        tags.append(
            (
                value,
                f'\n  <option value="{conditional_escape(value)}"',
                f">{html_text(label)}</option>\n",
            )
        )
    return tags


class OptionsWithoutTemplates:
    """Render a ``forms.Select`` (single choice) as its templates would.

    ``rendered_options``, when set, holds ``option_tags(self.choices)`` built
    beforehand, for choices that many forms share.
    """

    rendered_options: list[tuple[str, str, str]] | None = None

    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        self._choices = normalize_choices(value)
        self.rendered_options = None  # they were other choices'

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        tags = self.rendered_options
        if tags is None:
            tags = option_tags(self.choices)
        if tags is None or self.allow_multiple_selected:
            return super().render(name, value, attrs, renderer)
        chosen = set(self.format_value(value))
        options = []
        for option_value, opening, rest in tags:
            if option_value in chosen:
                # Only the first option of the value, as in Django.
                chosen = ()
                options.append(f"{opening} selected{rest}")
            else:
                options.append(opening + rest)
        return mark_safe(
            f'<select name="{html_text(name)}"'
            f"{html_attributes(self.build_attrs(self.attrs, attrs))}>"
            f"{''.join(options)}\n</select>"
        )


class Select(OptionsWithoutTemplates, forms.Select):
    pass


class LazySelect(OptionsWithoutTemplates, country_widgets.LazySelect):
    """The country list's widget (django-countries' ``LazySelect``)."""
