"""Celery tasks of the scheduling app (beat)."""

from __future__ import annotations

from celery import shared_task

from .services import booking_keys_forget, slot_summaries_refresh_all, slots_extend_all


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
