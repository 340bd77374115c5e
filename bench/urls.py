"""ROOT_URLCONF of the bench settings: the two reference views, then the product's
URLs unchanged."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("bench/hello/", views.hello, name="bench-hello"),
    path("bench/fortunes/", views.fortunes, name="bench-fortunes"),
    path("", include("compagnonnage.urls")),
]

handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
