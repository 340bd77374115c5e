"""Celery tasks of the matching app (enqueued through the core outbox).

They kept the names they were registered under in the mentors app: outbox rows
already waiting and the beat schedule name them.
"""

from __future__ import annotations

from celery import shared_task

from .checkins import checkins_ask
from .engine.refresh import suggestions_refresh_all, suggestions_refresh_for_learner
from .services import mentorship_requests_expire_and_remind


@shared_task(name="mentors.tasks.expire_and_remind_requests_task")
def expire_and_remind_requests_task() -> dict[str, int]:
    """Expire old requests and remind mentors (beat; safe to run twice at once)."""
    return mentorship_requests_expire_and_remind()


@shared_task(name="mentors.tasks.refresh_suggestions_for_learner_task")
def refresh_suggestions_for_learner_task(learner_id: int) -> int:
    """Recompute one learner's suggestions (after a profile change, debounced)."""
    return suggestions_refresh_for_learner(learner_id=learner_id)


@shared_task(name="mentors.tasks.refresh_all_suggestions_task")
def refresh_all_suggestions_task() -> dict[str, int]:
    """The nightly full refresh of every learner's suggestions."""
    return suggestions_refresh_all()


@shared_task
def ask_mentorship_checkins_task() -> int:
    """Every 6 hours: "On continue ?" to both people of mentorships that
    reached a new period (each once per period)."""
    return checkins_ask()
