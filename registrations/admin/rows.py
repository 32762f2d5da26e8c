"""The reviewers' list's rows, each column looked up once a page.

Django's ``{% result_list %}`` works out every cell from the start: it looks
the column's name up as a field and, failing that, on the model admin, asks
for the empty value's text, reverses the row's change page and resolves that
address again to keep the list's filters in it, and joins each cell with
``format_html``: at 100 rows a page, two fifths of the list's time. Here each
column is looked up once a page, the change pages' address is reversed and
given the kept filters once, and a row is written as one string; the HTML is
Django's own, cell for cell (``tests/test_admin.py`` compares the two).

A list that Django would write differently is left to Django: a popup, an
editable list, a column that is a callable or a model's attribute, or a
change page that has no address.
"""

import datetime
import html

from django.contrib.admin.templatetags.admin_list import ResultList
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    quote,
)
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.urls import NoReverseMatch
from django.utils.safestring import mark_safe


def escaped(text) -> str:
    """Return ``conditional_escape(text)``, without its checks for lazy text."""
    if hasattr(text, "__html__"):
        return text.__html__()
    return html.escape(str(text))


class LeftToDjango(Exception):
    """The list is one that Django's own rows must write."""


class Column:
    """One column of the list: how its cells are found, shown and marked."""

    def __init__(self, changelist, name, link_tag: str | None):
        admin = changelist.model_admin
        if not isinstance(name, str) or "__" in name:
            raise LeftToDjango(name)
        self.name = name
        self.link_tag = link_tag
        self.empty = admin.get_empty_value_display()
        self.classes = f"field-{name}"
        try:
            self.field = _get_non_gfk_field(changelist.lookup_opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            # A method of the model admin's; a model's attribute is Django's.
            self.field = None
            self.method = getattr(admin, name, None)
            if name == "__str__" or not callable(self.method):
                raise LeftToDjango(name) from None
        else:
            # A field the model made itself (its automatic key) is shown as a
            # method's value is.
            self.method = self.attribute if self.field.auto_created else None
            # Translated once a page, not once a row.
            self.choices = {
                value: str(label) for value, label in self.field.flatchoices or ()
            }
        self.boolean = getattr(self.method, "boolean", False)
        self.shown_empty = getattr(self.method, "empty_value_display", self.empty)
        if name == "action_checkbox":
            self.marked = "action-checkbox"
        else:
            self.marked = self.classes

    def attribute(self, row):
        return getattr(row, self.name)

    def cell(self, row) -> tuple[str, str]:
        """Return the cell's escaped text and its classes."""
        if self.method is not None:
            shown, classes = self.method_value(row)
        else:
            shown, classes = self.field_value(row)
        return escaped(shown), classes

    def method_value(self, row):
        try:
            value = self.method(row)
        except ObjectDoesNotExist:
            return self.empty, self.classes
        if isinstance(value, str) and value.strip() == "":
            value = ""
        shown = display_for_value(value, self.shown_empty, self.boolean)
        if isinstance(value, (datetime.date, datetime.time)):
            return shown, f"{self.marked} nowrap"
        return shown, self.marked

    def field_value(self, row):
        field = self.field
        value = getattr(row, field.name)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        if isinstance(field.remote_field, models.ManyToOneRel):
            shown = self.empty if value is None else value
        elif self.choices:
            shown = self.choices.get(value, self.empty)
        else:
            shown = display_for_field(
                value, field, self.empty, avoid_link=self.link_tag is not None
            )
        if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
            return shown, f"{self.classes} nowrap"
        return shown, self.classes


class ChangeAddress:
    """The change page's address of each row, with the list's filters kept."""

    def __init__(self, changelist, sample):
        url = changelist.url_for_result(sample)
        kept = add_preserved_filters(
            {
                "preserved_filters": changelist.preserved_filters,
                "opts": changelist.opts,
            },
            url,
        )
        marker = f"/{quote(sample.pk)}/"
        self.head, found, tail = url.rpartition(marker)
        if not (found and kept.startswith(url)):
            raise LeftToDjango(url)
        self.tail = tail + kept[len(url) :]

    def of(self, row) -> str:
        return f"{self.head}/{quote(row.pk)}/{self.tail}"


class Rows:
    """The list's rows as ``{% result_list %}`` gives them to its template.

    Each row is a list of one item, the row's cells written together.
    """

    def __init__(self, changelist):
        links = set(changelist.list_display_links or ())
        self.columns = []
        tag = "th"
        for name in changelist.list_display:
            self.columns.append(
                Column(changelist, name, tag if name in links else None)
            )
            if name in links:
                tag = "td"
        self.address = ChangeAddress(changelist, changelist.result_list[0])

    @classmethod
    def of(cls, changelist) -> list | None:
        """Return the rows, or None where Django's own are needed."""
        if (
            changelist.formset is not None
            or changelist.is_popup
            or changelist.to_field
            or not changelist.result_list
        ):
            return None
        try:
            rows = cls(changelist)
        except (LeftToDjango, NoReverseMatch):
            return None
        return [
            ResultList(None, [rows.row(result)]) for result in changelist.result_list
        ]

    def row(self, result) -> str:
        cells = []
        for column in self.columns:
            shown, classes = column.cell(result)
            if column.link_tag is None:
                cells.append(f'<td class="{classes}">{shown}</td>')
            else:
                url = escaped(self.address.of(result))
                tag = column.link_tag
                cells.append(
                    f'<{tag} class="{classes}"><a href="{url}">{shown}</a></{tag}>'
                )
        return mark_safe("".join(cells))
