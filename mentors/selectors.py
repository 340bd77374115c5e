"""Reads on profiles, filtered to what the viewer may see."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from .models import Block, MentorProfile, Skill


def skill_list() -> QuerySet[Skill]:
    return Skill.objects.select_related("area").order_by(
        "area__framework", "area__position", "position", "code"
    )


def blocked_user_ids(*, user_id: int | None) -> set[int]:
    """People in a block with this person, whichever side blocked."""
    if not user_id:
        return set()
    pairs = Block.objects.filter(
        Q(blocker_id=user_id) | Q(blocked_id=user_id)
    ).values_list("blocker_id", "blocked_id")
    return {other for pair in pairs for other in pair if other != user_id}


def is_blocked_between(*, user_id: int | None, other_id: int) -> bool:
    if not user_id:
        return False
    return Block.objects.filter(
        Q(blocker_id=user_id, blocked_id=other_id)
        | Q(blocker_id=other_id, blocked_id=user_id)
    ).exists()


def mentor_profile_public_list() -> QuerySet[MentorProfile]:
    """Profiles anyone may see: approved, shown, not hidden by staff, of active
    people with a verified e-mail address."""
    verified = EmailAddress.objects.filter(user_id=OuterRef("user_id"), verified=True)
    return MentorProfile.objects.filter(
        Exists(verified),
        approved_at__isnull=False,
        is_published=True,
        hidden_by_staff_at__isnull=True,
        user__is_active=True,
    )


def mentor_profile_for_viewer(
    *, profile_id: int, viewer: Any
) -> tuple[MentorProfile, bool]:
    """The profile page's profile, and whether the viewer sees it as its owner or
    staff (a preview: a profile not public yet, or its pending changes).

    404 when the profile is not public for this viewer — blocks included.
    """
    viewer_id = viewer.pk if viewer.is_authenticated else None
    base = MentorProfile.objects.select_related("user").prefetch_related(
        "skills__skill"
    )
    profile = base.filter(pk=profile_id).first()
    if profile is None:
        raise Http404
    privileged = viewer_id == profile.user_id or bool(
        getattr(viewer, "is_staff", False)
    )
    if privileged:
        return profile, True
    if not mentor_profile_public_list().filter(pk=profile_id).exists():
        raise Http404
    if is_blocked_between(user_id=viewer_id, other_id=profile.user_id):
        raise Http404
    return profile, False
