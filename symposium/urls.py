from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from symposium.views import alive, healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("healthz/live", alive, name="alive"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += i18n_patterns(
    path("", include("registrations.urls")),
)
