"""Reminders of a session, 24 hours and 1 hour before, to both people.

A periodic job (``booking_reminders_queue``, every 5 minutes) scans the
database for confirmed bookings whose reminder is due and makes each one
**once**: a ``BookingReminder`` row (unique on booking, kind, start) inserted
with ``ON CONFLICT DO NOTHING`` in the same transaction as the reminder's
outbox row. Two scans at the same moment (two beat processes, two workers)
both try the insert; the second waits on the unique index, then inserts
nothing and queues nothing. The record outlives the outbox row, so a
reminder already delivered is never made again (the outbox's ``dedupe_key``
only merges pending rows). The key is ``reminder:<booking>:<24h|1h>:<start>``:
a booking moved to another time gets new reminders.

When each one is due: the day-before reminder while the session is between
24 hours and 1 hour away, the hour-before one in the last hour. A late scan
still makes it within its window, never after the session starts; a
reminder that fell due before the booking was made is not made (the
confirmation has just been sent).

The outbox row names ``send_booking_reminder_task``, not a ready e-mail: at
delivery it checks the booking is still confirmed at that start and the
reminder still in its window, then renders and sends the two e-mails (each in
its recipient's language and zone, with what is true now: a meeting link
added since is there). Their Message-IDs were chosen at the scan and travel
in the payload: a worker killed mid-job leaves the row undone, the relay
hands it again after its lease, and a message sent twice carries the same
Message-ID (at least once). No Celery countdown or ETA is used.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.emails import make_message_id
from core.notifications import notification_email
from core.outbox import outbox_enqueue

from .display import day_time, span_label
from .invitations import _summary, booking_cancel_url
from .meeting import mentor_links, other_name, where_to_meet
from .models import Booking, BookingReminder

REMINDER_KIND = "sessions.booking_reminder"
SEND_TASK = "sessions.tasks.send_booking_reminder_task"
# (how long before the start it falls due, until how long before it may go)
WINDOWS: dict[str, tuple[timedelta, timedelta]] = {
    BookingReminder.Kind.DAY: (timedelta(hours=24), timedelta(hours=1)),
    BookingReminder.Kind.HOUR: (timedelta(hours=1), timedelta(0)),
}
SCAN_LIMIT = 1000

_RECORD = """
INSERT INTO coaching_sessions_bookingreminder (booking_id, kind, start, created_at)
SELECT t.b, t.k, t.s, %(now)s
FROM unnest(%(bookings)s::bigint[], %(kinds)s::text[], %(starts)s::timestamptz[])
     AS t(b, k, s)
