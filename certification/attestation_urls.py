"""Attestation URLs of issue 19. ``/verify/`` and ``/badges/`` are public,
unversioned and without a language prefix: printed on paper and inside shared
badges, they must answer forever."""

from django.urls import path

from . import attestation_views, badges, verify_views

app_name = "certification-attestations"

urlpatterns = [
    path("verify/", verify_views.verify_form, name="verify-form"),
    path("verify/<str:code>/", verify_views.verify_page, name="verify"),
    path("badges/issuer.json", badges.issuer_view, name="ob2-issuer"),
    path("badges/image.svg", badges.image_view, name="ob2-image"),
    path(
        "badges/classes/<str:class_id>.json", badges.badge_class_view, name="ob2-class"
    ),
    path(
        "badges/assertions/<str:code>.json", badges.assertion_view, name="ob2-assertion"
    ),
    path("badges/keys/<str:thumbprint>.json", badges.key_view, name="ob3-key"),
    path("badges/status/1.jwt", badges.status_list_view, name="ob3-status"),
    path("mon-espace/attestations/", attestation_views.mine, name="mine"),
    path(
        "mon-espace/attestations/<int:attestation_id>/attestation.pdf",
        attestation_views.pdf,
        name="pdf",
    ),
    path(
        "mon-espace/attestations/<int:attestation_id>/credential.jwt",
        attestation_views.ob3,
        name="ob3",
    ),
    path(
        "mon-espace/attestations/<int:attestation_id>/profil/",
        attestation_views.show_on_profile,
        name="show",
    ),
    path(
        "mon-espace/attestations/<int:attestation_id>/nom/",
        attestation_views.keep_name,
        name="keep-name",
    ),
]
