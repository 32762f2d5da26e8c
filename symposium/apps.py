"""The admin and django-axes, as this project configures them.

``SymposiumAdminConfig`` gives the admin its own site (``symposium.admin``);
``SignInLockoutsConfig`` shows django-axes under a name staff understand, in
English and Japanese.
"""

from axes.apps import AppConfig as AxesConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class SymposiumAdminConfig(AdminConfig):
    default_site = "symposium.admin.SymposiumAdminSite"

    def ready(self):
        super().ready()
        from django.contrib import admin
        from django_otp.plugins.otp_static.models import StaticDevice
        from django_otp.plugins.otp_totp.models import TOTPDevice

        # Connect the sign-in signal receivers.
        from symposium import security  # noqa: F401

        # django-otp's own pages show and edit the devices' secrets; a lost
        # device is reset with the reset_second_factor command instead.
        for model in (TOTPDevice, StaticDevice):
            if admin.site.is_registered(model):
                admin.site.unregister(model)


class SignInLockoutsConfig(AxesConfig):
    """django-axes, which records admin sign-ins and locks out guessers."""

    verbose_name = _("Sign-in lockouts")


# django-axes ships no Japanese catalogue. These are the strings its admin
# pages show; listed here, they enter this project's catalogue, which Django
# consults first, so that the Japanese admin shows them in Japanese.
AXES_MESSAGES = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("Access Attempt"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Expires At"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Not set"),
)
