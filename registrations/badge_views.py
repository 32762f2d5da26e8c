"""The staff's badge page: choose the badges of an event, see them counted, print.

Outside the admin, with a permission of its own ("Can print badges"), signed
in as for the admin (staff, second factor). It makes the same PDF and the
same record as the admin's action and ``make_badges``.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from registrations import selectors, services
from registrations.documents import badges, selection
from registrations.models import ExportLog
from registrations.staff_forms import BadgeSelectionForm

# How many recent prints the page lists.
RECENT_PRINTS = 10


def chosen_selection(form: BadgeSelectionForm) -> selection.Selection:
    data = form.cleaned_data
    return selection.for_badges(
        event=data["event"],
        statuses=data["statuses"],
        categories=data["categories"],
        unprinted=data["unprinted"],
        kind=ExportLog.Kind.FILTERED,
        filters={
            "statuses": data["statuses"],
            "categories": data["categories"],
            "unprinted": data["unprinted"],
            "page": "badges",
        },
    )


def selection_summary(chosen: selection.Selection) -> dict:
    """Count the badges chosen, those printed before, and names the fonts lack."""
    registrations = chosen.registrations
    total = registrations.count()
    by_category = dict(
        registrations.order_by().values_list("category").annotate(n=Count("pk"))
    )
    return {
        "total": total,
        "never_printed": selection.never_printed(registrations).count(),
        "by_category": by_category,
        "unprintable": badges.unprintable(registrations),
    }


@require_http_methods(["GET", "POST"])
def badge_page(request):
    if not selectors.can_print_badges(request.user):
        raise PermissionDenied
    summary = None
    if request.method == "POST":
        form = BadgeSelectionForm(request.POST)
        if form.is_valid():
            chosen = chosen_selection(form)
            if "print" in request.POST:
                try:
                    document = badges.badge_document(
                        selection=chosen,
                        user=request.user,
                        layout=form.cleaned_data["layout"],
                        reason=form.cleaned_data["reason"],
                    )
                except services.RegistrationError as error:
                    form.add_error(None, error.message)
                else:
                    return badges.badge_response(document)
            summary = selection_summary(chosen)
    else:
        form = BadgeSelectionForm()
    recent = (
        ExportLog.objects.filter(document=ExportLog.Document.BADGES)
        .select_related("exported_by", "event")
        .order_by("-exported_at")[:RECENT_PRINTS]
    )
    context = {
        **admin.site.each_context(request),
        "title": _("Badges"),
        "form": form,
        "summary": summary,
        "recent": recent,
        "categories": dict(form.fields["categories"].choices),
    }
    return render(request, "registrations/staff/badges.html", context)


staff_badge_page = admin.site.admin_view(badge_page)
