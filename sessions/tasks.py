"""Celery tasks of the scheduling app (beat)."""

from __future__ import annotations

from celery import shared_task

from .attendance import attendance_questions_queue, attendances_settle
from .notes import activity_summary_refresh
from .reminders import (
    booking_reminder_send,
    booking_reminders_forget,
    booking_reminders_queue,
)
from .services import (
    booking_keys_forget,
    late_cancellations_refresh,
    reschedule_requests_expire,
    slot_summaries_refresh_all,
    slots_extend_all,
)
from .waitlist import waitlist_forget_expired


@shared_task
def extend_slots_task() -> int:
    """Daily: lay every mentor's slots out to the end of their booking window."""
    return slots_extend_all()


@shared_task
def refresh_slot_summaries_task() -> int:
    """Hourly: the free-slot figures move as time passes, without any write."""
    return slot_summaries_refresh_all()


@shared_task
def forget_booking_keys_task() -> int:
    """Daily: idempotency keys of bookings are kept 24 hours."""
    return booking_keys_forget()


# --- reminders and the waitlist ----------------------------------------------------


@shared_task
def queue_booking_reminders_task() -> int:
    """Every 5 minutes: make the reminders that are due (each once)."""
    return booking_reminders_queue()


@shared_task
def send_booking_reminder_task(
    booking_id: int, kind: str, start: str, message_ids: dict[str, str]
) -> int:
    """One reminder, through the outbox: checks the booking, then sends."""
    return booking_reminder_send(
        booking_id=booking_id, kind=kind, start=start, message_ids=message_ids
    )


@shared_task
def forget_reminders_and_waitlist_task() -> int:
    """Daily: records of past reminders and expired waitlist entries go."""
    return booking_reminders_forget() + waitlist_forget_expired()


@shared_task
def expire_reschedule_requests_task() -> int:
    """Hourly: a request to move a session that has started closes."""
    return reschedule_requests_expire()


@shared_task
def refresh_late_cancellations_task() -> int:
    """Daily: each mentor's late cancellations over 90 days, as days pass."""
    return late_cancellations_refresh()


# --- attendance ----------------------------------------------------------------------


@shared_task
def queue_attendance_questions_task() -> int:
    """Every 15 minutes: ask about sessions just ended, remind once."""
    return attendance_questions_queue()


@shared_task
def settle_attendance_task() -> int:
    """Hourly: the mentor's answer the learner did not contest in time settles."""
    return attendances_settle()


# --- after the session ------------------------------------------------------------


@shared_task
def refresh_activity_task() -> int:
    """Daily: every mentor's hours and people helped, recounted."""
    return activity_summary_refresh()
