"""The two people most session tests meet: Léa Martin, a French learner in
Paris, and Ada Lovelace, an English mentor in Toronto with her own video link
(two languages and two zones, so every message shows which one it used)."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from mentors.models import MentorProfile
from sessions.models import Availability
from sessions.services import availability_get_or_create
from tests.factories import UserFactory
from tests.matching.helpers import mentor

LINK = "https://visio.example.org/ada-lovelace"


def ada_and_lea(**learner_fields: Any) -> tuple[MentorProfile, User]:
    """Ada's approved mentor profile (with availability and her link) and Léa;
    ``learner_fields`` change Léa."""
    profile = mentor(
        full_name="Ada Lovelace",
        email="ada@example.org",
        language="en",
        time_zone="America/Toronto",
    )
    learner = UserFactory(
        full_name="Léa Martin",
        email="lea@example.org",
        language="fr",
        time_zone="Europe/Paris",
        **learner_fields,
    )
    availability_get_or_create(mentor_profile=profile)
    Availability.objects.filter(mentor_profile=profile).update(meeting_link=LINK)
    return profile, learner
