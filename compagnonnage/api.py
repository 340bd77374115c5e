"""The one DRF router. Each app adds its viewsets here (this module is the top)."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api.views import MeView

router = DefaultRouter()

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
]
