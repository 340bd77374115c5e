from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("mentions-legales/", views.legal_notice, name="legal-notice"),
    path("conditions-utilisation/", views.terms, name="terms"),
    path("confidentialite/", views.privacy, name="privacy"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notification_read_all, name="notifications-read"),
    path("notifications/emails/", views.email_preferences, name="email-preferences"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
