"""Reminders 24 h and 1 h before a session: made once per booking, kind and
start by a scan (two scans at once, a scan after delivery: still once),
checked again at delivery (nothing after a cancellation or a move), new ones
after a move, in each person's language, and still sent after a worker is
killed in the middle of the job."""

from __future__ import annotations

import email.header
import threading
import time
from datetime import timedelta
from email.message import Message
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from core.models import OutboxMessage
from core.notifications import email_opt_out
from core.outbox import breaker, outbox_relay
from sessions.models import Booking, BookingReminder
from sessions.reminders import (
    SEND_TASK,
    booking_reminder_send,
    booking_reminders_forget,
    booking_reminders_queue,
)
from sessions.services import (
    availability_get_or_create,
    booking_create,
    bookings_cancel_for_change,
    slot_create,
)
from tests.concurrency import race
from tests.factories import UserFactory
from tests.matching.helpers import mentor
from tests.outbox import run_outbox
from tests.sessions.people import LINK, ada_and_lea
from tests.sessions.test_bookings import _mentorship


def _booked(hours_ahead: float = 20, agenda: str = "Relire mon CV") -> Booking:
    """A French learner in Paris and an English mentor in Toronto; a session
    of their mentorship ``hours_ahead`` from now, booked three days ago."""
    profile, learner = ada_and_lea()
    mentorship = _mentorship(learner, profile, skills=1)
    start = (timezone.now() + timedelta(hours=hours_ahead)).replace(
        second=0, microsecond=0
    )
    then = timezone.now() - timedelta(days=3)
    slot = slot_create(mentor_profile_id=profile.pk, start=start, now=then)
    skill = mentorship.mentorshipskill_set.get()
    with transaction.atomic():
        booking = booking_create(
            learner=learner,
            slot_id=slot.pk,
            mode="video",
            skill_ids=[skill.pk],
            agenda=agenda,
            now=then,
        )
        # The invitations are not what is tested: gone before they are published.
        OutboxMessage.objects.all().delete()
    return booking


def _reminder_rows() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(task_name=SEND_TASK).order_by("pk"))


def _subject(message: Message) -> str:
    return str(email.header.make_header(email.header.decode_header(message["Subject"])))


def _delivered() -> dict[str, mail.EmailMessage]:
    mail.outbox.clear()
    run_outbox()
    return {message.to[0]: message for message in mail.outbox}


@pytest.mark.django_db
def test_each_reminder_is_made_once_whatever_the_number_of_scans():
    booking = _booked(hours_ahead=20)

    made = [booking_reminders_queue() for _ in range(2)]
    _delivered()
    after_delivery = booking_reminders_queue()

    assert made == [1, 0]
    assert after_delivery == 0  # delivered: the record still says it was made
    [row] = _reminder_rows()
    assert row.dedupe_key == f"reminder:{booking.pk}:24h:{booking.start.isoformat()}"
    assert row.done_at is not None
    assert BookingReminder.objects.get().kind == "24h"


@pytest.mark.django_db
def test_the_windows_a_late_scan_still_sends_never_after_the_start():
    booking = _booked(hours_ahead=20)
    start = booking.start

    assert booking_reminders_queue(now=start - timedelta(hours=25)) == 0
    assert booking_reminders_queue(now=start - timedelta(hours=2)) == 1  # late
    assert booking_reminders_queue(now=start - timedelta(minutes=59)) == 1
    assert booking_reminders_queue(now=start - timedelta(minutes=1)) == 0
    assert booking_reminders_queue(now=start + timedelta(minutes=1)) == 0
    assert sorted(BookingReminder.objects.values_list("kind", flat=True)) == [
        "1h",
        "24h",
    ]
    # A reminder out of its window at delivery is not sent.
    [day, _hour] = _reminder_rows()
    assert booking_reminder_send(**day.payload, now=start - timedelta(minutes=30)) == 0
    assert booking_reminder_send(**day.payload, now=start - timedelta(hours=3)) == 2


@pytest.mark.django_db
def test_a_session_booked_late_gets_no_reminder_that_fell_due_before():
    profile = mentor()
    learner = UserFactory()
    _mentorship(learner, profile)
    start = (timezone.now() + timedelta(hours=5)).replace(second=0, microsecond=0)
    then = timezone.now() - timedelta(hours=1)  # booked 6 hours before
    availability_get_or_create(mentor_profile=profile)
    slot = slot_create(
        mentor_profile_id=profile.pk, start=start, now=then - timedelta(days=1)
    )
    booking_create(learner=learner, slot_id=slot.pk, mode="video", now=then)

    assert booking_reminders_queue() == 0  # the 24 h one fell due before
    assert booking_reminders_queue(now=start - timedelta(minutes=50)) == 1


