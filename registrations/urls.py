from django.urls import path, register_converter

from registrations import (
    badge_views,
    calendar_views,
    door_views,
    photo_views,
    statistics_views,
    views,
    visa_views,
)
from registrations.converters import TokenConverter
from registrations.portal import invitation
from registrations.portal import views as portal

register_converter(TokenConverter, "token")

app_name = "registrations"

urlpatterns = [
    path("", views.home, name="home"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path(
        "events/<slug:slug>/programme.ics",
        calendar_views.programme_ics,
        name="programme_ics",
    ),
    path("events/<slug:slug>/register/", views.register, name="register"),
    path("events/<slug:slug>/register/done/", views.registered, name="registered"),
    path("lost-link/", views.lost_link_current, name="lost_link_current"),
    path("events/<slug:slug>/lost-link/", views.lost_link, name="lost_link"),
    path(
        "events/<slug:slug>/lost-link/sent/",
        views.lost_link_sent,
        name="lost_link_sent",
    ),
    path("registration/<token:token>/", views.private, name="private"),
    path("registration/<token:token>/edit/", views.private_edit, name="private_edit"),
    path(
        "registration/<token:token>/cancel/",
        views.private_cancel,
        name="private_cancel",
    ),
    path(
        "registration/<token:token>/my-sessions.ics",
        calendar_views.my_sessions_ics,
        name="my_sessions_ics",
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
    path(
        "registration/<token:token>/visa/",
        visa_views.private_visa,
        name="private_visa",
    ),
    path(
        "registration/<token:token>/visa/letter/",
        visa_views.private_visa_letter,
        name="private_visa_letter",
    ),
    # A visa letter's QR code: public, and says nothing about the person.
    path(
        "letters/<str:reference>/",
        visa_views.visa_verify,
        name="visa_verify",
    ),
    # Staff pages outside the admin, behind permissions of their own.
    path("staff/badges/", badge_views.staff_badge_page, name="staff_badges"),
    path("staff/door/", door_views.door_page, name="door"),
    path("staff/door/data/", door_views.door_data, name="door_data"),
    path("staff/door/redeem/", door_views.door_redeem, name="door_redeem"),
    path("staff/door/worker.js", door_views.door_worker, name="door_worker"),
    path("staff/attendance/", door_views.attendance_page, name="attendance"),
    path(
        "staff/attendance/data/",
        door_views.attendance_data,
        name="attendance_data",
    ),
    path(
        "staff/statistics/",
        statistics_views.staff_statistics_page,
        name="staff_statistics",
    ),
    path(
        "staff/statistics/needs.csv",
        statistics_views.staff_needs_download,
        {"file_format": "csv"},
        name="staff_needs_csv",
    ),
    path(
        "staff/statistics/needs.xlsx",
        statistics_views.staff_needs_download,
        {"file_format": "xlsx"},
        name="staff_needs_xlsx",
    ),
    path(
        "staff/photos/<int:registration_id>/",
        photo_views.staff_photo,
        name="staff_photo",
    ),
    # The focal point's portal: every address starts with the delegation's secret.
    path("delegation/<token:token>/", portal.portal, name="portal"),
    path("delegation/<token:token>/nominate/", portal.nominate, name="portal_nominate"),
    path(
        "delegation/<token:token>/members/<int:member_id>/edit/",
        portal.member_edit,
        name="portal_member_edit",
    ),
    path(
        "delegation/<token:token>/members/<int:member_id>/replace/",
        portal.member_replace,
        name="portal_member_replace",
    ),
    path(
        "delegation/<token:token>/members/<int:member_id>/withdraw/",
        portal.member_withdraw,
        name="portal_member_withdraw",
    ),
    path("delegation/<token:token>/head/", portal.name_head, name="portal_head"),
    path(
        "delegation/<token:token>/note-verbale/",
        portal.upload_note_verbale,
        name="portal_note_verbale",
    ),
    path("delegation/<token:token>/submit/", portal.submit, name="portal_submit"),
    path("delegation/<token:token>/decline/", portal.decline, name="portal_decline"),
    # A personal invitation.
    path("invitation/<token:token>/", invitation.invitation, name="invitation"),
    path(
        "invitation/<token:token>/decline/",
        invitation.invitation_decline,
        name="invitation_decline",
    ),
]
