from django.urls import path, register_converter

from registrations import badge_views, photo_views, views
from registrations.converters import TokenConverter

register_converter(TokenConverter, "token")

app_name = "registrations"

urlpatterns = [
    path("", views.home, name="home"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("events/<slug:slug>/register/", views.register, name="register"),
    path("events/<slug:slug>/register/done/", views.registered, name="registered"),
    path("registration/<token:token>/", views.private, name="private"),
    path("registration/<token:token>/edit/", views.private_edit, name="private_edit"),
    path(
        "registration/<token:token>/cancel/",
        views.private_cancel,
        name="private_cancel",
    ),
    path(
        "registration/<token:token>/photo/",
        photo_views.private_photo,
        name="private_photo",
    ),
    path(
        "registration/<token:token>/photo/remove/",
        photo_views.private_photo_remove,
        name="private_photo_remove",
    ),
    path(
        "registration/<token:token>/photo/image/",
        photo_views.private_photo_image,
        name="private_photo_image",
    ),
    # Staff pages outside the admin, behind permissions of their own.
    path("staff/badges/", badge_views.staff_badge_page, name="staff_badges"),
    path(
        "staff/photos/<int:registration_id>/",
        photo_views.staff_photo,
        name="staff_photo",
    ),
]
