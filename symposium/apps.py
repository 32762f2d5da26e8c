"""The admin, as this project configures it."""

from django.contrib.admin.apps import AdminConfig


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