@pytest.mark.django_db
def test_a_cancelled_session_gets_no_reminder_even_one_queued_before():
    queued = _booked(hours_ahead=20)
    assert booking_reminders_queue() == 1

    bookings_cancel_for_change(
        bookings=Booking.objects.filter(pk=queued.pk), reason="mentorship_ended"
    )
    OutboxMessage.objects.exclude(task_name=SEND_TASK).delete()  # the CANCELs
    sent = _delivered()

    assert sent == {}
    [row] = _reminder_rows()
    assert row.done_at is not None  # done: checked, nothing to send
    assert booking_reminders_queue() == 0
    assert booking_reminders_queue(now=queued.start - timedelta(minutes=30)) == 0


@pytest.mark.django_db
def test_a_session_moved_to_another_time_gets_new_reminders_the_old_one_stays_quiet():
    booking = _booked(hours_ahead=20)
    assert booking_reminders_queue() == 1
    moved = booking.start + timedelta(hours=2)
    Booking.objects.filter(pk=booking.pk).update(
        start=moved, end=moved + timedelta(hours=1)
    )

    assert booking_reminders_queue() == 1
    sent = _delivered()

    assert set(sent) == {"lea@example.org", "ada@example.org"}
    assert len(mail.outbox) == 2  # the reminder of the old time was not sent
    keys = [row.dedupe_key for row in _reminder_rows()]
    assert keys == [
        f"reminder:{booking.pk}:24h:{booking.start.isoformat()}",
        f"reminder:{booking.pk}:24h:{moved.isoformat()}",
    ]
    paris = moved.astimezone(ZoneInfo("Europe/Paris"))
    assert f"de {paris.hour} h {paris:%M}" in sent["lea@example.org"].body


@pytest.mark.django_db
def test_the_reminder_in_each_language_says_how_to_join_prepare_and_cancel():
    booking = _booked(hours_ahead=20)
    booking_reminders_queue()
    [row] = _reminder_rows()

    sent = _delivered()

    learner, mentor_mail = sent["lea@example.org"], sent["ada@example.org"]
    assert learner.subject.startswith(
        "[Compagnonnage] Rappel : Séance avec Ada Lovelace"
    )
    assert mentor_mail.subject.startswith(
        "[Compagnonnage] Reminder: Session with Léa Martin"
    )
    assert "heure de France métropolitaine" in learner.body
    assert "Toronto" in mentor_mail.body
    for message in (learner, mentor_mail):
        assert LINK in message.body  # how to join
        assert "Relire mon CV" in message.body  # what to prepare
        assert "/mon-espace/seances/" in message.body  # how to cancel
    for message, user_id in (
        (learner, booking.learner_id),
        (mentor_mail, booking.mentor_id),
    ):
        assert (
            message.extra_headers["Message-ID"]
            == (row.payload["message_ids"][str(user_id)])
        )
    assert "Pour vous préparer" in learner.body
    assert "To prepare" in mentor_mail.body


@pytest.mark.django_db
def test_a_person_who_turned_reminders_off_gets_none_the_other_does():
    booking = _booked(hours_ahead=20)
    email_opt_out(user_id=booking.mentor_id, kind="sessions.booking_reminder")
    booking_reminders_queue()

    assert set(_delivered()) == {"lea@example.org"}


@pytest.mark.django_db
def test_records_of_past_reminders_are_forgotten_after_a_day():
    booking = _booked(hours_ahead=20)
    booking_reminders_queue()

    assert booking_reminders_forget(now=booking.start + timedelta(hours=23)) == 0
    assert booking_reminders_forget(now=booking.start + timedelta(hours=25)) == 1


# --- concurrency (real threads, real transactions) ----------------------------------


@pytest.fixture
def _unpublished():
    """Rows stay in the outbox (the publish breaker open): a worker another
    test started must not run them while this test's tables are flushed."""
    with override_settings(OUTBOX_PUBLISH_BACKOFF_SECONDS=3600):
        breaker.trip()
    yield
    breaker.reset()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_unpublished")
