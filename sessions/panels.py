"""The scheduling app's parts of other apps' pages: a panel on "My space" for
mentors, and the next free slots on a mentor's public page (through the
``mentors.profile_panels`` hook)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from accounts.models import User
from core.panels import Panel, Section
from mentors.models import MentorProfile

from .display import in_both_zones
from .selectors import slot_list_next_free

NEXT_FREE_SHOWN = 5


def space_panels(
    *, user: User, learner: object, mentor: MentorProfile | None
) -> list[Panel]:
    if mentor is None:
        return []
    return [Panel(Section.MENTOR, "coaching_sessions/panels/availability.html", 20)]


def profile_slots(
    *, profile: MentorProfile, viewer: Any
) -> tuple[str, dict[str, Any]] | None:
    """The mentor's next free slots in the viewer's zone (and the mentor's
    when it differs); nothing, and no query, when the summary says none."""
    now = timezone.now()
    if profile.next_free_slot_at is None:
        return None
    viewer_zone = timezone.get_current_timezone_name()
    slots = slot_list_next_free(
        mentor_id=profile.user_id, now=now, limit=NEXT_FREE_SHOWN
    )
    if not slots:
        return None
    return (
        "coaching_sessions/profile_slots.html",
        {
            "slots": [
                in_both_zones(start, viewer_zone, mentor_zone or viewer_zone)
                for start, mentor_zone in slots
            ],
            "viewer_zone": viewer_zone,
        },
    )
