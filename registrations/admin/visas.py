"""The protocol office's pages: visa requests, letters, letterheads, who read what.

Only the Protocol group has the permissions these need; reviewers see a
registration's visa state on its own page (``registrations``), never the
passport data. Every page that shows passport data records who saw it
(``services.passport_data_seen``); the list shows none.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from registrations import services, validators
from registrations.documents import audit
from registrations.documents.visa_requests import (
    protocol_headers,
    protocol_requests,
    protocol_rows,
)
from registrations.models import (
    Event,
    ExportLog,
    PassportDataView,
    VisaLetter,
    VisaRequest,
)
from registrations.models.visas import PASSPORT_FIELDS
from registrations.selectors import visas as selectors
from registrations.visa_views import letter_pdf_response

Access = PassportDataView.Access


class IssueForm(forms.Form):
    costs = forms.ChoiceField(
        label=_("Costs borne by"),
        choices=VisaRequest.Costs.choices,
        widget=forms.RadioSelect,
    )
    japanese_version = forms.BooleanField(
        label=_("Add a Japanese version"), required=False
    )
    send = forms.BooleanField(
        label=_("Email the letter to the delegate now"), required=False, initial=True
    )


class ReasonForm(forms.Form):
    reason = validators.SingleLineTextField(label=_("Reason"), max_length=300)


class VisaLetterInline(admin.TabularInline):
    model = VisaLetter
    fields = ["reference", "issued_at", "issued_by", "sent_at", "withdrawn_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(VisaRequest)
class VisaRequestAdmin(admin.ModelAdmin):
    list_display = ["delegate", "event", "state", "mission", "requested_at"]
    list_filter = ["state", "registration__event", "costs", "japanese_version"]
    list_select_related = ["registration__event"]
    search_fields = ["registration__family_name", "registration__given_name"]
    ordering = ["-requested_at", "-pk"]
    inlines = [VisaLetterInline]
    actions = ["export_protocol_list"]
    change_form_template = "admin/registrations/visarequest/change_form.html"

    @admin.display(description=_("Delegate"), ordering="registration__family_name")
    def delegate(self, obj):
        return obj.registration.display_name

    @admin.display(description=_("Event"))
    def event(self, obj):
        return obj.registration.event

    def get_fields(self, request, obj=None):
        fields = ["registration", "state", "requested_at", "updated_at", "mission"]
        if selectors.can_view_passport_data(request.user):
            fields[4:4] = list(PASSPORT_FIELDS)
        fields += ["japanese_version", "costs", "decided_by", "decided_at"]
        return fields + ["refusal_reason", "passport_data_deleted_at"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_export_permission(self, request):
        return selectors.can_export_visa_requests(request.user)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and selectors.can_view_passport_data(request.user):
            services.passport_data_seen(
                requests=[obj], by=request.user, access=Access.PAGE
            )
        extra_context = {
            **(extra_context or {}),
            "can_issue": selectors.can_issue_visa_letters(request.user),
            "letter": selectors.letter_in_force(obj) if obj else None,
            "letter_refusal": services.letter_refusal(obj.registration)
            if obj
            else None,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # The protocol office's steps

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(function)

        return [
            path("<path:object_id>/issue/", view(self.issue_view), name="visa_issue"),
            path(
                "<path:object_id>/refuse/", view(self.refuse_view), name="visa_refuse"
            ),
            path(
                "letters/<int:letter_id>/withdraw/",
                view(self.withdraw_view),
                name="visa_withdraw",
            ),
            path(
                "letters/<int:letter_id>/send/", view(self.send_view), name="visa_send"
            ),
            path(
                "letters/<int:letter_id>/pdf/",
                view(self.letter_view),
                name="visa_letter_pdf",
            ),
            *super().get_urls(),
        ]

    def _request_for(self, request, object_id) -> VisaRequest:
        if not selectors.can_issue_visa_letters(request.user):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj

    def _letter_for(self, request, letter_id) -> VisaLetter:
        if not selectors.can_issue_visa_letters(request.user):
            raise PermissionDenied
        letter = (
            VisaLetter.objects.select_related("request").filter(pk=letter_id).first()
        )
        if letter is None:
            raise Http404
        return letter

    def _change_url(self, visa_request) -> str:
        return reverse("admin:registrations_visarequest_change", args=[visa_request.pk])

    def _step(self, request, visa_request, form, title, button, letter=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": visa_request,
            "title": title,
            "form": form,
            "button": button,
            "letter": letter,
            "change_url": self._change_url(visa_request),
        }
        return TemplateResponse(
            request, "admin/registrations/visarequest/step.html", context
        )

    def issue_view(self, request, object_id):
        visa_request = self._request_for(request, object_id)
        initial = {
            "costs": visa_request.costs,
            "japanese_version": visa_request.japanese_version,
        }
        form = IssueForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                letter = services.visa_letter_issue(
                    request=visa_request, by=request.user, **form.cleaned_data
                )
            except services.RegistrationError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(
                    request,
                    _("Letter %(reference)s issued.") % {"reference": letter.reference},
                    messages.SUCCESS,
                )
                return redirect(self._change_url(visa_request))
        return self._step(
            request, visa_request, form, _("Issue a visa letter"), _("Issue the letter")
        )

    def refuse_view(self, request, object_id):
        visa_request = self._request_for(request, object_id)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.visa_request_refuse(
                    request=visa_request,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except services.RegistrationError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(
                    request, _("The request was refused."), messages.SUCCESS
                )
                return redirect(self._change_url(visa_request))
        return self._step(
            request, visa_request, form, _("Refuse the request"), _("Refuse")
        )

    def withdraw_view(self, request, letter_id):
        letter = self._letter_for(request, letter_id)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.visa_letter_withdraw(
                    letter=letter, by=request.user, reason=form.cleaned_data["reason"]
                )
            except services.RegistrationError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(
                    request,
                    _("Letter %(reference)s withdrawn.")
                    % {"reference": letter.reference},
                    messages.SUCCESS,
                )
                return redirect(self._change_url(letter.request))
        return self._step(
            request,
            letter.request,
            form,
            _("Withdraw a letter"),
            _("Withdraw the letter"),
            letter=letter,
        )

    def send_view(self, request, letter_id):
        letter = self._letter_for(request, letter_id)
        if request.method != "POST":
            return redirect(self._change_url(letter.request))
        try:
            services.visa_letter_send(letter=letter, by=request.user)
        except services.RegistrationError as error:
            self.message_user(request, error.message, messages.ERROR)
        else:
            self.message_user(request, _("The letter is on its way."), messages.SUCCESS)
        return redirect(self._change_url(letter.request))

    def letter_view(self, request, letter_id):
        letter = self._letter_for(request, letter_id)
        services.passport_data_seen(
            requests=[letter.request], by=request.user, access=Access.LETTER
        )
        return letter_pdf_response(letter)

    # The protocol list

    @admin.action(
        description=_("Export the selected requests for the protocol office (CSV)"),
        permissions=["export"],
    )
    def export_protocol_list(self, request, queryset):
        requests = protocol_requests(queryset)
        services.passport_data_seen(
            requests=requests, by=request.user, access=Access.EXPORT
        )
        events = list(
            Event.objects.filter(pk__in=queryset.values("registration__event"))[:2]
        )
        export = audit.document_start(
            document=ExportLog.Document.VISA_REQUESTS,
            kind=ExportLog.Kind.SELECTED,
            event=events[0] if len(events) == 1 else None,
            name="visa-requests",
            filters={
                "visa_requests": sorted(
                    int(pk)
                    for pk in request.POST.getlist(ACTION_CHECKBOX_NAME)
                    if pk.isascii() and pk.isdigit()
                ),
                "select_across": request.POST.get("select_across") == "1",
            },
            header=protocol_headers(),
            rows=protocol_rows(requests),
            user=request.user,
            file_format=ExportLog.Format.CSV,
        )
        return audit.export_response(export)
