from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("mentions-legales/", views.legal_notice, name="legal-notice"),
    path("conditions-utilisation/", views.terms, name="terms"),
    path("confidentialite/", views.privacy, name="privacy"),
]
