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

from matching.models import Mentorship, MentorshipSkill
from mentors.choices import Mode, Region
from mentors.models import MentorProfile

SESSION_LENGTHS = (30, 45, 60, 90)
# A slot added by hand may also be a two-hour workshop.
MANUAL_LENGTHS = (*SESSION_LENGTHS, 120)
COMMITMENT_HOURS_MAX = 40

# Words that say a place is someone's home: an in-person session happens at a
# public place, never at home (the mentor's or the learner's).
HOME_WORDS = (
    "domicile",
    "chez moi",
    "chez nous",
    "chez toi",
    "chez vous",
    "mon appartement",
    "mon appart",
    "ma maison",
    "a la maison",
    "à la maison",
    "mon logement",
    "at home",
    "my home",
    "my place",
    "my flat",
    "my house",
    "my apartment",
)


def validate_public_place(value: str) -> None:
    """A public place written out: long enough to be found, never a home."""
    text = " ".join(value.lower().split())
    if len(text) < 8:
        raise ValidationError(
            _("Write the name and the address of the place, so people can find it.")
        )
    if any(word in text for word in HOME_WORDS):
        raise ValidationError(
            _(
                "Sessions in person happen in a public place (a library, a café, "
                "a community centre), never at home."
            )
        )


def validate_meeting_link(value: str) -> None:
    """A mentor's own video room: an ``https://`` address (people open it from
    an e-mail or a calendar; nothing else is sent)."""
    if value and not value.lower().startswith("https://"):
        raise ValidationError(
            _("Give the address of your video room, starting with https://.")
        )


def _in_person_has_a_place() -> Q:
    """In person only at a named public place: a partner venue or one written
    out, not both."""
    return (
        ~Q(modes__contains=[Mode.IN_PERSON.value])
        | Q(venue__isnull=False, place="")
        | (Q(venue__isnull=True) & ~Q(place=""))
    )


class Venue(models.Model):
    """A partner's public place, kept by staff (a library, a community centre,
    a third place), where mentors may meet people in person."""

    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(
        _("region"), max_length=6, choices=Region.choices, blank=True
    )
    access_notes = models.TextField(
        _("access and facilities"),
        blank=True,
        help_text=_("Step-free access, free Wi-Fi, a quiet room, opening hours…"),
    )
    is_active = models.BooleanField(
        _("offered to mentors"),
        default=True,
        help_text=_(
            "Untick rather than delete: slots already planned there keep their place."
        ),
    )

    class Meta:
        verbose_name = _("partner venue")
        verbose_name_plural = _("partner venues")
        ordering = ["city", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "city"], name="sessions_venue_unique_name"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.city}"

    @property
    def full_address(self) -> str:
        return ", ".join(
            part
            for part in (self.address, f"{self.postcode} {self.city}".strip())
            if part
        )


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    # A folder of the zone database ("America") is an OSError, not a miss.
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValidationError(_("Unknown time zone.")) from exc


