"""Calendar invitations of a booking: an e-mail to each of the two people, in
their own language and time zone, with an ``.ics`` file (iTIP, RFC 5546).

The calendar data: times in UTC (no VTIMEZONE: every calendar reads UTC right;
the local times are written out in the DESCRIPTION), UID
``booking-<id>@<host of SITE_URL>`` for the life of the booking, SEQUENCE the
booking's own. A REQUEST goes out when the booking is made (SEQUENCE 0). A
CANCEL goes out when it is cancelled: the caller increments
``booking.sequence`` and saves it *before* calling, so calendars take the
cancellation as newer than the invitation they hold. The ORGANIZER is the
platform; each file names its own recipient as the only ATTENDEE, so one
person's e-mail address never reaches the other.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from core.notifications import notify

from .display import day_time, span_label
from .meeting import other_name, where_to_meet
from .models import PERSON_REASONS, Booking, CancelReason, RescheduleRequest

REQUEST = "REQUEST"
CANCEL = "CANCEL"
CONFIRMED_KIND = "sessions.booking_confirmed"
CANCELLED_KIND = "sessions.booking_cancelled"
RESCHEDULE_REQUESTED_KIND = "sessions.reschedule_requested"
RESCHEDULE_DECLINED_KIND = "sessions.reschedule_declined"
# Why a booking was cancelled, as callers name it ("" when nothing more is said).
REASONS = (
    "mentorship_ended",
    "blocked",
    "account_closed",
    "mentor_paused",
    "mentor_hidden",
    *PERSON_REASONS,
    "",
)
FILENAME = "invitation.ics"


def booking_invitations_send(
    *,
    booking: Booking,
    method: str,
    reason: str = "",
    previous_start: datetime | None = None,
) -> None:
    """Tell both people of ``booking`` (learner and mentor) by e-mail, each in
    their language and zone, with the calendar invitation: ``method`` REQUEST
    (booked, or moved from ``previous_start``) or CANCEL (cancelled,
    ``reason`` one of ``REASONS``; a person's reason names who cancelled,
    ``booking.cancelled_by``, and gives their note to the other).

    Call inside the transaction of the change (the e-mails go through the
    outbox). For a CANCEL or a move, increment and save ``booking.sequence``
    first. A person whose account is gone or closed gets nothing. Raises
    ``ValueError`` on an unknown method or reason.
    """
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"unknown method {method!r}")
    if reason not in REASONS or (reason and method != CANCEL):
        raise ValueError(f"unknown reason {reason!r} for {method}")
    if previous_start is not None and method != REQUEST:
        raise ValueError("only a REQUEST moves a booking")
    link = reverse("coaching_sessions:my-sessions")
    for recipient, other in (
        (booking.learner, booking.mentor),
        (booking.mentor, booking.learner),
    ):
        if recipient is None or not recipient.is_active:
            continue
        with translation.override(recipient.language or settings.LANGUAGE_CODE):
            context = _context(
                booking,
                recipient,
                other,
                method,
                reason,
                previous_start=previous_start,
            )
            ics = booking_ics(
                booking=booking,
                method=method,
                recipient=recipient,
                summary=context["summary"],
                description="\n".join(context["lines"]),
                location=context["where"].location if context["where"] else "",
            )
        notify(
            recipient=recipient,
            kind=CONFIRMED_KIND if method == REQUEST else CANCELLED_KIND,
            context=context,
            link=link,
            attachments=[(FILENAME, ics, f"text/calendar; method={method}")],
        )


def _context(
    booking: Booking,
    recipient: Any,
    other: Any,
    method: str,
    reason: str,
    mentor_link: str = "",
    previous_start: datetime | None = None,
) -> dict[str, Any]:
    """What the e-mail and the calendar say, in the active language. Never the
    other person's e-mail address; when an account was closed, nothing of its
    owner either (name, number, zone): an erased person must not outlive their
    erasure in the other's mail, and core's outbox eraser would drop any mail
    naming them."""
    as_learner = booking.learner_id == recipient.pk
    discreet = reason == "account_closed"
    name = other_name(booking, viewer_id=recipient.pk)
    summary = _summary(booking, "" if discreet else name)
    when = span_label(booking.start, booking.end, recipient.time_zone)
    other_when = ""
    if other is not None and not discreet and other.time_zone != recipient.time_zone:
        other_when = _("For %(name)s: %(when)s") % {
            "name": name,
            "when": span_label(booking.start, booking.end, other.time_zone),
        }
    where = (
        None
        if discreet
        else where_to_meet(booking, viewer_id=recipient.pk, mentor_link=mentor_link)
    )
    cancelled = ""
    if method == CANCEL:
        cancelled = " ".join(
            part
            for part in (
                _("This session is cancelled."),
                _reason_text(reason, as_learner=as_learner, name=name),
                _who_cancelled(booking, recipient, reason, name),
            )
            if part
        )
    moved = ""
    if previous_start is not None:
        moved = _("%(what)s has moved to a new time (it was %(before)s).") % {
            "what": summary,
            "before": day_time(previous_start, recipient.time_zone),
        }
    cancel_url = booking_cancel_url(booking) if method == REQUEST else ""
    lines = [f"{summary}."]
    if cancelled:
        lines.append(cancelled)
    if moved:
        lines.append(moved)
    lines.append(_("When: %(when)s") % {"when": when})
    if other_when:
        lines.append(other_when)
    if where is not None:
        lines.append(str(where))
    lines.append(
        _("Your sessions: %(url)s")
        % {"url": settings.SITE_URL + reverse("coaching_sessions:my-sessions")}
    )
    if cancel_url:
        lines.append(_("To cancel or change the time: %(url)s") % {"url": cancel_url})
    return {
        "moved": moved,
        "cancel_url": cancel_url,
        "summary": summary,
        "when": when,
        "starts": day_time(booking.start, recipient.time_zone),
        "other_when": other_when,
        "where": where,
        "cancelled": cancelled,
        "agenda": booking.agenda if method == REQUEST else "",
        "as_learner": as_learner,
        "lines": lines,
    }


def _summary(booking: Booking, name: str) -> str:
    """ "Séance avec Ada Lovelace", "Atelier « Créer son adresse e-mail » avec
    Ada Lovelace" (without the name when there is none to give)."""
    title = booking.slot.title if booking.slot is not None else ""
    if booking.kind == Booking.Kind.WORKSHOP and title:
        what = _("Workshop “%(title)s”") % {"title": title}
    else:
        what = str(booking.get_kind_display())
    if not name:
        return what
    return _("%(what)s with %(name)s") % {"what": what, "name": name}


