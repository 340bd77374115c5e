"""Celery tasks of the scheduling app (beat)."""

from __future__ import annotations

from celery import shared_task

from .services import (
    booking_keys_forget,
    late_cancellations_refresh,
    reschedule_requests_expire,
    slot_summaries_refresh_all,
    slots_extend_all,
)


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


@shared_task
def expire_reschedule_requests_task() -> int:
    """Hourly: a request to move a session that has started closes."""
    return reschedule_requests_expire()


@shared_task
def refresh_late_cancellations_task() -> int:
    """Daily: each mentor's late cancellations over 90 days, as days pass."""
    return late_cancellations_refresh()
