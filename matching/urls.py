from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("mon-espace/demandes/", views.requests_sent, name="requests-sent"),
    path(
        "mon-espace/demandes-recues/", views.requests_received, name="requests-received"
    ),
    path(
        "mon-espace/demandes/<int:request_id>/accepter/",
        views.request_accept,
        name="request-accept",
    ),
    path(
        "mon-espace/demandes/<int:request_id>/refuser/",
        views.request_decline,
        name="request-decline",
    ),
    path(
        "mon-espace/demandes/<int:request_id>/retirer/",
        views.request_withdraw,
        name="request-withdraw",
    ),
    path("mon-espace/profil-mentor/pause/", views.pause, name="pause"),
    path(
        "mon-espace/accompagnements/<int:mentorship_id>/", views.thread, name="thread"
    ),
    path(
        "mon-espace/accompagnements/<int:mentorship_id>/on-continue/",
        views.checkin,
        name="checkin",
    ),
    path(
        "mon-espace/accompagnements/<int:mentorship_id>/terminer/",
        views.end,
        name="mentorship-end",
    ),
    path(
        "mon-espace/messages/<int:message_id>/signaler/",
        views.report_message,
        name="message-report",
    ),
    path(
        "mentors/<int:profile_id>/demander/",
        views.request_create,
        name="request-create",
    ),
]
