"""The matching app's panels on "My space": what is going on now (the
mentorships and requests, each with its state in words and its next action),
then the suggested mentors."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from core.panels import Panel, Section
from mentors.models import LearnerProfile, MentorProfile

from .engine.reasons import render_all
from .models import Mentorship, MentorshipRequest
from .selectors import suggestion_list_for_learner

# A refusal or an expiry stays on "My space" this long, so the learner learns
# of it there too (the notification and the e-mail said it first).
ANSWER_SHOWN_FOR = timedelta(days=30)


def space_panels(
    *, user: User, learner: LearnerProfile | None, mentor: MentorProfile | None
) -> list[Panel]:
    panels = []
    if learner is not None:
        mentorships = list(
            Mentorship.objects.active()
            .filter(learner=user)
            .select_related("mentor")
            .prefetch_related("skills")
            .order_by("-started_at")
        )
        status = MentorshipRequest.Status
        requests = list(
            MentorshipRequest.objects.filter(learner=user)
            .filter(
                Q(status=status.PENDING)
                | Q(
                    status__in=[status.DECLINED, status.EXPIRED],
                    answered_at__gte=timezone.now() - ANSWER_SHOWN_FOR,
                )
            )
            .select_related("mentor")
            .order_by("-created_at")
        )
        if mentorships or requests:
            panels.append(
                Panel(
                    Section.LEARNER,
                    "matching/panels/learner_now.html",
                    order=5,
                    context={"mentorships": mentorships, "requests": requests},
                )
            )
        listed = list(suggestion_list_for_learner(user_id=user.pk))
        suggestions = list(
            zip(listed, render_all([s.reasons for s in listed]), strict=True)
        )
        panels.append(
            Panel(
                Section.LEARNER,
                "matching/panels/learner.html",
                order=20,
                context={"suggestions": suggestions},
            )
        )
    if mentor is not None:
        panels.append(
            Panel(
                Section.MENTOR,
                "matching/panels/mentor.html",
                order=5,
                context={
                    "waiting": MentorshipRequest.objects.filter(
                        mentor=user, status=MentorshipRequest.Status.PENDING
                    ).count(),
                    "mentorships": list(
                        Mentorship.objects.active()
                        .filter(mentor=user)
                        .select_related("learner")
                        .order_by("-started_at")
                    ),
                },
            )
        )
    return panels
