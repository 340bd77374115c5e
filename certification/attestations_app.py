"""What the attestation part registers at start-up (issue 19), called from
``CertificationConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


def export_attestations(user: Any) -> dict[str, Any]:
    from .models import Attestation

    return {
        "attestations": list(
            Attestation.objects.filter(holder=user).values(
                "code",
                "kind",
                "skill__code",
                "level",
                "mentor_hours",
                "holder_name",
                "minutes",
                "sessions",
                "issued_at",
                "revoked_at",
                "revocation_reason",
                "shown_on_profile",
                "keep_name_public",
            )
        )
    }


def erase_attestations(user: Any) -> None:
    from .attestations import endorser_erase, holders_erase

    holders_erase(user_id=user.pk)
    endorser_erase(name=getattr(user, "full_name", ""))


def ready() -> None:
    from core.notifications import NotificationKind, register_kind
    from core.personal_data import register_provider
    from matching import hooks as matching_hooks
    from mentors import hooks as mentors_hooks

    from .attestation_views import learner_attestations, profile_attestations

    mentors_hooks.profile_panels.connect(profile_attestations)
    matching_hooks.learner_panels.connect(learner_attestations)
    register_provider(
        "attestations", export=export_attestations, erase=erase_attestations
    )
    # About an attestation the person holds (revoked, issued): always sent.
    register_kind(
        NotificationKind(
            "certification.attestation",
            _("My attestations and badges"),
            essential=True,
        )
    )