class Period(models.TextChoices):
    WEEK = "week", _("week")
    MONTH = "month", _("month")


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
    discovery_enabled = models.BooleanField(
        _("offer a discovery session"),
        default=False,
        db_default=False,
        help_text=_(
            "Someone you do not mentor yet may book one short session (30 minutes "
            "at most) to get to know you, once."
        ),
    )
    meeting_link = models.URLField(
        _("my video meeting link"),
        blank=True,
        default="",
        db_default="",
        max_length=300,
    )
    # In person: at a partner venue, or a public place written out.
    venue = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("partner venue"),
    )
    place = models.CharField(
        _("public place"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        validators=[validate_public_place],
    )
    # What the mentor commits to ("2 h par mois"), shown on their profile.
    commitment_hours = models.PositiveSmallIntegerField(
        _("hours I can give"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(COMMITMENT_HOURS_MAX)],
    )
    commitment_period = models.CharField(
        _("per"),
        max_length=5,
        choices=Period.choices,
        blank=True,
        default="",
        db_default="",
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
            models.CheckConstraint(
                condition=_in_person_has_a_place(),
                name="sessions_availability_in_person_place",
            ),
            models.CheckConstraint(
                condition=Q(commitment_hours__isnull=True, commitment_period="")
                | Q(
                    commitment_hours__gte=1,
                    commitment_hours__lte=COMMITMENT_HOURS_MAX,
                    commitment_period__in=["week", "month"],
                ),
                name="sessions_availability_commitment",
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
    # Confirmed bookings: the slot is booked once they fill its capacity.
    seats_taken = models.PositiveSmallIntegerField(default=0, db_default=0)
    source = models.CharField(max_length=10, choices=Source.choices)
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="slots"
    )
    place = models.CharField(max_length=200, blank=True, default="", db_default="")
    # What an open workshop is about ("Créer son adresse e-mail").
    title = models.CharField(
        _("workshop title"), max_length=120, blank=True, default="", db_default=""
    )
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
            models.CheckConstraint(
                condition=_in_person_has_a_place(),
                name="sessions_slot_in_person_place",
            ),
            models.CheckConstraint(
                condition=Q(capacity=1) | ~Q(title=""),
                name="sessions_slot_workshop_title",
            ),
            models.CheckConstraint(
                condition=Q(seats_taken__lte=models.F("capacity"))
                & (
                    Q(status="free", seats_taken__lt=models.F("capacity"))
                    | Q(status="booked", seats_taken=models.F("capacity"))
                    | Q(status="cancelled")
                ),
                name="sessions_slot_seats",
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


DISCOVERY_MAX_MINUTES = 30
MAX_SKILLS_PER_BOOKING = 3


class Booking(models.Model):
    """A learner's seat in a mentor's slot: a session of their mentorship, a
    seat in an open workshop, or a discovery session."""

    class Kind(models.TextChoices):
        MENTORSHIP = "mentorship", _("Session")
        WORKSHOP = "workshop", _("Workshop")
        DISCOVERY = "discovery", _("Discovery session")

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        CANCELLED = "cancelled", _("Cancelled")

    # Kept when the slot goes (its mentor's account closed): the booking holds
    # its own times and way to meet.
    slot = models.ForeignKey(
        Slot, on_delete=models.SET_NULL, null=True, related_name="bookings"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="bookings_as_learner",
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="bookings_as_mentor",
    )
    mentorship = models.ForeignKey(
        Mentorship,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # The session's own times: the slot's, or its first 30 minutes for a
    # discovery session.
    start = models.DateTimeField()
    end = models.DateTimeField()
    mode = models.CharField(max_length=10, choices=Mode.choices)
    skills = models.ManyToManyField(
        MentorshipSkill, blank=True, related_name="bookings"
    )
    agenda = models.TextField(_("what I would like to work on"), blank=True)
    # Where to meet, fixed at booking (the invitation carries it): a video
    # session's link (the mentor's own, or a room on MEETING_BASE_URL), and
    # for a phone session the number the mentor calls (the learner's).
    meeting_url = models.URLField(max_length=300, blank=True, default="", db_default="")
    phone = models.CharField(max_length=30, blank=True, default="", db_default="")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.CONFIRMED
    )
    # The calendar invitation's SEQUENCE: one more at each change.
    sequence = models.PositiveIntegerField(default=0)
    # An erased person's name, kept so the other one's history stays readable.
    learner_name = models.CharField(max_length=150, blank=True)
    mentor_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_reason = models.CharField(max_length=30, blank=True)
    # A person's cancellation: their short note for the other person, and
    # whether it came inside the cut-off (BOOKING_LATE_CUTOFF_HOURS), set in the
    # same write. Staff see it; a learner's is never shown to mentors.
    cancel_note = models.CharField(
        max_length=300, blank=True, default="", db_default=""
    )
    cancelled_late = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="sessions_booking_order"
            ),
            models.CheckConstraint(
                condition=Q(cancelled_late=False) | Q(status="cancelled"),
                name="sessions_booking_late_is_cancelled",
            ),
            models.UniqueConstraint(
                fields=["slot", "learner"],
                condition=Q(status="confirmed"),
                name="sessions_booking_one_seat_each",
                violation_error_message=_("You have already booked this time."),
            ),
            # One discovery session per learner and mentor, ever (a cancelled
            # one may be booked again).
            models.UniqueConstraint(
                fields=["learner", "mentor"],
                condition=Q(kind="discovery") & ~Q(status="cancelled"),
                name="sessions_booking_one_discovery",
                violation_error_message=_(
                    "You have already had a discovery session with this mentor."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status="cancelled", cancelled_at__isnull=False)
                | Q(status="confirmed", cancelled_at__isnull=True),
                name="sessions_booking_cancelled_at",
            ),
        ]
        indexes = [
            models.Index(fields=["learner", "start"], name="sessions_booking_learner"),
            models.Index(fields=["mentor", "start"], name="sessions_booking_mentor"),
            # The beat scans of sessions just ended (the attendance question).
            models.Index(
                fields=["end"],
                condition=Q(status="confirmed"),
                name="sessions_booking_ended",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.start:%Y-%m-%d %H:%M}Z ({self.status})"


class CancelReason(models.TextChoices):
    """Why a booking was cancelled (``Booking.cancel_reason``). The ones in
    ``RELATIONSHIP_CHANGED`` follow a change between the two people or of an
    account, made in the same transaction: never counted as anyone's late
    cancellation (their ``cancelled_by`` stays empty)."""

    MENTORSHIP_ENDED = "mentorship_ended", _("The mentorship has ended.")
    BLOCKED = "blocked", _("The mentorship has ended.")
    ACCOUNT_CLOSED = "account_closed", _("An account was closed.")
    MENTOR_PAUSED = "mentor_paused", _("The mentor is taking a break.")
    MENTOR_HIDDEN = "mentor_hidden", _("The mentor's profile is no longer shown.")
    # A person cancels (the learner or the mentor of the booking).
    HEALTH = "health", _("Health")
    JOB_INTERVIEW = "job_interview", _("Job interview")
    CHILDCARE = "childcare", _("Childcare")
    TRANSPORT = "transport", _("Transport")
    OTHER = "other", _("Other")


RELATIONSHIP_CHANGED = frozenset(
    {
        CancelReason.MENTORSHIP_ENDED,
        CancelReason.BLOCKED,
        CancelReason.ACCOUNT_CLOSED,
        CancelReason.MENTOR_PAUSED,
        CancelReason.MENTOR_HIDDEN,
    }
)
# What a person gives as the reason when they cancel, in this order on the page.
PERSON_REASONS = (
    CancelReason.HEALTH,
    CancelReason.JOB_INTERVIEW,
    CancelReason.CHILDCARE,
    CancelReason.TRANSPORT,
    CancelReason.OTHER,
)
CANCEL_NOTE_MAX = 300


class RescheduleRequest(models.Model):
    """A learner asks, inside the cut-off, to move a booking to another free
    time of the same mentor; the mentor accepts (the booking moves) or
    declines (it stays). The proposed time is not held meanwhile."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Closed")

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="reschedule_requests"
    )
    slot = models.ForeignKey(
        Slot, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The proposed time, kept when the slot goes.
    start = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["booking"],
                condition=Q(status="pending"),
                name="sessions_reschedule_one_pending",
                violation_error_message=_(
                    "You have already asked for another time for this session."
                ),
            ),
            models.CheckConstraint(
                condition=Q(status="pending", answered_at__isnull=True)
                | (~Q(status="pending") & Q(answered_at__isnull=False)),
                name="sessions_reschedule_answered_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking_id} → {self.start:%Y-%m-%d %H:%M}Z ({self.status})"


class BookingKey(models.Model):
    """An ``Idempotency-Key`` a caller sent with a booking request, kept 24 h
    with a SHA-256 of the body: the same request again gets the same booking,
    another body with the same key is refused. Written in the booking's
    transaction, so a failure leaves no key."""

    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=255)
    body_sha256 = models.CharField(max_length=64)
    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["caller", "key"], name="sessions_booking_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.caller_id} {self.key}"


class BusyTime(models.Model):
    """A stretch of time a person is taken, whatever their role in it: a
    mentor's slot (with its break), or a learner's booking."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="busy_times"
    )
    period = DateTimeRangeField()
    slot = models.OneToOneField(
        Slot, on_delete=models.CASCADE, null=True, blank=True, related_name="busy"
    )
    booking = models.OneToOneField(
        Booking, on_delete=models.CASCADE, null=True, blank=True, related_name="busy"
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
                condition=Q(slot__isnull=False, booking__isnull=True)
                | Q(slot__isnull=True, booking__isnull=False),
                name="sessions_busy_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.period}"


# --- calendar feed -------------------------------------------------------------


class CalendarFeed(models.Model):
    """A person's private calendar feed (``/agenda/<token>.ics``): their
    sessions in both roles, for a calendar app to subscribe to.

    The token in the URL is the only credential. Neither it nor anything that
    gives it away alone is stored: ``seed`` is random, the token is an HMAC of
    it under ``SECRET_KEY`` (``sessions.feed.feed_token``), so the settings page
    can show the link again, and a copy of the database without the key (a
    backup, a dump) reveals no link. ``token_hash`` (its SHA-256, as for API
    tokens) finds the feed of a URL. A new link replaces the row's seed and
    hash: the old URL then finds nothing.
    """

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    seed = models.CharField(max_length=64, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    # When a calendar app last fetched it (recorded at most once an hour): the
    # settings page tells the person their calendar really reads the link.
    last_read_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.person_id} ({self.created_at:%Y-%m-%d})"


# --- reminders and the waitlist ----------------------------------------------------


class BookingReminder(models.Model):
    """A reminder made for a booking: once per booking, kind (24 h or 1 h
    before) and start, whatever the number of scans or workers. Written with
    ``ON CONFLICT DO NOTHING`` in the transaction of its outbox row, so the
    unique constraint decides which scan makes it, and a reminder already
    sent is never made again. A booking moved to another time has another
    start, hence new reminders."""

    class Kind(models.TextChoices):
        DAY = "24h", _("The day before")
        HOUR = "1h", _("One hour before")

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=3, choices=Kind.choices)
    start = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "kind", "start"], name="sessions_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"reminder:{self.booking_id}:{self.kind}:{self.start.isoformat()}"


