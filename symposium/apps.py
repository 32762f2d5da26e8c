"""The admin, as this project configures it."""

from django.contrib.admin.apps import AdminConfig


class SymposiumAdminConfig(AdminConfig):
    default_site = "symposium.admin.SymposiumAdminSite"
