from django.urls import path

from . import mentorship_views as mv
from . import views

app_name = "mentors"

urlpatterns = [
    path("bienvenue/", views.onboarding, name="onboarding"),
    path("mon-espace/", views.space, name="space"),
    path(
        "mon-espace/profil-apprenant/",
        views.learner_profile_edit,
        name="learner-profile",
    ),
    path("mon-espace/profil-mentor/", views.mentor_profile_edit, name="mentor-profile"),
    path(
        "mon-espace/profil-mentor/envoyer/",
        views.mentor_profile_submit_view,
        name="mentor-profile-submit",
    ),
    path("mon-espace/blocages/", views.blocks, name="blocks"),
    path("mon-espace/bloquer/<int:user_id>/", views.block, name="block"),
    path(
        "mon-espace/profil-mentor/visibilite/",
        views.mentor_profile_visibility,
        name="mentor-visibility",
    ),
    path("mon-espace/demandes/", mv.requests_sent, name="requests-sent"),
    path("mon-espace/demandes-recues/", mv.requests_received, name="requests-received"),
    path(
        "mon-espace/demandes/<int:request_id>/accepter/",
        mv.request_accept,
        name="request-accept",
    ),
    path(
        "mon-espace/demandes/<int:request_id>/refuser/",
        mv.request_decline,
        name="request-decline",
    ),
    path(
        "mon-espace/demandes/<int:request_id>/retirer/",
        mv.request_withdraw,
        name="request-withdraw",
    ),
    path("mon-espace/profil-mentor/pause/", mv.pause, name="pause"),
    path("mon-espace/accompagnements/<int:mentorship_id>/", mv.thread, name="thread"),
    path(
        "mon-espace/accompagnements/<int:mentorship_id>/terminer/",
        mv.end,
        name="mentorship-end",
    ),
    path(
        "mon-espace/messages/<int:message_id>/signaler/",
        mv.report_message,
        name="message-report",
    ),
    path("charte-mentor/", views.charter, name="charter"),
    path("mentors/", views.directory, name="directory"),
    path("mentors/<int:profile_id>/", views.mentor_detail, name="detail"),
    path("mentors/<int:profile_id>/photo/", views.mentor_photo, name="photo"),
    path("mentors/<int:profile_id>/signaler/", views.report, name="report"),
    path(
        "mentors/<int:profile_id>/demander/", mv.request_create, name="request-create"
    ),
]
