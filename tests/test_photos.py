"""Badge photos: only pictures, cleaned of metadata, private, deleted with the data."""

import datetime
import io
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from registrations import services
from registrations.models import DelegatePhoto, Registration
from registrations.validators import PHOTO_MAX_BYTES, read_portrait
from tests.factories import EventFactory, RegistrationFactory

pytestmark = pytest.mark.django_db

Status = Registration.Status


def jpeg_with_exif(size=(800, 1000), orientation=None) -> bytes:
    picture = Image.new("RGB", size, "#8aa")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (35, 41, 0)}  # GPS: latitude
    if orientation:
        exif[0x0112] = orientation
    output = io.BytesIO()
    picture.save(output, "JPEG", exif=exif)
    return output.getvalue()


def photo_url(registration):
    return reverse("registrations:private_photo", kwargs={"token": registration.token})


def upload(client, registration, content, name="me.jpg", kind="image/jpeg"):
    return client.post(
        photo_url(registration), {"photo": SimpleUploadedFile(name, content, kind)}
    )


@pytest.fixture
def approved(event):
    return RegistrationFactory(event=event, status=Status.APPROVED)


def stored(registration) -> Image.Image:
    photo = DelegatePhoto.objects.get(registration=registration)
    return Image.open(io.BytesIO(photo.read()))


def test_an_approved_delegate_adds_a_photo_stripped_of_exif(client, approved):
    response = upload(client, approved, jpeg_with_exif(orientation=6))
    assert response.status_code == 302
    picture = stored(approved)
    assert picture.format == "JPEG"
    assert not picture.getexif()
    assert "exif" not in picture.info and "icc_profile" not in picture.info
    # Turned upright (orientation 6: rotated a quarter) and made smaller.
    assert (picture.width, picture.height) == (480, 384)
    page = client.get(approved.private_path()).content.decode()
    assert (
        reverse("registrations:private_photo_image", kwargs={"token": approved.token})
        in page
    )


def test_a_file_that_is_not_a_picture_is_refused_whatever_its_name(client, approved):
    disguised = b"%PDF-1.7\n" + b"not a picture " * 100
    response = upload(client, approved, disguised, name="portrait.jpg")
    assert response.status_code == 200
    assert "not a photo we can read" in response.content.decode()
    assert not DelegatePhoto.objects.exists()


@pytest.mark.parametrize("kind", ["GIF", "TIFF", "BMP"])
def test_other_picture_formats_are_refused(client, approved, kind):
    output = io.BytesIO()
    Image.new("RGB", (400, 500), "red").save(output, kind)
    response = upload(client, approved, output.getvalue(), name="me.png")
    assert "not a photo we can read" in response.content.decode()
    assert not DelegatePhoto.objects.exists()


def test_an_oversized_file_is_refused_with_the_limit_named(client, approved):
    response = upload(client, approved, b"\xff\xd8" + b"0" * (PHOTO_MAX_BYTES + 10))
    assert response.status_code == 200
    assert "too large" in response.content.decode()
    assert "10.0" in response.content.decode()
    assert not DelegatePhoto.objects.exists()


def test_a_tiny_picture_is_refused(client, approved):
    output = io.BytesIO()
    Image.new("RGB", (40, 50), "red").save(output, "PNG")
    response = upload(client, approved, output.getvalue())
    assert "too small" in response.content.decode()


def test_a_picture_declaring_too_many_pixels_is_refused_undecoded():
    output = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(output, "PNG")
    with pytest.raises(Exception) as refused:
        read_portrait(output.getvalue())
    assert refused.value.code == "photo_too_many_pixels"


def test_a_pending_delegate_cannot_add_a_photo_yet(client, event):
    registration = RegistrationFactory(event=event, status=Status.PENDING)
    response = upload(client, registration, jpeg_with_exif())
    assert response.status_code == 302
    assert not DelegatePhoto.objects.exists()


def test_a_new_photo_replaces_the_old_and_its_file(
    client, approved, django_capture_on_commit_callbacks
):
    upload(client, approved, jpeg_with_exif())
    first = DelegatePhoto.objects.get()
    storage = services.photos.private_storage()
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, approved, jpeg_with_exif(size=(500, 700)))
    assert DelegatePhoto.objects.count() == 1
    assert not storage.exists(first.file_name)
    assert storage.exists(DelegatePhoto.objects.get().file_name)


def test_the_delegate_removes_the_photo_and_its_file(
    client, approved, django_capture_on_commit_callbacks
):
    upload(client, approved, jpeg_with_exif())
    name = DelegatePhoto.objects.get().file_name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(
                "registrations:private_photo_remove", kwargs={"token": approved.token}
            )
        )
    assert not DelegatePhoto.objects.exists()
    assert not services.photos.private_storage().exists(name)


