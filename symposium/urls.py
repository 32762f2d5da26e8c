from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from symposium.views import alive, favicon, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Browsers ask for it on pages that name no icon, as the admin's.
    path("favicon.ico", favicon, name="favicon"),
    path("healthz/live", alive, name="alive"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += i18n_patterns(
    path("", include("registrations.urls")),
)
