"""The "Attestation reviewers" group: staff who read requests and decide them
in the admin, with only the permissions that takes. Created idempotently after
each migrate, and by tests after a flush (``reviewers_group_ensure``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

REVIEWERS_GROUP = "Attestation reviewers"
REVIEWER_PERMISSIONS = (
    "review_attestationrequest",
    "view_attestationrequest",
    "view_requestevent",
    "view_endorsement",
    "view_taskobservation",
    "view_observedtask",
    "view_eligibilityrules",
    # issue 19: attestations
    "view_attestation",
    "revoke_attestation",
)


def reviewers_group_ensure() -> Group:
    """The group with exactly its permissions (extra ones removed)."""
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    create_permissions(apps.get_app_config("certification"), verbosity=0)
    group, _created = Group.objects.get_or_create(name=REVIEWERS_GROUP)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="certification",
            codename__in=REVIEWER_PERMISSIONS,
        )
    )
    return group


def reviewers_group_after_migrate(**kwargs: Any) -> None:
    reviewers_group_ensure()