def test_a_file_sent_to_another_page_is_still_refused(client, approved):
    response = client.post(
        reverse("registrations:private_edit", kwargs={"token": approved.token}),
        {"photo": SimpleUploadedFile("me.jpg", jpeg_with_exif(), "image/jpeg")},
    )
    assert response.status_code == 400


def test_two_files_at_once_are_refused(client, approved):
    response = client.post(
        photo_url(approved),
        {
            "photo": SimpleUploadedFile("a.jpg", jpeg_with_exif(), "image/jpeg"),
            "other": SimpleUploadedFile("b.jpg", jpeg_with_exif(), "image/jpeg"),
        },
    )
    assert response.status_code == 400
    assert not DelegatePhoto.objects.exists()


# Who sees a photo


def staff_member(*permissions):
    user = get_user_model().objects.create_user(
        f"staff{get_user_model().objects.count()}", password="x", is_staff=True
    )
    user.user_permissions.add(*Permission.objects.filter(codename__in=permissions))
    return user


def test_the_photo_is_served_to_the_delegate_and_to_staff_allowed_only(
    client, approved
):
    upload(client, approved, jpeg_with_exif())
    own = client.get(
        reverse("registrations:private_photo_image", kwargs={"token": approved.token})
    )
    assert own.status_code == 200 and own["Content-Type"] == "image/jpeg"
    assert "no-store" in own["Cache-Control"]
    staff_url = reverse("registrations:staff_photo", args=[approved.pk])
    client.logout()
    assert client.get(staff_url).status_code == 302  # to the sign-in
    client.force_login(staff_member("view_registration"))
    assert client.get(staff_url).status_code == 403
    client.force_login(staff_member("view_delegatephoto"))
    served = client.get(staff_url)
    assert served.status_code == 200 and served.content[:2] == b"\xff\xd8"


def test_a_wrong_private_link_shows_no_photo(client, approved):
    upload(client, approved, jpeg_with_exif())
    other = RegistrationFactory(status=Status.APPROVED)
    response = client.get(
        reverse("registrations:private_photo_image", kwargs={"token": other.token})
    )
    assert response.status_code == 404


def test_staff_add_a_photo_from_the_admin_with_the_permission(client, approved):
    url = reverse("admin:registrations_registration_photo", args=[approved.pk])
    client.force_login(staff_member("view_registration", "view_delegatephoto"))
    assert client.get(url).status_code == 403
    user = staff_member("view_registration", "change_delegatephoto")
    client.force_login(user)
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"photo": SimpleUploadedFile("p.png", jpeg_with_exif(), "image/png")}
    )
    assert response.status_code == 302
    assert DelegatePhoto.objects.get().uploaded_by == user


def test_the_photo_prints_on_the_badge(client, approved):
    from tests.test_badges import print_badges

    upload(client, approved, jpeg_with_exif())
    document = print_badges(Registration.objects.filter(pk=approved.pk))
    assert b"/DCTDecode" in document.content  # the JPEG, embedded as it is


# Deleted with the registration


@pytest.mark.django_db(transaction=True)
def test_the_retention_job_deletes_the_photo_files(client):
    ended = timezone.now() - datetime.timedelta(days=400)
    event = EventFactory(
        starts_at=ended - datetime.timedelta(hours=8),
        ends_at=ended,
        registration_opens_at=ended - datetime.timedelta(days=60),
        registration_closes_at=ended - datetime.timedelta(days=2),
    )
    registration = RegistrationFactory(event=event, status=Status.APPROVED)
    portrait = read_portrait(jpeg_with_exif())
    photo = services.photo_replace(
        registration=registration,
        portrait=portrait,
        by=staff_member("change_delegatephoto"),
    )
    storage = services.photos.private_storage()
    assert storage.exists(photo.file_name)
    call_command("delete_expired_registrations", stdout=StringIO())
    assert not DelegatePhoto.objects.exists()
    assert not storage.exists(photo.file_name)


@pytest.mark.django_db(transaction=True)
def test_deleting_a_registration_deletes_its_photo_file():
    registration = RegistrationFactory(status=Status.APPROVED)
    photo = services.photo_replace(
        registration=registration, portrait=read_portrait(jpeg_with_exif())
    )
    storage = services.photos.private_storage()
    with transaction.atomic():
        registration.delete()
        # Not before the deletion is committed: a rollback keeps the file.
        assert storage.exists(photo.file_name)
    assert not storage.exists(photo.file_name)
