"""Times as people read them: in a named zone, and in both zones when the
viewer's differs from the mentor's ("17 h 00, heure de La Réunion")."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, time

from django.utils import formats
from django.utils.translation import gettext as _

from accounts.forms import TIME_ZONE_CHOICES
from mentors.forms import DAYS


def zone_name(zone_id: str) -> str:
    """The zone named after a place in the page's language (its id otherwise)."""
    for value, label in TIME_ZONE_CHOICES:
        if value == zone_id:
            return str(label)
    return zone_id.replace("_", " ")


def clock(value: time) -> str:
    return formats.time_format(value)


def day_label(day: date) -> str:
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


def in_both_zones(moment: datetime, viewer_zone: str, mentor_zone: str) -> str:
    """The viewer's day and time with its zone named, and the mentor's too when their
    zone differs (with its day when the day differs there)."""
    shown = in_zone(moment, viewer_zone, with_day=True)
    if mentor_zone == viewer_zone:
        return shown
    here = moment.astimezone(zoneinfo.ZoneInfo(viewer_zone)).date()
    there = moment.astimezone(zoneinfo.ZoneInfo(mentor_zone)).date()
    return _("%(here)s · %(there)s") % {
        "here": shown,
        "there": in_zone(moment, mentor_zone, with_day=here != there),
    }
