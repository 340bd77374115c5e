"""Celery tasks of the mentors app (enqueued through the core outbox)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from .matching.data import bump_mentor_data_version
from .matching.refresh import suggestions_refresh_all, suggestions_refresh_for_learner
from .mentorships import mentorship_requests_expire_and_remind
from .search import mentor_search_refresh


@shared_task
def refresh_mentor_search_task(user_id: int) -> int:
    """Recompute a mentor's directory search columns (after a name change);
    cached directory pages show the name, so their version moves too."""
    with transaction.atomic():
        refreshed = mentor_search_refresh(user_ids=[user_id])
        bump_mentor_data_version()
    return refreshed


@shared_task
def expire_and_remind_requests_task() -> dict[str, int]:
    """Expire old requests and remind mentors (beat; safe to run twice at once)."""
    return mentorship_requests_expire_and_remind()


@shared_task
def refresh_suggestions_for_learner_task(learner_id: int) -> int:
    """Recompute one learner's suggestions (after a profile change, debounced)."""
    return suggestions_refresh_for_learner(learner_id=learner_id)


@shared_task
def refresh_all_suggestions_task() -> dict[str, int]:
    """The nightly full refresh of every learner's suggestions."""
    return suggestions_refresh_all()
