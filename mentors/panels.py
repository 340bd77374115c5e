"""The mentors app's panels on "My space": each profile, what it still lacks,
and where to edit it."""

from __future__ import annotations

from accounts.models import User
from core.panels import Panel, Section

from .models import LearnerProfile, MentorProfile
from .services import learner_profile_missing, mentor_profile_missing


def space_panels(
    *, user: User, learner: LearnerProfile | None, mentor: MentorProfile | None
) -> list[Panel]:
    panels = []
    if learner is not None:
        panels.append(
            Panel(
                Section.LEARNER,
                "mentors/panels/learner_profile.html",
                order=10,
                context={"missing": learner_profile_missing(learner)},
            )
        )
    if mentor is not None:
        panels.append(
            Panel(
                Section.MENTOR,
                "mentors/panels/mentor_profile.html",
                order=10,
                context={"mentor": mentor, "missing": mentor_profile_missing(mentor)},
            )
        )
    return panels