def _reason_text(reason: str, *, as_learner: bool, name: str) -> str:
    """Why, in plain words. A block is never told: it reads as the end of the
    mentorship it ended."""
    if reason in ("mentorship_ended", "blocked"):
        return _("The mentorship has ended.")
    if reason == "account_closed":
        return _("The other person's account has been closed.")
    if reason == "mentor_paused":
        if as_learner:
            return _("%(name)s is not taking sessions for now.") % {"name": name}
        return _("You have paused your sessions.")
    if reason == "mentor_hidden":
        if as_learner:
            return _("%(name)s no longer offers sessions on Compagnonnage.") % {
                "name": name
            }
        return _("Your mentor profile is no longer shown on Compagnonnage.")
    return ""


def _who_cancelled(booking: Booking, recipient: Any, reason: str, name: str) -> str:
    """A person's cancellation: who, why (the category) and, for the other
    person, the note written to them. Lateness is never said: staff see it."""
    if reason not in PERSON_REASONS:
        return ""
    why = CancelReason(reason).label
    if booking.cancelled_by_id == recipient.pk:
        return _("You cancelled it (%(why)s).") % {"why": why}
    text = _("%(name)s cancelled it (%(why)s).") % {"name": name, "why": why}
    if booking.cancel_note:
        text += " " + _("Their note: “%(note)s”") % {"note": booking.cancel_note}
    return text


def booking_cancel_url(booking: Booking) -> str:
    """The absolute address of the booking's page to cancel it or change its
    time (signed in; for reminders and invitations)."""
    return settings.SITE_URL + reverse(
        "coaching_sessions:booking-cancel", args=[booking.pk]
    )


def reschedule_context(*, request: RescheduleRequest, recipient: Any) -> dict[str, Any]:
    """What the notices of a reschedule request say, in the active language
    and the recipient's zone: the session, when it is, the time asked for."""
    booking = request.booking
    with translation.override(recipient.language or settings.LANGUAGE_CODE):
        name = other_name(booking, viewer_id=recipient.pk)
        return {
            "summary": _summary(booking, name),
            "name": name,
            "starts": day_time(booking.start, recipient.time_zone),
            "proposed": day_time(request.start, recipient.time_zone),
        }


def booking_ics(
    *,
    booking: Booking,
    method: str,
    recipient: Any,
    summary: str,
    description: str,
    location: str,
) -> str:
    """The ``.ics`` of ``booking`` for ``recipient`` (the only attendee)."""
    calendar = ics_calendar()
    calendar.add("method", method)
    event = booking_event(
        booking=booking,
        cancelled=method == CANCEL,
        summary=summary,
        description=description,
        location=location,
    )
    _cn, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(settings.SITE_NAME)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{recipient.email}")
    attendee.params["cn"] = vText(recipient.full_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("ACCEPTED")
    # Nobody answers the platform's address: the booking is made on the site.
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical().decode()


def ics_calendar() -> Calendar:
    """An empty VCALENDAR of the platform (no METHOD: the caller adds it)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Compagnonnage//Sessions//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    return calendar


def booking_event(
    *,
    booking: Booking,
    cancelled: bool,
    summary: str,
    description: str,
    location: str,
) -> Event:
    """The VEVENT of ``booking``, shared by the invitations and the feed:
    UID and SEQUENCE the booking's, times in UTC, the words given."""
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("sequence", booking.sequence)
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("dtstart", booking.start.astimezone(UTC))
    event.add("dtend", booking.end.astimezone(UTC))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("summary", summary)
    event.add("description", description)
    if location:
        event.add("location", location)
    return event


def booking_event_for(*, booking: Booking, viewer: Any, mentor_link: str = "") -> Event:
    """The VEVENT of ``booking`` as ``viewer`` (one of its two people) reads it
    in the active language, as its invitation says it: cancelled with its
    reason, or where to meet (``mentor_link``: the mentor's meeting link now,
    for a booking that kept none). For the calendar feed."""
    cancelled = booking.status == Booking.Status.CANCELLED
    reason = booking.cancel_reason if booking.cancel_reason in REASONS else ""
    other = booking.mentor if booking.learner_id == viewer.pk else booking.learner
    context = _context(
        booking,
        viewer,
        other,
        CANCEL if cancelled else REQUEST,
        reason if cancelled else "",
        mentor_link=mentor_link,
    )
    return booking_event(
        booking=booking,
        cancelled=cancelled,
        summary=context["summary"],
        description="\n".join(context["lines"]),
        location=context["where"].location if context["where"] else "",
    )


def booking_uid(booking: Booking) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"booking-{booking.pk}@{host}"
