from django.urls import path

from . import views

app_name = "mentors"

urlpatterns = [
    path("bienvenue/", views.onboarding, name="onboarding"),
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
    path("charte-mentor/", views.charter, name="charter"),
    path("mentors/", views.directory, name="directory"),
    path("mentors/<int:profile_id>/", views.mentor_detail, name="detail"),
    path("mentors/<int:profile_id>/photo/", views.mentor_photo, name="photo"),
    path("mentors/<int:profile_id>/signaler/", views.report, name="report"),
]
