"""The protocol office's records: the letterheads of the letters, and the log of
who read passport data (which nobody may change)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from registrations import validators
from registrations.models import PassportDataView, VisaLetterhead
from registrations.services.visas import store_stamp
from symposium.uploads import accepts_upload, refused_upload


@admin.register(PassportDataView)
class PassportDataViewAdmin(admin.ModelAdmin):
    list_display = ["viewed_at", "viewed_by", "registration_ref", "access"]
    list_filter = ["access", ("viewed_by", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["viewed_by"]
    date_hierarchy = "viewed_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LetterheadForm(forms.ModelForm):
    stamp = forms.FileField(
        label=_("Stamp image"),
        required=False,
        help_text=_(
            "The official seal, printed beside the signature: PNG (transparent "
            "background) or JPEG, 100 × 100 pixels at least."
        ),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_stamp = forms.BooleanField(label=_("Remove the stamp"), required=False)

    class Meta:
        model = VisaLetterhead
        fields = [
            "event",
            "header",
            "header_ja",
            "signatory_name",
            "signatory_name_ja",
            "signatory_title",
            "signatory_title_ja",
        ]
        field_classes = {
            "header": validators.MultiLineTextField,
            "header_ja": validators.MultiLineTextField,
            "signatory_name": validators.SingleLineTextField,
            "signatory_name_ja": validators.SingleLineTextField,
            "signatory_title": validators.SingleLineTextField,
            "signatory_title_ja": validators.SingleLineTextField,
        }

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.stamp_png: bytes | None = None

    def clean_stamp(self):
        upload = self.cleaned_data.get("stamp")
        if self.request is not None and refused_upload(self.request, "stamp"):
            raise validators.too_large()
        if upload:
            self.stamp_png = validators.read_stamp(upload.read())
        return upload


@admin.register(VisaLetterhead)
class VisaLetterheadAdmin(admin.ModelAdmin):
    form = LetterheadForm
    list_display = ["event", "signatory_name", "signatory_title", "has_stamp"]

    @admin.display(description=_("Stamp"), boolean=True)
    def has_stamp(self, obj):
        return bool(obj.stamp_file)

    def get_form(self, request, obj=None, **kwargs):
        form_class = super().get_form(request, obj, **kwargs)

        class WithRequest(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, request=request, **inner)

        return WithRequest

    def get_urls(self):
        urls = super().get_urls()
        for pattern in urls:
            if pattern.name in (
                "registrations_visaletterhead_add",
                "registrations_visaletterhead_change",
            ):
                accepts_upload(field="stamp", max_bytes=validators.PHOTO_MAX_BYTES)(
                    pattern.callback
                )
        return urls

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if form.stamp_png or form.cleaned_data.get("remove_stamp"):
            store_stamp(letterhead=obj, png=form.stamp_png)