ON CONFLICT DO NOTHING
RETURNING booking_id, kind, start
"""


def reminder_key(*, booking_id: int, kind: str, start: datetime) -> str:
    return f"reminder:{booking_id}:{kind}:{start.isoformat()}"


def _in_window(kind: str, start: datetime, now: datetime) -> bool:
    lead, until = WINDOWS[kind]
    return start - lead <= now < start - until


@transaction.atomic
def booking_reminders_queue(*, now: datetime | None = None) -> int:
    """Make the reminders that are due and not made yet; how many it made.

    One transaction: the ``BookingReminder`` rows (in booking and kind order,
    so concurrent scans never deadlock) and their outbox rows commit
    together, or neither. Safe to run concurrently and as often as wanted.
    """
    now = now or timezone.now()
    due: list[tuple[int, str, datetime, int | None, int | None]] = []
    for kind, (lead, until) in WINDOWS.items():
        due += [
            (pk, kind, start, learner_id, mentor_id)
            for pk, start, learner_id, mentor_id in Booking.objects.filter(
                status=Booking.Status.CONFIRMED,
                start__gt=now + until,
                start__lte=now + lead,
                created_at__lt=F("start") - lead,
            )
            .exclude(
                Exists(
                    BookingReminder.objects.filter(
                        booking_id=OuterRef("pk"), kind=kind, start=OuterRef("start")
                    )
                )
            )
            .order_by("pk")
            .values_list("pk", "start", "learner_id", "mentor_id")[:SCAN_LIMIT]
        ]
    if not due:
        return 0
    due.sort(key=lambda row: (row[0], row[1]))
    people = {(pk, kind): (learner, mentor) for pk, kind, _s, learner, mentor in due}
    with connection.cursor() as cursor:
        cursor.execute(
            _RECORD,
            {
                "now": now,
                "bookings": [row[0] for row in due],
                "kinds": [row[1] for row in due],
                "starts": [row[2] for row in due],
            },
        )
        made = cursor.fetchall()
    for booking_id, kind, start in made:
        recipients = [pk for pk in people[(booking_id, kind)] if pk is not None]
        outbox_enqueue(
            task=SEND_TASK,
            payload={
                "booking_id": booking_id,
                "kind": kind,
                "start": start.isoformat(),
                "message_ids": {str(pk): make_message_id() for pk in recipients},
            },
            dedupe_key=reminder_key(booking_id=booking_id, kind=kind, start=start),
        )
    return len(made)


def booking_reminder_send(
    *,
    booking_id: int,
    kind: str,
    start: str,
    message_ids: dict[str, str],
    now: datetime | None = None,
) -> int:
    """Send one reminder to both people of the booking (the outbox's task);
    how many e-mails went.

    Nothing goes when the booking is gone, cancelled or moved to another
    start, or the reminder is out of its window (never after the session
    starts). Each person gets it in their language and zone with the
    Message-ID chosen at the scan (a re-run sends the same message again). In
    a workshop the mentor is reminded once, through the seat booked first.
    """
    now = now or timezone.now()
    moment = datetime.fromisoformat(start)
    booking = (
        Booking.objects.filter(
            pk=booking_id, status=Booking.Status.CONFIRMED, start=moment
        )
        .select_related("learner", "mentor", "slot__venue")
        .prefetch_related("skills__skill")
        .first()
    )
    if booking is None or not _in_window(kind, moment, now):
        return 0
    recipients = [booking.learner]
    if booking.kind != Booking.Kind.WORKSHOP or _first_seat(booking):
        recipients.append(booking.mentor)
    link = mentor_links([booking]).get(booking.mentor_id or 0, "")
    sent = 0
    for recipient in recipients:
        message_id = message_ids.get(str(getattr(recipient, "pk", "")))
        if recipient is None or not recipient.is_active or not message_id:
            continue
        other = booking.mentor if recipient == booking.learner else booking.learner
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            context = _context(booking, recipient, other, kind, link)
        message = notification_email(
            recipient=recipient,
            kind=REMINDER_KIND,
            context=context,
            link=reverse("coaching_sessions:my-sessions"),
        )
        if message is None:
            continue
        message.extra_headers["Message-ID"] = message_id
        message.send()
        sent += 1
    return sent


def _first_seat(booking: Booking) -> bool:
    if booking.slot_id is None:
        return True
    first = (
        Booking.objects.filter(slot_id=booking.slot_id, status=Booking.Status.CONFIRMED)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    return first == booking.pk


def _context(
    booking: Booking, recipient: Any, other: Any, kind: str, mentor_link: str
) -> dict[str, Any]:
    """What the reminder says, in the active language."""
    as_learner = booking.learner_id == recipient.pk
    name = other_name(booking, viewer_id=recipient.pk)
    other_when = ""
    if other is not None and other.time_zone != recipient.time_zone:
        other_when = _("For %(name)s: %(when)s") % {
            "name": name,
            "when": span_label(booking.start, booking.end, other.time_zone),
        }
    return {
        "summary": _summary(booking, name),
        "soon": kind == BookingReminder.Kind.HOUR,
        "when": span_label(booking.start, booking.end, recipient.time_zone),
        "starts": day_time(booking.start, recipient.time_zone),
        "other_when": other_when,
        "where": where_to_meet(
            booking, viewer_id=recipient.pk, mentor_link=mentor_link
        ),
        "agenda": booking.agenda,
        "skills": [str(s.skill.name) for s in booking.skills.all()],
        "as_learner": as_learner,
        "cancel_url": booking_cancel_url(booking),
    }


def booking_reminders_forget(*, now: datetime | None = None) -> int:
    """Records of reminders for sessions past by a day go (a daily job): the
    scan never looks at a session that has started."""
    now = now or timezone.now()
    deleted, _rows = BookingReminder.objects.filter(
        start__lt=now - timedelta(days=1)
    ).delete()
    return deleted
