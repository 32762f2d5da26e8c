"""The admin site staff work in, and the rules every admin page follows.

- A list applies only the filters, the search and the ordering it declares.
  Django applies any lookup on a model's own fields found in the query string,
  so ``?token__startswith=…`` turned the registrations list into a yes/no
  oracle for delegates' private links; here anything undeclared is refused.
- Staff sign in with a second factor when ``STAFF_TWO_FACTOR_REQUIRED`` is on
  (``symposium.second_factor``), and an address that fails to sign in as many
  names is refused for a while (``symposium.security``).
- Records nobody edits by hand (emails, the export audit) are ``ReadOnly``.
"""

import datetime

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from symposium import second_factor, security


class DeclaredFiltersChangeList(ChangeList):
    """A changelist that refuses every query parameter it does not declare."""

    def get_filters(self, request):
        asked = set(self.get_filters_params())
        self.check_date_hierarchy()
        try:
            filters = super().get_filters(request)
        except (OverflowError, ValueError) as error:
            # A date that the calendar or the time zone cannot hold.
            raise IncorrectLookupParameters(error) from error
        # What the list filters and the date hierarchy did not take up would
        # be applied as it stands.
        undeclared = set(filters[2]) & asked
        if undeclared:
            raise IncorrectLookupParameters(
                f"Not a filter of this list: {', '.join(sorted(undeclared))}"
            )
        return filters

    def check_date_hierarchy(self) -> None:
        """Refuse a year whose first or last day cannot be turned into UTC."""
        if not self.date_hierarchy:
            return
        year = self.params.get(f"{self.date_hierarchy}__year")
        if year is None:
            return
        if not (year.isascii() and year.isdigit()):
            raise IncorrectLookupParameters(f"Not a year: {year[:20]}")
        if not datetime.MINYEAR < int(year) < datetime.MAXYEAR:
            raise IncorrectLookupParameters(f"Year out of range: {year[:20]}")


class DeclaredFiltersOnly:
    """Give a ModelAdmin the changelist that applies only what it declares."""

    def get_changelist(self, request, **kwargs):
        return DeclaredFiltersChangeList


class ReadOnly:
    """For records nobody adds, edits or deletes by hand (emails, history, audit)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def action_page(
    model_admin: admin.ModelAdmin, request, template: str, **context
) -> TemplateResponse:
    """Return the page a list's action shows before it acts.

    Its form posts the action again with the same selection (the rows ticked,
    or all of them), so that what it confirms is what was chosen.
    """
    return TemplateResponse(
        request,
        template,
        {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.model._meta,
            "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across") == "1",
            "action": request.POST.get("action", ""),
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            **context,
        },
    )


class SymposiumAdminSite(admin.AdminSite):
    """The admin site: a second factor to enter, and strict lists once inside."""

    def has_permission(self, request):
        return super().has_permission(request) and second_factor.satisfied(request)

    def each_context(self, request):
        return {
            **super().each_context(request),
            "second_factor_required": second_factor.required(),
        }

    def login(self, request, extra_context=None):
        if request.method == "POST":
            seconds = security.address_lockout_seconds(request)
            if seconds:
                return security.lockout_page(request, seconds=seconds)
        user = request.user
        if user.is_active and user.is_staff and not second_factor.satisfied(request):
            # The password is given: on to the code, or to setting up the app.
            return redirect(second_factor.next_step_url(request))
        return super().login(request, extra_context)

    def get_urls(self):
        return [
            path(
                "second-factor/",
                second_factor.verify,
                name="second_factor_verify",
            ),
            path(
                "second-factor/setup/",
                second_factor.setup,
                name="second_factor_setup",
            ),
            path(
                "second-factor/recovery-codes/",
                second_factor.recovery_codes,
                name="second_factor_recovery_codes",
            ),
            path(
                "second-factor/sign-out/",
                second_factor.sign_out,
                name="second_factor_sign_out",
            ),
            *super().get_urls(),
        ]

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, DeclaredFiltersOnly):
            admin_class = type(
                admin_class.__name__,
                (DeclaredFiltersOnly, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)
