from django.urls import path, register_converter

from registrations import views
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
]
