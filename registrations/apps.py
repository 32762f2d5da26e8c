from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Symposium registrations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Connect the receivers that drop the cached public pages.
        from registrations import caching  # noqa: F401
        from registrations.services import photos, visas

        # Delete a badge photo's file, and a visa letter's, with its row,
        # however the row goes.
        photos.connect_receivers()
        visas.connect_receivers()
