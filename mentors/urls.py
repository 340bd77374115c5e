from django.urls import path

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
    path("charte-mentor/", views.charter, name="charter"),
    path("mentors/", views.directory, name="directory"),
    path("mentors/<int:profile_id>/", views.mentor_detail, name="detail"),
    path("mentors/<int:profile_id>/photo/", views.mentor_photo, name="photo"),
    path("mentors/<int:profile_id>/signaler/", views.report, name="report"),
    path("mentors/<int:profile_id>/bloquer/", views.block, name="block"),
]
