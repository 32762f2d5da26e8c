"""Messages to delegates: written on the list of registrations, recorded here.

Staff with the permission "Can send messages to delegates" choose delegates
on the list (ticked, or every one the filters give), write the message in
English and Japanese, preview it as one delegate of each language will read
it, and send it: one email per delegate, through the outbox, at the rate the
mail server takes (``MESSAGE_EMAILS_PER_MINUTE``). Each message is recorded
with its selection and its number of recipients.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from registrations import emails, message_texts, services
from registrations.models import DelegateMessage, OutgoingEmail
from symposium.admin import ReadOnly, action_page

SEND_PERMISSION = "registrations.send_delegatemessage"
# How many of the chosen delegates the page names.
LISTED = 20


class MessageForm(forms.Form):
    subject_en = forms.CharField(label=_("Subject (English)"), max_length=200)
    body_en = forms.CharField(
        label=_("Message (English)"), widget=forms.Textarea(attrs={"rows": 10})
    )
    subject_ja = forms.CharField(label=_("Subject (Japanese)"), max_length=200)
    body_ja = forms.CharField(
        label=_("Message (Japanese)"),
        widget=forms.Textarea(attrs={"rows": 10, "lang": "ja"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject_ja"].widget.attrs["lang"] = "ja"
        for name in self.fields:
            self.fields[name].validators.append(message_texts.validate_placeholders)

    def texts(self) -> services.MessageTexts:
        return services.MessageTexts(**self.cleaned_data)


def previews(recipients, texts: services.MessageTexts) -> list[dict]:
    """Return the email as one delegate of each language will read it."""
    draft = DelegateMessage(**texts.__dict__)
    shown = []
    first = recipients.select_related("event", "organisation").order_by("pk")
    for language, label in (("en", _("English")), ("ja", _("Japanese"))):
        registration = first.filter(language=language).first() or first.first()
        registration.language = language
        email = emails.build_message_email(registration, draft)
        shown.append(
            {
                "language": language,
                "label": label,
                "registration": registration,
                "subject": email.subject,
                "body": email.body,
            }
        )
    return shown


class MessageActionMixin:
    """The list of registrations' action that writes to the chosen delegates."""

    def has_send_message_permission(self, request):
        return request.user.has_perm(SEND_PERMISSION)

    @admin.action(
        description=_("Write a message to the selected delegates"),
        permissions=["send_message"],
    )
    def write_message(self, request, queryset):
        recipients = services.message_recipients(queryset)
        bound = "preview" in request.POST or "send" in request.POST
        form = MessageForm(request.POST if bound else None)
        shown = []
        if form.is_valid() and "send" in request.POST:
            try:
                message = services.message_send(
                    registrations=queryset,
                    texts=form.texts(),
                    selection={
                        "filters": request.GET.dict(),
                        "select_across": request.POST.get("select_across") == "1",
                    },
                    by=request.user,
                )
            except services.RegistrationError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "The message is on its way to %(count)d delegate.",
                        "The message is on its way to %(count)d delegates.",
                        message.recipient_count,
                    )
                    % {"count": message.recipient_count},
                    messages.SUCCESS,
                )
                return None
        elif form.is_valid() and recipients.exists():
            shown = previews(recipients, form.texts())
        total = recipients.count()
        return action_page(
            self,
            request,
            "admin/registrations/registration/write_message.html",
            title=_("Write a message to the selected delegates"),
            form=form,
            previews=shown,
            registrations=recipients.select_related("organisation")[:LISTED],
            total=total,
            left_out=queryset.count() - total,
            more=max(total - LISTED, 0),
            placeholders=message_texts.PLACEHOLDERS,
        )


@admin.register(DelegateMessage)
class DelegateMessageAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "subject_en",
        "event",
        "recipient_count",
        "delivered",
        "sent_by",
        "sent_at",
    ]
    list_filter = ["event"]
    list_select_related = ["event", "sent_by"]
    search_fields = ["subject_en", "subject_ja"]
    date_hierarchy = "sent_at"
    fields = [
        "event",
        "sent_at",
        "sent_by",
        "recipient_count",
        "subject_en",
        "body_en",
        "subject_ja",
        "body_ja",
        "selection",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                delivered_count=Count(
                    "emails", filter=Q(emails__state=OutgoingEmail.State.SENT)
                )
            )
        )

    @admin.display(description=_("delivered"), ordering="delivered_count")
    def delivered(self, message):
        return message.delivered_count
