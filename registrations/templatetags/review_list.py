"""The reviewers' list's rows and its date hierarchy.

``{% review_result_list %}`` is Django's ``{% result_list %}`` with the rows
written by ``admin.rows``, each column looked up once a page.

``{% review_date_hierarchy %}`` reads the dates from the submission index:
Django's ``{% date_hierarchy %}`` asks the list's queryset for its distinct
years, months or days, which PostgreSQL answers by truncating the date of
every registration (40 ms at 100,000). This tag shows the same links, but
asks ``selectors.submission_dates``, one index probe per period, or for a
list of at most ``selectors.SHORT_LIST`` (a search's, say) one per period in
its rows, read once.
"""

import copy

from django import template
from django.contrib.admin.templatetags.admin_list import date_hierarchy, result_list
from django.contrib.admin.templatetags.base import InclusionAdminNode

from registrations import selectors
from registrations.admin.rows import Rows

register = template.Library()


class IndexedDates:
    """What the date hierarchy reads of the list's registrations."""

    def __init__(self, registrations, total: int):
        self.registrations = registrations
        self.short = total <= selectors.SHORT_LIST
        self.bounds = None

    def aggregate(self, **kwargs):
        # Only ever asked for the first and the last submission (as ``first``
        # and ``last``): kept for the periods between.
        self.bounds = selectors.submission_bounds(self.registrations, short=self.short)
        return self.bounds

    def datetimes(self, field_name, kind):
        return selectors.submission_dates(
            self.registrations, kind, self.bounds, short=self.short
        )

    dates = datetimes


def review_date_hierarchy(changelist):
    shown = copy.copy(changelist)
    shown.queryset = IndexedDates(changelist.queryset, changelist.result_count)
    return date_hierarchy(shown)


def admin_tag(name: str, func, template_name: str) -> None:
    """Register ``{% name changelist %}``, rendered as the admin's own tags are."""

    def compile_tag(parser, token):
        return InclusionAdminNode(
            parser, token, func=func, template_name=template_name, takes_context=False
        )

    register.tag(name, compile_tag)


def review_result_list(changelist):
    rows = Rows.of(changelist)
    if rows is None:
        return result_list(changelist)
    # Django's headers and the rest, without its rows.
    headed = copy.copy(changelist)
    headed.result_list = []
    return {**result_list(headed), "cl": changelist, "results": rows}


admin_tag("review_date_hierarchy", review_date_hierarchy, "date_hierarchy.html")
admin_tag("review_result_list", review_result_list, "change_list_results.html")
