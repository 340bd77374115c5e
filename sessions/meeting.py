"""Where the two people of a booking meet: a video link, whom to call, or the
public place; written for one of the two (the other person named).

A video session uses the mentor's own meeting link, else a room on the
operator's ``MEETING_BASE_URL`` with an unguessable name, else the mentor
gives a link later. In a phone session the mentor calls the learner, at the
number the learner gave when booking: nobody has to publish their number, and
someone with only a phone just waits for the call. In person is the slot's
public place (a partner venue, or a place the mentor wrote out).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from mentors.choices import Mode

from .display import place_label
from .models import Availability, Booking, Slot

# Rooms are found by nobody but the two people: 144 random bits, still over
# 120 if a meeting server folds letters to lower case (Jitsi Meet does).
ROOM_PREFIX = "compagnonnage-"
ROOM_BYTES = 18
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9 .()\-]+$")


def phone_checked(*, mode: str, phone: str) -> str:
    """The learner's number for a phone session, spaces tidied; empty for the
    other ways to meet (a number sent with them is not kept). Raises
    ``ValidationError`` on ``phone`` when it is missing or not a number."""
    if mode != Mode.PHONE:
        return ""
    phone = " ".join(phone.split())
    if not phone:
        raise ValidationError(
            {"phone": _("Give the phone number the mentor should call.")}
        )
    digits = sum(character.isdigit() for character in phone)
    if not _PHONE_CHARACTERS.match(phone) or not 6 <= digits <= 15 or len(phone) > 30:
        raise ValidationError(
            {"phone": _("Write a phone number, for example 06 12 34 56 78.")}
        )
    return phone


def meeting_url_choose(
    *, mode: str, slot: Slot, availability: Availability | None
) -> str:
    """The video link a new booking keeps: the mentor's own link, else a room
    on ``MEETING_BASE_URL`` (the one the slot's other seats already have: a
    workshop meets in one room), else none. In the caller's transaction, which
    holds the slot's lock (so two seats never get two rooms)."""
    if mode != Mode.VIDEO:
        return ""
    if availability is not None and availability.meeting_link:
        return availability.meeting_link
    base = settings.MEETING_BASE_URL
    if not base:
        return ""
    kept = (
        Booking.objects.filter(slot=slot, meeting_url__startswith=f"{base}/")
        .values_list("meeting_url", flat=True)
        .first()
    )
    return kept or f"{base}/{ROOM_PREFIX}{secrets.token_urlsafe(ROOM_BYTES)}"


@dataclass(frozen=True)
class Where:
    """Where to meet, for one of the two people: ``mode`` ("Visio"), ``text``
    (the plain sentence), ``url`` (a video link, or empty) and ``location``
    (the calendar's LOCATION)."""

    mode: str
    text: str
    url: str
    location: str

    def __str__(self) -> str:
        return _("%(mode)s: %(place)s") % {"mode": self.mode, "place": self.text}


def other_name(booking: Booking, *, viewer_id: int | None) -> str:
    """The other person's name as the viewer reads it."""
    as_learner = booking.learner_id == viewer_id
    other = booking.mentor if as_learner else booking.learner
    kept = booking.mentor_name if as_learner else booking.learner_name
    if other is not None:
        return str(other.full_name)
    return kept or _("a closed account")


def where_to_meet(
    booking: Booking, *, viewer_id: int | None, mentor_link: str = ""
) -> Where:
    """Where the viewer (one of the two people) meets the other, in the active
    language. ``mentor_link`` is the mentor's meeting link now, used when the
    booking kept none (they added it after the booking)."""
    name = other_name(booking, viewer_id=viewer_id)
    as_learner = booking.learner_id == viewer_id
    mode = str(dict(Mode.choices).get(booking.mode, booking.mode))
    if booking.mode == Mode.VIDEO:
        url = booking.meeting_url or mentor_link
        if url:
            return Where(mode, url, url, url)
        if as_learner and booking.kind == Booking.Kind.MENTORSHIP:
            text = _("%(name)s will send you the link in your messages.")
        elif as_learner:
            text = _("%(name)s will add the link in “My sessions” before the session.")
        elif booking.kind == Booking.Kind.MENTORSHIP:
            text = _(
                "Send the link to %(name)s in your messages, or add your meeting "
                "link to your availability."
            )
        else:
            text = _(
                "Add your video meeting link to your availability: %(name)s "
                "will find it in “My sessions”."
            )
        return Where(mode, text % {"name": name}, "", mode)
    if booking.mode == Mode.PHONE:
        if not booking.phone:
            if as_learner:
                return Where(mode, _("No phone number was given."), "", mode)
            text = _("%(name)s gave no phone number.") % {"name": name}
            return Where(mode, text, "", mode)
        if as_learner:
            text = _("%(name)s will call you at %(phone)s.")
        else:
            text = _("Call %(name)s at %(phone)s.")
        text = text % {"name": name, "phone": booking.phone}
        return Where(mode, text, "", f"{mode}: {booking.phone}")
    place = place_label(booking.slot) if booking.slot is not None else ""
    if not place:
        return Where(mode, _("The place is no longer known."), "", mode)
    return Where(mode, place, "", place)


def mentor_links(bookings: list[Booking]) -> dict[int, str]:
    """The mentors' meeting links now, by mentor id (one query)."""
    ids = {b.mentor_id for b in bookings if b.mentor_id and b.mode == Mode.VIDEO}
    if not ids:
        return {}
    return dict(
        Availability.objects.filter(mentor_profile__user_id__in=ids)
        .exclude(meeting_link="")
        .values_list("mentor_profile__user_id", "meeting_link")
    )
