"""Times as people read them: in a named zone, and in both zones when the
viewer's differs from the mentor's ("14 h 00 (17 h 00, heure de La Réunion)")."""

from __future__ import annotations

import functools
import zoneinfo
from datetime import date, datetime, time
from typing import Any

from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.forms import TIME_ZONE_CHOICES
from mentors.choices import Mode
from mentors.forms import DAYS


def zone_name(zone_id: str) -> str:
    """The zone named after a place in the page's language (its id otherwise)."""
    return _zone_name(zone_id, get_language())


# A page of free times names the mentor's zone beside each of them: look the
# name up once per zone and language, not through the whole list each time.
@functools.lru_cache(maxsize=1024)
def _zone_name(zone_id: str, language: str | None) -> str:
    for value, label in TIME_ZONE_CHOICES:
        if value == zone_id:
            return str(label)
    return zone_id.replace("_", " ")


def clock(value: time) -> str:
    return _clock(value, get_language())


def day_label(day: date) -> str:
    return _day_label(day, get_language())


# Formatting a date runs the locale's format machinery each time: a page of
# free times asks for the same few days and hours again and again.
@functools.lru_cache(maxsize=4096)
def _clock(value: time, language: str | None) -> str:
    return formats.time_format(value)


@functools.lru_cache(maxsize=4096)
def _day_label(day: date, language: str | None) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def weekday_name(weekday: int) -> str:
    return str(dict(DAYS)[weekday])


def rule_label(weekday: int, start: time, end: time) -> str:
    """ "Mardi de 18 h 00 à 21 h 00"."""
    return _("%(day)s from %(start)s to %(end)s") % {
        "day": weekday_name(weekday).capitalize(),
        "start": clock(start),
        "end": clock(end),
    }


def in_zone(moment: datetime, zone_id: str, *, with_day: bool = False) -> str:
    """ "17 h 00, heure de La Réunion" (with its day when asked)."""
    local = moment.astimezone(zoneinfo.ZoneInfo(zone_id))
    shown = clock(local.time())
    if with_day:
        shown = f"{day_label(local.date())}, {shown}"
    return _("%(time)s, %(zone)s time") % {"time": shown, "zone": zone_name(zone_id)}


def day_time(moment: datetime, zone_id: str) -> str:
    """ "mardi 8 décembre 2026, 14 h 00" in ``zone_id`` (its name said elsewhere)."""
    local = moment.astimezone(zoneinfo.ZoneInfo(zone_id))
    return f"{day_label(local.date())}, {clock(local.time())}"


def span_label(start: datetime, end: datetime, zone_id: str) -> str:
    """ "mardi 8 décembre 2026, de 14 h 00 à 15 h 00 (heure de Paris)"."""
    zone = zoneinfo.ZoneInfo(zone_id)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    return _("%(day)s, from %(start)s to %(end)s (%(zone)s time)") % {
        "day": day_label(local_start.date()),
        "start": clock(local_start.time()),
        "end": clock(local_end.time()),
        "zone": zone_name(zone_id),
    }


def commitment_label(hours: int | None, period: str) -> str:
    """ "2 h par mois", "1 h par semaine"; empty when not said."""
    if not hours or not period:
        return ""
    if period == "week":
        return _("%(hours)s h per week") % {"hours": hours}
    return _("%(hours)s h per month") % {"hours": hours}


def place_label(slot: Any) -> str:
    """Where an in-person slot happens: the venue with its address, or the
    public place as the mentor wrote it."""
    if slot.venue_id:
        venue = slot.venue
        return f"{venue.name}, {venue.full_address}"
    return str(slot.place)


def offer_label(slot: Any) -> str:
    """ "Appel vidéo ou En personne : Médiathèque…, Lyon"."""
    labels = dict(Mode.choices)
    parts = []
    for mode in slot.modes:
        if mode == Mode.IN_PERSON and (slot.venue_id or slot.place):
            parts.append(
                _("%(mode)s: %(place)s")
                % {"mode": labels[mode], "place": place_label(slot)}
            )
        elif mode in labels:
            parts.append(str(labels[mode]))
    return _(" or ").join(parts)
