"""The scheduling app's parts of other apps' pages: a panel on "My space" for
mentors, and the next free slots on a mentor's public page (through the
``mentors.profile_panels`` hook)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import User
from core.panels import Panel, Section
from mentors.models import MentorProfile

from .display import commitment_label, day_time, in_zone, offer_label, zone_name
from .selectors import profile_schedule_get

NEXT_FREE_SHOWN = 5


def space_panels(
    *, user: User, learner: object, mentor: MentorProfile | None
) -> list[Panel]:
    panels = []
    if learner is not None:
        panels.append(
            Panel(Section.LEARNER, "coaching_sessions/panels/sessions.html", 15)
        )
    if mentor is not None:
        panels.append(
            Panel(Section.MENTOR, "coaching_sessions/panels/availability.html", 20)
        )
    return panels


def profile_slots(
    *, profile: MentorProfile, viewer: Any
) -> tuple[str, dict[str, Any]] | None:
    """The time the mentor commits to and their next free slots, in the
    viewer's zone (named once), with the mentor's own time beside each when
    their zones differ. Nothing when there is neither."""
    # A mentor taking a break takes no booking: no free times to show.
    bookable = profile.next_free_slot_at is not None and not profile.is_paused
    schedule = profile_schedule_get(
        mentor_profile_id=profile.pk,
        mentor_id=profile.user_id,
        now=timezone.now(),
        limit=NEXT_FREE_SHOWN if bookable else 0,
    )
    if schedule is None:
        return None
    commitment = commitment_label(schedule.commitment_hours, schedule.commitment_period)
    slots = schedule.slots
    if not slots and not commitment:
        return None
    viewer_zone = timezone.get_current_timezone_name()
    mentor_zone = schedule.time_zone
    return (
        "coaching_sessions/profile_slots.html",
        {
            "commitment": commitment,
            "slots": [
                {
                    "when": day_time(slot.start, viewer_zone),
                    "there": ""
                    if mentor_zone == viewer_zone
                    else in_zone(
                        slot.start,
                        mentor_zone,
                        with_day=slot.start.astimezone(ZoneInfo(mentor_zone)).date()
                        != slot.start.astimezone(ZoneInfo(viewer_zone)).date(),
                    ),
                    "slot": slot,
                    "offer": offer_label(slot),
                }
                for slot in slots
            ],
            "viewer_zone": zone_name(viewer_zone),
            "mentor_zone": zone_name(mentor_zone),
            "zones_differ": mentor_zone != viewer_zone,
            "profile_id": profile.pk,
            "mentor_user_id": profile.user_id,
        },
    )
