"""Personal data held by the matching app: requests, mentorships, messages
(stored suggestions are recomputed, and go with the learner profile)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, Value
from django.db.models.functions import Replace

from .models import Mentorship, MentorshipCheckIn, MentorshipRequest, Message


def export_mentorships(user: Any) -> dict[str, Any]:
    def person(other: Any) -> str:
        return other.full_name if other else ""

    return {
        "requests_sent": [
            {
                "mentor": person(r.mentor),
                "skills": [s.code for s in r.skills.all()],
                "message": r.message,
                "status": r.status,
                "answer": r.answer_message,
                "created_at": r.created_at,
            }
            for r in MentorshipRequest.objects.filter(learner=user)
            .select_related("mentor")
            .prefetch_related("skills")
        ],
        "requests_received": [
            {
                "learner": person(r.learner),
                "status": r.status,
                "answer": r.answer_message,
            }
            for r in MentorshipRequest.objects.filter(mentor=user).select_related(
                "learner"
            )
        ],
        "mentorships": [
            {
                "learner": person(m.learner),
                "mentor": person(m.mentor),
                "status": m.status,
                "outcome": m.outcome,
                "started_at": m.started_at,
                "ended_at": m.ended_at,
            }
            for m in Mentorship.objects.filter(
                Q(learner=user) | Q(mentor=user)
            ).select_related("learner", "mentor")
        ],
        "messages_written": list(
            Message.objects.filter(author=user).values(
                "mentorship_id", "body", "created_at"
            )
        ),
    }


def erase_mentorships(user: Any) -> None:
    """The person's own words go; what the other person wrote stays readable,
    with the person's name taken out of it."""
    MentorshipRequest.objects.filter(learner=user).delete()
    MentorshipRequest.objects.filter(mentor=user).update(answer_message="")
    Message.objects.filter(author=user).delete()
    mentorships = Mentorship.objects.for_participant(user.pk)
    mentorships.filter(ended_by=user).update(end_reason="")
    if user.full_name:
        Message.objects.filter(
            mentorship__in=mentorships, body__contains=user.full_name
        ).update(body=Replace(F("body"), Value(user.full_name), Value("…")))


def export_checkins(user: Any) -> dict[str, Any]:
    """ "On continue ?" questions the person was asked, with their own answer
    only (the other person's is theirs)."""
    rows = []
    for checkin in MentorshipCheckIn.objects.filter(
        Q(mentorship__learner=user) | Q(mentorship__mentor=user)
    ).select_related("mentorship"):
        side = "learner" if checkin.mentorship.learner_id == user.pk else "mentor"
        rows.append(
            {
                "role": side,
                "period": checkin.period,
                "asked_at": checkin.asked_at,
                "answer": getattr(checkin, f"{side}_answer"),
                "answered_at": getattr(checkin, f"{side}_answered_at"),
            }
        )
    return {"mentorship_checkins": rows}


def erase_checkins(user: Any) -> None:
    """Nothing of the person's own words is in a check-in (an answer from a
    list): it stays with the mentorship, whose erasure decides for both."""
