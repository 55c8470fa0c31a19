"""Root URLs. Every named URL must have a rule in some app's policy.py (core.policy)."""

from django.contrib import admin
from django.urls import include, path

from kouprey.api import api

urlpatterns = [
    path("", include("kouprey.web.urls")),
    path("seizures/", include("kouprey.seizures.urls")),
    path("cases/", include("kouprey.cases.urls")),
    path("indicators/", include("kouprey.indicators.urls")),
    path("reference/", include("kouprey.reference.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