class WaitlistEntry(models.Model):
    """A learner asks to be told when a time of ``mentor`` earlier than
    ``before`` frees up (notify only: they book it themselves, first come
    first served). Active until notified, withdrawn or expired (at the end of
    the mentor's booking window as it was when they asked)."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="waitlist_entries",
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    before = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "mentor"],
                condition=Q(notified_at__isnull=True),
                name="sessions_waitlist_one_active",
                violation_error_message=_(
                    "You are already on the waiting list of this mentor."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(learner=models.F("mentor")),
                name="sessions_waitlist_not_oneself",
            ),
        ]
        indexes = [
            models.Index(
                fields=["mentor", "created_at"],
                condition=Q(notified_at__isnull=True),
                name="sessions_waitlist_line",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.learner_id} → {self.mentor_id} before {self.before:%Y-%m-%d %H:%M}Z"
        )


# --- attendance ------------------------------------------------------------------


class AttendanceAnswer(models.TextChoices):
    """What a person says about a past session (blank: not answered yet)."""

    HAPPENED = "happened", _("The session took place")
    LEARNER_ABSENT = "learner_absent", _("The learner did not come")
    MENTOR_ABSENT = "mentor_absent", _("The mentor did not come")


class Attendance(models.Model):
    """Whether a past session took place: each person's answer, and what it
    comes to (``sessions.attendance`` holds the rule). ``decided_by`` is set
    when staff decided (a disagreement, or a later correction)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for answers")
        ATTENDED = "attended", _("Took place")
        LEARNER_ABSENT = "learner_absent", _("The learner did not come")
        MENTOR_ABSENT = "mentor_absent", _("The mentor did not come")
        DISPUTED = "disputed", _("The two answers differ (staff decide)")

    booking = models.OneToOneField(
        Booking, on_delete=models.CASCADE, related_name="attendance"
    )
    mentor_answer = models.CharField(
        max_length=14, choices=AttendanceAnswer.choices, blank=True, default=""
    )
    mentor_answered_at = models.DateTimeField(null=True, blank=True)
    learner_answer = models.CharField(
        max_length=14, choices=AttendanceAnswer.choices, blank=True, default=""
    )
    learner_answered_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=14, choices=Status.choices, default=Status.PENDING
    )
    settled_at = models.DateTimeField(null=True, blank=True)
    # The question "did it take place?" went out, and its one reminder.
    asked_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(
        _("note on the decision"), max_length=300, blank=True, default=""
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.CheckConstraint(
                condition=Q(mentor_answer="", mentor_answered_at__isnull=True)
                | (~Q(mentor_answer="") & Q(mentor_answered_at__isnull=False)),
                name="sessions_attendance_mentor_answered_at",
            ),
            models.CheckConstraint(
                condition=Q(learner_answer="", learner_answered_at__isnull=True)
                | (~Q(learner_answer="") & Q(learner_answered_at__isnull=False)),
                name="sessions_attendance_learner_answered_at",
            ),
            models.CheckConstraint(
                condition=Q(status="pending", settled_at__isnull=True)
                | (~Q(status="pending") & Q(settled_at__isnull=False)),
                name="sessions_attendance_settled_at",
            ),
            # Attended only on the mentor's word, or a staff decision.
            models.CheckConstraint(
                condition=~Q(status="attended")
                | Q(mentor_answer="happened")
                | Q(decided_at__isnull=False),
                name="sessions_attendance_attended_needs_mentor",
            ),
            models.CheckConstraint(
                condition=~Q(status="disputed")
                | (
                    ~Q(mentor_answer="")
                    & ~Q(learner_answer="")
                    & ~Q(mentor_answer=models.F("learner_answer"))
                ),
                name="sessions_attendance_disputed_differs",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | Q(decided_at__isnull=False),
                name="sessions_attendance_decided_at",
            ),
            models.CheckConstraint(
                condition=Q(decided_at__isnull=True)
                | Q(status__in=["attended", "learner_absent", "mentor_absent"]),
                name="sessions_attendance_decided_status",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status"],
                condition=Q(status__in=["pending", "disputed"]),
                name="sessions_attendance_open",
            ),
        ]

    def __str__(self) -> str:
        return f"attendance:{self.booking_id} ({self.status})"


