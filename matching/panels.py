"""The matching app's panels on "My space": suggested mentors, requests and
mentorships."""

from __future__ import annotations

from accounts.models import User
from core.panels import Panel, Section
from mentors.models import LearnerProfile, MentorProfile

from .engine.reasons import render as render_reason
from .selectors import suggestion_list_for_learner


def space_panels(*, user: User) -> list[Panel]:
    panels = []
    if LearnerProfile.objects.filter(user=user).exists():
        suggestions = [
            (s, [render_reason(r) for r in s.reasons])
            for s in suggestion_list_for_learner(user_id=user.pk)
        ]
        panels.append(
            Panel(
                Section.LEARNER,
                "matching/panels/learner.html",
                order=20,
                context={"suggestions": suggestions},
            )
        )
    if MentorProfile.objects.filter(user=user).exists():
        panels.append(Panel(Section.MENTOR, "matching/panels/mentor.html", order=20))
    return panels
