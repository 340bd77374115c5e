"""Permission-aware reads of requests, mentorships and suggestions."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from mentors.models import Block, LearnerSkill
from mentors.selectors import mentor_profile_public_list

from .models import MatchSuggestion, Mentorship, MentorshipRequest


def request_list_sent(*, user_id: int) -> QuerySet[MentorshipRequest]:
    """A learner's own requests, newest first, with the mentor and skills."""
    return (
        MentorshipRequest.objects.filter(learner_id=user_id)
        .select_related("mentor__mentor_profile")
        .prefetch_related("skills")
        .order_by("-created_at")
    )


def request_list_received(*, user_id: int) -> QuerySet[MentorshipRequest]:
    """Requests waiting for this mentor's answer, with what the learner wants."""
    learner_skills = Prefetch(
        "learner__learner_profile__skills",
        queryset=LearnerSkill.objects.select_related("skill"),
    )
    return (
        MentorshipRequest.objects.filter(
            mentor_id=user_id, status=MentorshipRequest.Status.PENDING
        )
        .select_related("learner__learner_profile")
        .prefetch_related("skills", learner_skills)
        .order_by("created_at")
    )


def mentorship_list_for_user(*, user_id: int, role: str) -> QuerySet[Mentorship]:
    """The person's mentorships in one role ("learner" or "mentor"), active first."""
    qs = Mentorship.objects.filter(**{f"{role}_id": user_id})
    return (
        qs.select_related("learner", "mentor")
        .prefetch_related("skills")
        .order_by("status", "-started_at")
    )


def mentorship_for_participant(*, user_id: int, mentorship_id: int) -> Mentorship:
    """A mentorship of which the person is the learner or the mentor, else
    ``Mentorship.DoesNotExist``."""
    mentorship = (
        Mentorship.objects.for_participant(user_id)
        .select_related("learner", "mentor")
        .filter(pk=mentorship_id)
        .first()
    )
    if mentorship is None:
        raise Mentorship.DoesNotExist(mentorship_id)
    return mentorship


def suggestion_list_for_learner(*, user_id: int) -> QuerySet[MatchSuggestion]:
    """The learner's stored suggestions, best first, with the mentors' cards."""
    return (
        MatchSuggestion.objects.filter(
            learner_id=user_id, mentor_profile__in=mentor_profile_public_list()
        )
        .exclude(
            Exists(Block.objects.between(user_id, OuterRef("mentor_profile__user_id")))
        )
        .select_related("mentor_profile__user")
        .order_by("rank")
    )


def acquaintances_of(*, viewer_id: int) -> Q:
    """Connected to ``mentors.acquaintances``: people with whom the viewer has
    a request or a mentorship, in either role (a ``Q`` over users)."""
    return (
        Q(requests_sent__mentor_id=viewer_id)
        | Q(requests_received__learner_id=viewer_id)
        | Q(mentorships_as_learner__mentor_id=viewer_id)
        | Q(mentorships_as_mentor__learner_id=viewer_id)
    )
