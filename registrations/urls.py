from django.urls import path

from registrations import views

app_name = "registrations"

urlpatterns = [
    path("", views.home, name="home"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("events/<slug:slug>/register/", views.register, name="register"),
    path("events/<slug:slug>/register/done/", views.registered, name="registered"),
    path("registration/<str:token>/", views.private, name="private"),
    path("registration/<str:token>/edit/", views.private_edit, name="private_edit"),
    path(
        "registration/<str:token>/cancel/", views.private_cancel, name="private_cancel"
    ),
]
