from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import views as core_views

from .space import space

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    # The prefixed parts first: no page of the unprefixed includes below starts
    # with these prefixes, and Django tries the patterns in order (the API's
    # were tried after some 300 others on every call).
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("compagnonnage.api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
    path("", include("core.urls")),
    path("mon-espace/", space, name="space"),
    path("", include("mentors.urls")),
    path("", include("matching.urls")),
    path("", include("sessions.urls")),
    path("", include("certification.urls")),
    path("", include("certification.attestation_urls")),  # issue 19
]

handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
