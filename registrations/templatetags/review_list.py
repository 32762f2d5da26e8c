"""The reviewers' list's rows and its date hierarchy.

``{% review_result_list %}`` is Django's ``{% result_list %}`` with the rows
written by ``admin.rows``, each column looked up once a page.

``{% review_date_hierarchy %}`` reads the dates from the submission index:
Django's ``{% date_hierarchy %}`` asks the list's queryset for its distinct
years, months or days, which PostgreSQL answers by truncating the date of
every registration (40 ms at 100,000). This tag shows the same links, but
asks ``selectors.submission_dates``, one index probe per period.
"""

import copy

from django import template
from django.contrib.admin.templatetags.admin_list import (
    date_hierarchy,
    result_headers,
    result_list,
)
from django.contrib.admin.templatetags.base import InclusionAdminNode

from registrations import selectors
from registrations.admin.rows import Rows

register = template.Library()


class IndexedDates:
    """What the date hierarchy reads of the list's registrations."""

    def __init__(self, registrations):
        self.registrations = registrations
        self.bounds = None

    def aggregate(self, **kwargs):
        # Only ever asked for the first and the last submission (as ``first``
        # and ``last``): kept for the periods between.
        self.bounds = selectors.submission_bounds(self.registrations)
        return self.bounds

    def datetimes(self, field_name, kind):
        return selectors.submission_dates(self.registrations, kind, self.bounds)

    dates = datetimes


def review_date_hierarchy(changelist):
    shown = copy.copy(changelist)
    shown.queryset = IndexedDates(changelist.queryset)
    return date_hierarchy(shown)


@register.tag(name="review_date_hierarchy")
def review_date_hierarchy_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=review_date_hierarchy,
        template_name="date_hierarchy.html",
        takes_context=False,
    )


def review_result_list(changelist):
    rows = Rows.of(changelist)
    if rows is None:
        return result_list(changelist)
    headers = list(result_headers(changelist))
    return {
        "cl": changelist,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(
            1 for header in headers if header["sortable"] and header["sorted"]
        ),
        "results": rows,
    }


@register.tag(name="review_result_list")
def review_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser,
        token,
        func=review_result_list,
        template_name="change_list_results.html",
        takes_context=False,
    )
