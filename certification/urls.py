from django.urls import path

from . import views

app_name = "certification"

urlpatterns = [
    path("attestations/", views.explainer, name="explainer"),
    path("attestations/mes-demandes/", views.my_requests, name="my-requests"),
    path("attestations/competence/<str:code>/", views.skill_progress, name="progress"),
    path(
        "attestations/competence/<str:code>/demande/",
        views.request_form,
        name="request-form",
    ),
    path(
        "attestations/demande/<int:attestation_request_id>/envoyer/",
        views.request_resubmit,
        name="request-resubmit",
    ),
    path(
        "attestations/demande/<int:attestation_request_id>/retirer/",
        views.request_withdraw,
        name="request-withdraw",
    ),
    path(
        "attestations/recommandation/<int:endorsement_id>/masquer/",
        views.endorsement_hide,
        name="endorsement-hide",
    ),
    path(
        "attestations/apres-la-seance/<int:booking_id>/",
        views.session_evidence,
        name="session-evidence",
    ),
    path(
        "attestations/demande/<int:attestation_request_id>/fichier/",
        views.evidence_file,
        name="evidence-file",
    ),
]