def test_a_scan_waits_for_a_concurrent_one_and_then_makes_nothing():
    _booked(hours_ahead=20)
    first_done, release = threading.Event(), threading.Event()
    results: dict[str, int] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = booking_reminders_queue()
                first_done.set()
                release.wait(30)  # holds its uncommitted rows
        finally:
            connection.close()

    def second() -> None:
        try:
            results["second"] = booking_reminders_queue()
        finally:
            connection.close()

    a = threading.Thread(target=first)
    a.start()
    assert first_done.wait(30)
    b = threading.Thread(target=second)
    b.start()
    b.join(1.0)
    blocked = b.is_alive()  # on the unique index, behind the first
    release.set()
    a.join(30)
    b.join(30)

    assert blocked
    assert results == {"first": 1, "second": 0}
    assert len(_reminder_rows()) == 1
    assert BookingReminder.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_unpublished")
def test_many_scans_at_the_same_moment_make_each_reminder_once():
    _booked(hours_ahead=20)
    others = []
    for i in range(4):
        profile = mentor()
        learner = UserFactory()
        _mentorship(learner, profile)
        start = (timezone.now() + timedelta(hours=10 + i)).replace(
            second=0, microsecond=0
        )
        then = timezone.now() - timedelta(days=3)
        availability_get_or_create(mentor_profile=profile)
        slot = slot_create(mentor_profile_id=profile.pk, start=start, now=then)
        others.append(
            booking_create(learner=learner, slot_id=slot.pk, mode="video", now=then)
        )
    made, errors = race([booking_reminders_queue] * 6)

    assert errors == []
    assert sum(made) == 1 + len(others) == 5
    assert len(_reminder_rows()) == 5
    assert len({row.dedupe_key for row in _reminder_rows()}) == 5


# --- the real worker ---------------------------------------------------------------


def _body(message: Message) -> str:
    [part] = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return part.get_payload(decode=True).decode()


@pytest.mark.worker
def test_reminders_go_out_through_the_real_worker_in_each_language(
    live_worker, smtp_sink
):
    booking = _booked(hours_ahead=20)

    booking_reminders_queue()  # commits, then publishes to the worker
    received = {m["To"]: m for m in smtp_sink.wait_for(2)}

    [row] = _reminder_rows()
    assert _subject(received["lea@example.org"]).startswith(
        "[Compagnonnage] Rappel : Séance avec Ada Lovelace"
    )
    assert _subject(received["ada@example.org"]).startswith(
        "[Compagnonnage] Reminder: Session with Léa Martin"
    )
    assert (
        received["lea@example.org"]["Message-ID"]
        == (row.payload["message_ids"][str(booking.learner_id)])
    )
    assert "Pour vous préparer" in _body(received["lea@example.org"])
    live_worker.drain()
    assert booking_reminders_queue() == 0
    assert outbox_relay() == 0
    live_worker.drain()
    assert len(smtp_sink.messages) == 2


@pytest.mark.worker
def test_a_reminder_still_goes_out_after_its_worker_is_killed_mid_job(
    live_worker, smtp_sink
):
    booking = _booked(hours_ahead=20)
    smtp_sink.stall_next = 60  # hold the worker in the middle of the first send
    with override_settings(OUTBOX_LEASE=timedelta(seconds=8)):
        booking_reminders_queue()
        assert smtp_sink.stalled.wait(30), "the worker never started sending"

        live_worker.kill()
        assert booking_reminders_queue() == 0  # made already: not made again
        assert outbox_relay() == 0  # still leased: nobody takes it yet
        live_worker.start()

        [row] = _reminder_rows()
        assert row.claimed_until is not None
        assert row.done_at is None
        time.sleep(max((row.claimed_until - timezone.now()).total_seconds(), 0) + 0.5)
        assert outbox_relay() == 1

    received = {m["To"]: m for m in smtp_sink.wait_for(2)}
    live_worker.drain()
    row.refresh_from_db()
    assert row.done_at is not None
    assert set(received) == {"lea@example.org", "ada@example.org"}
    for to, user_id in (
        ("lea@example.org", booking.learner_id),
        ("ada@example.org", booking.mentor_id),
    ):
        assert received[to]["Message-ID"] == row.payload["message_ids"][str(user_id)]
    assert len(smtp_sink.messages) == 2


def test_the_scan_is_in_the_beat_schedule_every_five_minutes():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["queue-booking-reminders"]
    assert entry["task"] == "sessions.tasks.queue_booking_reminders_task"
    assert entry["schedule"] == timedelta(minutes=5)
