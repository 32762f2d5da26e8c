"""Badges and photos in the admin: print and reissue from the list, photo upload.

The list's actions print the ticked registrations' badges (the same PDF and
record as the staff page and ``make_badges``) and reissue badges, each after
a confirmation page; a registration's change page shows its badges, its
photo and a link to add or replace it. The print record of each PDF lists
its badges.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from registrations import selectors, services
from registrations.documents import badges, selection
from registrations.models import Badge, BadgePrint
from registrations.staff_forms import BadgePrintForm, BadgeReissueForm, PhotoForm
from registrations.validators import PHOTO_MAX_BYTES
from symposium.admin import ReadOnly, action_page
from symposium.uploads import accepts_upload

# How many registrations a confirmation page lists before summing up.
CONFIRMATION_LISTED = 50


class BadgeInline(ReadOnly, admin.TabularInline):
    """A registration's badges, newest first: which is current, since when, why."""

    model = Badge
    extra = 0
    fields = [
        "version",
        "printed_code",
        "issued_at",
        "issued_by",
        "reason",
        "replaced_at",
    ]
    readonly_fields = fields
    verbose_name_plural = _("Badges")

    @admin.display(description=_("short code"))
    def printed_code(self, badge):
        return badge.printed_code

    def has_view_permission(self, request, obj=None):
        return selectors.can_print_badges(request.user)


class BadgePrintInline(ReadOnly, admin.TabularInline):
    """The badges one printed PDF held."""

    model = BadgePrint
    extra = 0
    fields = ["badge", "registration_name", "kind"]
    readonly_fields = fields
    verbose_name_plural = _("Badges printed")

    @admin.display(description=_("registration"))
    def registration_name(self, badge_print):
        return badge_print.badge.registration.display_name

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("badge__registration")


class BadgeMixin:
    """Print and reissue badges from the list; add a photo from the change page."""

    def has_print_badges_permission(self, request):
        return selectors.can_print_badges(request.user)

    def ticked_selection(self, request, queryset):
        across = request.POST.get("select_across") == "1"
        return selection.from_changelist(
            request.GET,
            ordering=queryset.query.order_by,
            selected=None
            if across
            else request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        )

    def confirmation(self, request, queryset, *, form, title, reissue=False):
        total = queryset.count()
        listed = queryset.select_related("organisation")[:CONFIRMATION_LISTED]
        return action_page(
            self,
            request,
            "admin/registrations/registration/badge_confirmation.html",
            title=title,
            form=form,
            registrations=listed,
            printed=selection.never_printed(queryset).count() != total,
            unprintable=badges.unprintable(queryset),
            total=total,
            more=max(total - CONFIRMATION_LISTED, 0),
            reissue=reissue,
        )

    @admin.action(
        description=_("Print badges of selected registrations"),
        permissions=["print_badges"],
    )
    def print_badges(self, request, queryset):
        form = BadgePrintForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            try:
                chosen = self.ticked_selection(request, queryset)
                document = badges.badge_document(
                    selection=chosen,
                    user=request.user,
                    layout=form.cleaned_data["layout"],
                    reason=form.cleaned_data["reason"],
                )
            except selection.SelectionError:
                self.message_user(
                    request,
                    _("The list's filters were not understood; nothing was printed."),
                    messages.ERROR,
                )
                return None
            except services.RegistrationError as error:
                form.add_error(None, error.message)
            else:
                return badges.badge_response(document)
        return self.confirmation(
            request,
            queryset,
            form=form,
            title=_("Print badges"),
        )

    @admin.action(
        description=_("Reissue badges of selected registrations (old ones void)"),
        permissions=["print_badges"],
    )
    def reissue_badges(self, request, queryset):
        form = BadgeReissueForm(request.POST if "confirm" in request.POST else None)
        if form.is_valid():
            done, refused = 0, []
            for registration in queryset:
                try:
                    services.badge_reissue(
                        registration=registration,
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                    done += 1
                except services.RegistrationError as error:
                    refused.append(f"{registration.display_name}: {error.message}")
            if done:
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d new badge issued; print it to replace the old one.",
                        "%(count)d new badges issued; print them to replace the old "
                        "ones.",
                        done,
                    )
                    % {"count": done},
                    messages.SUCCESS,
                )
            if refused:
                self.message_user(request, "; ".join(refused), messages.ERROR)
            return None
        return self.confirmation(
            request,
            queryset,
            form=form,
            title=_("Reissue badges"),
            reissue=True,
        )

    # The photo

    def get_urls(self):
        photo = self.admin_site.admin_view(self.photo_view)
        return [
            path(
                "<path:object_id>/photo/",
                photo,
                name="registrations_registration_photo",
            ),
            *super().get_urls(),
        ]

    @accepts_upload(field="photo", max_bytes=PHOTO_MAX_BYTES)
    def photo_view(self, request, object_id):
        """Add, replace or remove a registration's badge photo."""
        if not selectors.can_change_photos(request.user):
            raise PermissionDenied
        registration = self.get_object(request, unquote(object_id))
        if registration is None:
            raise Http404
        change_url = reverse(
            "admin:registrations_registration_change", args=[registration.pk]
        )
        form = PhotoForm(request=request)
        if request.method == "POST" and "remove" in request.POST:
            services.photo_remove(registration=registration)
            self.message_user(request, _("The photo was removed."), messages.SUCCESS)
            return redirect(change_url)
        if request.method == "POST":
            form = PhotoForm(request.POST, request.FILES, request=request)
            if form.is_valid():
                services.photo_replace(
                    registration=registration, portrait=form.portrait, by=request.user
                )
                self.message_user(request, _("The photo was saved."), messages.SUCCESS)
                return redirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Badge photo"),
            "registration": registration,
            "original": registration,
            "form": form,
            "photo": getattr(registration, "photo", None),
            "change_url": change_url,
        }
        return TemplateResponse(
            request, "admin/registrations/registration/photo.html", context
        )

    def render_change_form(self, request, context, *args, obj=None, **kwargs):
        if obj is not None and selectors.can_view_photos(request.user):
            context["photo"] = getattr(obj, "photo", None)
        if obj is not None and selectors.can_change_photos(request.user):
            context["photo_url"] = reverse(
                "admin:registrations_registration_photo", args=[obj.pk]
            )
        return super().render_change_form(request, context, *args, obj=obj, **kwargs)
