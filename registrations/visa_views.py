"""Visa support on the public site: the delegate's request, their letter, and
the verification page that anyone holding a letter may open.

The request and the letter are behind the delegate's private link. The
verification page, which a letter's QR code leads to, says which event's
letter it is, when it was issued and whether it is still valid: nothing of
the person it was issued to.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from registrations import services
from registrations.forms.visas import VisaRequestForm
from registrations.models import VisaLetter, VisaRequest
from registrations.models.photos import private_storage
from registrations.photo_views import private_file_response
from registrations.views import registration_for_token


def letter_pdf_response(letter: VisaLetter) -> HttpResponse:
    """Return the letter's PDF as a download, or 404 if its file is gone."""
    if not letter.file_name:
        raise Http404(_("The letter's file has been deleted."))
    try:
        with private_storage().open(letter.file_name, "rb") as file:
            content = file.read()
    except OSError as error:
        raise Http404(_("The letter's file is missing.")) from error
    return private_file_response(
        content,
        content_type="application/pdf",
        disposition=f'attachment; filename="{letter.reference}.pdf"',
    )


@never_cache
@require_http_methods(["GET", "POST"])
def private_visa(request, token):
    """The delegate asks for a visa support letter, or corrects the request."""
    registration = registration_for_token(token)
    existing = VisaRequest.objects.filter(registration=registration).first()
    refusal = services.delegate_visa_refusal(registration=registration)
    if refusal:
        messages.info(request, refusal)
        return redirect(registration.private_path())
    form = VisaRequestForm(
        request.POST or None, instance=existing, event=registration.event
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.visa_request_submit(
                registration=registration, details=form.visa_details()
            )
        except services.RegistrationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _(
                    "Your request has been received. The protocol office will "
                    "check it and email you the letter."
                ),
            )
            return redirect(registration.private_path())
    return render(
        request,
        "registrations/private_visa.html",
        {
            "event": registration.event,
            "registration": registration,
            "visa_request": existing,
            "form": form,
            "retention_days": settings.VISA_DATA_RETENTION_DAYS,
        },
    )


@never_cache
@require_GET
def private_visa_letter(request, token):
    """The delegate downloads the letter in force."""
    registration = registration_for_token(token)
    letter = (
        VisaLetter.objects.filter(
            request__registration=registration, withdrawn_at__isnull=True
        )
        .order_by("-issued_at")
        .first()
    )
    if letter is None:
        raise Http404(_("No letter has been issued for this registration."))
    return letter_pdf_response(letter)


@require_GET
def visa_verify(request, reference):
    """Say whether a letter is valid, and nothing about whom it is for."""
    letter = (
        VisaLetter.objects.select_related("event")
        .filter(reference=reference.strip().upper())
        .first()
    )
    status = 200 if letter is not None else 404
    return render(
        request,
        "registrations/visa_verify.html",
        {"letter": letter, "reference": reference},
        status=status,
    )
