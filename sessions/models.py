"""Availability, coaching slots and busy time.

Times are stored in UTC; weekly rules and exceptions are wall times in the
availability's own time zone, expanded by ``sessions.slots`` (a local time that
does not exist is skipped, one that occurs twice takes its first occurrence).
Busy time is one table for every person across roles: a mentor's slots (widened
by the buffer) now, a learner's bookings later; an exclusion constraint keeps a
person's busy times from ever overlapping.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import (
    ArrayField,
    DateTimeRangeField,
    RangeOperators,
)
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentors.choices import Mode
from mentors.models import MentorProfile

SESSION_LENGTHS = (30, 45, 60, 90)


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    # A folder of the zone database ("America") is an OSError, not a miss.
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValidationError(_("Unknown time zone.")) from exc


class Availability(models.Model):
    """A mentor's booking settings and the zone their weekly rules are in."""

    mentor_profile = models.OneToOneField(
        MentorProfile, on_delete=models.CASCADE, related_name="availability"
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Paris",
        validators=[validate_time_zone],
    )
    session_minutes = models.PositiveSmallIntegerField(
        _("length of a session"),
        choices=[(m, f"{m} min") for m in SESSION_LENGTHS],
        default=60,
    )
    buffer_minutes = models.PositiveSmallIntegerField(
        _("break between sessions"), default=15, validators=[MaxValueValidator(120)]
    )
    min_notice_hours = models.PositiveSmallIntegerField(
        _("minimum notice (hours)"), default=12, validators=[MaxValueValidator(336)]
    )
    window_weeks = models.PositiveSmallIntegerField(
        _("booking window (weeks)"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
    )
    max_per_day = models.PositiveSmallIntegerField(
        _("most sessions in a day"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    max_per_week = models.PositiveSmallIntegerField(
        _("most sessions in a week"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    modes = ArrayField(
        models.CharField(max_length=10, choices=Mode.choices),
        default=list,
        blank=True,
        verbose_name=_("ways to meet offered in slots"),
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("availability")
        verbose_name_plural = _("availabilities")
        constraints = [
            models.CheckConstraint(
                condition=Q(session_minutes__in=SESSION_LENGTHS),
                name="sessions_availability_length",
            ),
            models.CheckConstraint(
                condition=Q(buffer_minutes__lte=120, min_notice_hours__lte=336)
                & Q(window_weeks__gte=1, window_weeks__lte=26)
                & Q(max_per_day__gte=1, max_per_week__gte=1),
                name="sessions_availability_ranges",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor_profile_id} ({self.time_zone})"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class WeeklyRule(models.Model):
    """Every week, on ``weekday`` (0 = Monday), from ``start`` to ``end``
    (wall times in the availability's zone)."""

    availability = models.ForeignKey(
        Availability, on_delete=models.CASCADE, related_name="rules"
    )
    weekday = models.PositiveSmallIntegerField(
        _("day"), validators=[MaxValueValidator(6)]
    )
    start = models.TimeField(_("starts at"))
    end = models.TimeField(_("ends at"))

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekday__lte=6) & Q(end__gt=models.F("start")),
                name="sessions_rule_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.start}–{self.end}"


class DateException(models.Model):
    """A day off (no slot that local day), or extra hours on one date."""

    class Kind(models.TextChoices):
        OFF = "off", _("Day off")
        EXTRA = "extra", _("Extra hours")

    availability = models.ForeignKey(
        Availability, on_delete=models.CASCADE, related_name="exceptions"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(max_length=5, choices=Kind.choices)
    start = models.TimeField(_("starts at"), null=True, blank=True)
    end = models.TimeField(_("ends at"), null=True, blank=True)

    class Meta:
        ordering = ["date", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="off", start__isnull=True, end__isnull=True)
                | Q(kind="extra", start__isnull=False, end__gt=models.F("start")),
                name="sessions_exception_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.kind}"


class Slot(models.Model):
    """A time a mentor offers: ``capacity`` 1, or more for an open workshop."""

    class Status(models.TextChoices):
        FREE = "free", _("Free to book")
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        RULE = "rule", _("Weekly availability")
        MANUAL = "manual", _("Added by hand")

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="slots"
    )
    start = models.DateTimeField()
    end = models.DateTimeField()
    buffer_minutes = models.PositiveSmallIntegerField(default=0)
    capacity = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    modes = ArrayField(models.CharField(max_length=10, choices=Mode.choices))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.FREE
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="sessions_slot_order"
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=30),
                name="sessions_slot_capacity",
            ),
        ]
        indexes = [
            models.Index(
                fields=["mentor", "start"],
                condition=Q(status="free"),
                name="sessions_slot_free_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor_id} {self.start:%Y-%m-%d %H:%M}Z ({self.status})"


class BusyTime(models.Model):
    """A stretch of time a person is taken, whatever their role in it."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="busy_times"
    )
    period = DateTimeRangeField()
    slot = models.OneToOneField(
        Slot, on_delete=models.CASCADE, null=True, blank=True, related_name="busy"
    )

    class Meta:
        constraints = [
            ExclusionConstraint(
                name="sessions_busy_no_overlap",
                expressions=[
                    ("person", RangeOperators.EQUAL),
                    ("period", RangeOperators.OVERLAPS),
                ],
            ),
            models.CheckConstraint(
                condition=Q(slot__isnull=False), name="sessions_busy_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.period}"