# --- after the session: notes and ratings ---------------------------------------

NOTE_FIELD_MAX = 500
RATING_COMMENT_MAX = 1000


class SessionNote(models.Model):
    """The mentor's short note after an attended session, for both people:
    what was worked on, what the learner managed alone, the next step. No
    grade: words the learner can use. Edited by the mentor only."""

    booking = models.OneToOneField(
        Booking, on_delete=models.CASCADE, related_name="note"
    )
    worked = models.TextField(_("worked on"), max_length=NOTE_FIELD_MAX, blank=True)
    achieved = models.TextField(
        _("managed alone"), max_length=NOTE_FIELD_MAX, blank=True
    )
    next_step = models.TextField(_("next step"), max_length=NOTE_FIELD_MAX, blank=True)
    written_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("session note")
        verbose_name_plural = _("session notes")
        constraints = [
            models.CheckConstraint(
                condition=~Q(worked="", achieved="", next_step=""),
                name="sessions_note_not_empty",
            ),
        ]

    def __str__(self) -> str:
        return f"note:{self.booking_id}"


class SessionRating(models.Model):
    """The learner's rating of an attended session, for staff's quality
    follow-up only: never public, never shown to the mentor (not as a
    figure, not in their export). One per booking, given once."""

    booking = models.OneToOneField(
        Booking, on_delete=models.CASCADE, related_name="rating"
    )
    stars = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), max_length=RATING_COMMENT_MAX, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("session rating")
        verbose_name_plural = _("session ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5),
                name="sessions_rating_stars",
            ),
        ]

    def __str__(self) -> str:
        return f"rating:{self.booking_id}"
