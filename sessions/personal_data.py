"""Personal data held by the scheduling app: a mentor's availability and slots."""

from __future__ import annotations

from typing import Any

from .models import Availability, Slot


def export_availability(user: Any) -> dict[str, Any]:
    availability = (
        Availability.objects.filter(mentor_profile__user=user)
        .select_related("venue")
        .prefetch_related("rules", "exceptions")
        .first()
    )
    return {
        "availability": None
        if availability is None
        else {
            "time_zone": availability.time_zone,
            "session_minutes": availability.session_minutes,
            "buffer_minutes": availability.buffer_minutes,
            "min_notice_hours": availability.min_notice_hours,
            "window_weeks": availability.window_weeks,
            "max_per_day": availability.max_per_day,
            "max_per_week": availability.max_per_week,
            "modes": availability.modes,
            "venue": str(availability.venue) if availability.venue else None,
            "place": availability.place,
            "commitment_hours": availability.commitment_hours,
            "commitment_period": availability.commitment_period,
            "weekly_rules": [
                {"weekday": r.weekday, "start": r.start, "end": r.end}
                for r in availability.rules.all()
            ],
            "exceptions": [
                {"date": e.date, "kind": e.kind, "start": e.start, "end": e.end}
                for e in availability.exceptions.all()
            ],
        },
        "slots": list(
            Slot.objects.filter(mentor=user).values(
                "start",
                "end",
                "capacity",
                "title",
                "modes",
                "venue__name",
                "place",
                "status",
                "source",
            )
        ),
    }


def erase_availability(user: Any) -> None:
    """A mentor's availability and slots go with them (nobody else's words are
    in them; bookings of others, later, keep their own record)."""
    Slot.objects.filter(mentor=user).delete()
    Availability.objects.filter(mentor_profile__user=user).delete()
