"""Badge photos: the delegate's own (through the private link) and staff's view.

A photo is personal data: it is served only to the delegate through their
private link and to signed-in staff allowed to see photos, never from a
public address, never cached by a browser or a proxy.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from registrations import selectors, services
from registrations.models import DelegatePhoto, Registration
from registrations.staff_forms import PhotoForm
from registrations.validators import PHOTO_MAX_BYTES
from registrations.views import registration_for_token
from symposium.uploads import accepts_upload


def photo_response(photo: DelegatePhoto) -> HttpResponse:
    """Return the photo's JPEG, for the eyes of this request only."""
    try:
        content = photo.read()
    except OSError as error:
        raise Http404(_("The photo file is missing.")) from error
    return private_file_response(content, content_type="image/jpeg")


def private_file_response(
    content: bytes, *, content_type: str, disposition: str = "inline"
) -> HttpResponse:
    """Return a file of personal data, for the eyes of this request only."""
    return HttpResponse(
        content,
        content_type=content_type,
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": disposition,
            "X-Content-Type-Options": "nosniff",
        },
    )


@never_cache
@accepts_upload(field="photo", max_bytes=PHOTO_MAX_BYTES)
@require_http_methods(["GET", "POST"])
def private_photo(request, token):
    """The delegate adds or replaces the photo for their badge, once approved."""
    registration = registration_for_token(token)
    if not services.delegate_can_upload_photo(registration=registration):
        messages.info(
            request,
            _(
                "A photo for your badge can be added once your registration is "
                "approved."
            ),
        )
        return redirect(registration.private_path())
    photo = getattr(registration, "photo", None)
    if request.method == "POST":
        form = PhotoForm(request.POST, request.FILES, request=request)
        if form.is_valid():
            try:
                services.photo_replace(
                    registration=registration, portrait=form.portrait
                )
            except services.RegistrationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Your photo has been saved."))
                return redirect(registration.private_path())
    else:
        form = PhotoForm(request=request)
    return render(
        request,
        "registrations/private_photo.html",
        {
            "event": registration.event,
            "registration": registration,
            "photo": photo,
            "form": form,
        },
    )


@never_cache
@require_POST
def private_photo_remove(request, token):
    registration = registration_for_token(token)
    if services.photo_remove(registration=registration):
        messages.success(request, _("Your photo has been removed."))
    return redirect(registration.private_path())


@never_cache
@require_GET
def private_photo_image(request, token):
    """The delegate's own photo, through their private link."""
    registration = registration_for_token(token)
    photo = getattr(registration, "photo", None)
    if photo is None:
        raise Http404(_("There is no photo."))
    return photo_response(photo)


@require_GET
def staff_photo_image(request, registration_id):
    """A delegate's photo for staff allowed to see photos (signed in, second factor)."""
    if not selectors.can_view_photos(request.user):
        raise PermissionDenied
    registration = get_object_or_404(Registration, pk=registration_id)
    photo = getattr(registration, "photo", None)
    if photo is None:
        raise Http404(_("There is no photo."))
    return photo_response(photo)


# Signed in as staff with the second factor, as for the admin.
staff_photo = admin.site.admin_view(staff_photo_image)
