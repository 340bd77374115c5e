"""The attestation app's panel on "My space" (for learners)."""

from __future__ import annotations

from accounts.models import User
from core.panels import Panel, Section
from mentors.models import MentorProfile


def space_panels(
    *, user: User, learner: object, mentor: MentorProfile | None
) -> list[Panel]:
    if learner is None:
        return []
    return [Panel(Section.LEARNER, "certification/panels/attestations.html", 40)]
