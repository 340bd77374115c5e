"""The private calendar feed: a person's sessions in both roles as one
iCalendar file (RFC 5545) at a secret URL, ``/agenda/<token>.ics``, for a
calendar app to subscribe to (Google Agenda, Apple Calendrier, Outlook,
Thunderbird). No sign-in: the token is the credential.

The token is never stored, and nothing in the database gives it away alone:
``CalendarFeed.seed`` is random and the token is an HMAC-SHA-256 of it under
``SECRET_KEY``, so the owner can copy their link again from their settings,
while a copy of the database without the key (a backup, a dump) opens no feed.
The URL is found by the token's SHA-256 (``CalendarFeed.token_hash``, as for
API tokens). A key moved to ``SECRET_KEY_FALLBACKS`` still shows the links made
under it; a key dropped altogether leaves the links working (their hashes
stand) but no longer shown: the person makes a new one.

Each event is the one the invitations carry (``invitations.booking_event_for``):
the same UID, so calendars match it with the invitation they hold, the same
SEQUENCE, times in UTC, the words in the person's language. A subscribed feed
has no METHOD. It holds the sessions that ended in the last 30 days and all
those to come; a cancelled one shows as cancelled until it is past.
"""

from __future__ import annotations

import hmac
import re
import secrets
from base64 import urlsafe_b64encode
from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import salted_hmac
from icalendar import vDuration

from accounts.models import User, hash_token

from .invitations import booking_event_for, ics_calendar
from .meeting import mentor_links
from .models import Booking, CalendarFeed

PAST_DAYS = 30
# Calendar apps are asked to come back hourly (RFC 7986 REFRESH-INTERVAL);
# the feed's rate limit leaves room for several devices doing so.
REFRESH = timedelta(hours=1)
NAME = "Compagnonnage"
_SALT = "sessions.CalendarFeed"
# 32 bytes of HMAC in URL-safe base 64, without padding.
TOKEN_FORMAT = re.compile(r"[A-Za-z0-9_-]{43}")


def feed_seed() -> str:
    return secrets.token_urlsafe(32)


def feed_token(seed: str, *, secret: str | None = None) -> str:
    """The token of the feed made from ``seed`` (under ``SECRET_KEY`` unless
    another ``secret`` is given)."""
    digest = salted_hmac(_SALT, seed, secret=secret, algorithm="sha256").digest()
    return urlsafe_b64encode(digest).rstrip(b"=").decode()


def feed_token_of(feed: CalendarFeed) -> str | None:
    """The token of ``feed``'s URL, for its owner to copy again; None when the
    key it was made under is gone (the link still works, but cannot be
    shown)."""
    for secret in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS):
        token = feed_token(feed.seed, secret=secret)
        if hmac.compare_digest(hash_token(token), feed.token_hash):
            return token
    return None


def feed_url(token: str) -> str:
    return settings.SITE_URL + reverse(
        "coaching_sessions:calendar-feed", kwargs={"feed_token": token}
    )


def webcal_url(url: str) -> str:
    """The same address for a one-tap subscription (phones open ``webcal:``
    links in their calendar app)."""
    return "webcal://" + url.split("://", 1)[1]


def feed_window_start(now: datetime) -> datetime:
    return now - timedelta(days=PAST_DAYS)


def feed_ics(*, person: User, bookings: list[Booking]) -> str:
    """The feed of ``person``: ``bookings`` (``selectors.calendar_feed_bookings``)
    as they read them, in their language. One query (the mentors' meeting links
    now), whatever the number of bookings."""
    calendar = ics_calendar()
    calendar.add("name", NAME)
    calendar.add("x-wr-calname", NAME)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    links = mentor_links(bookings)
    with translation.override(person.language or settings.LANGUAGE_CODE):
        for booking in bookings:
            calendar.add_component(
                booking_event_for(
                    booking=booking,
                    viewer=person,
                    mentor_link=links.get(booking.mentor_id or 0, ""),
                )
            )
    return calendar.to_ical().decode()
