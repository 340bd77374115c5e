"""Requests, mentorships and their messages; the matching engine's weights,
stored suggestions and exposure counts.

The tables kept the names they had when these models lived in ``mentors``
(``mentors_…``): existing databases moved in place, and the plain-SQL reads
stay valid.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentors.choices import Mode
from mentors.models import MentorProfile, Skill


class MentorshipRequest(models.Model):
    """A learner asks a mentor for mentoring.

    pending → accepted / declined / withdrawn / expired; accepting creates a
    ``Mentorship``. The database keeps one open request per pair.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="requests_sent"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="requests_received",
    )
    skills = models.ManyToManyField(
        Skill,
        related_name="+",
        blank=True,
        db_table="mentors_mentorshiprequest_skills",
    )
    message = models.TextField(_("message"), max_length=2000)
    preferred_mode = models.CharField(
        _("preferred way to meet"), max_length=10, choices=Mode.choices
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    answer_message = models.TextField(_("answer"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    reminded_day3_at = models.DateTimeField(null=True, blank=True)
    reminded_day10_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "mentors_mentorshiprequest"
        ordering = ["-created_at"]
        verbose_name = _("mentoring request")
        verbose_name_plural = _("mentoring requests")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "mentor"],
                condition=Q(status="pending"),
                name="mentors_request_one_open_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(learner=models.F("mentor")),
                name="mentors_request_not_self",
            ),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(answered_at__isnull=False),
                name="mentors_request_answered_at",
            ),
        ]
        indexes = [
            models.Index(
                fields=["expires_at"],
                condition=Q(status="pending"),
                name="mentors_request_pending_idx",
            ),
            models.Index(
                fields=["mentor", "status"], name="mentors_request_mentor_idx"
            ),
            models.Index(
                fields=["learner", "status"], name="mentors_request_learner_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} → {self.mentor_id} ({self.status})"


class MentorshipQuerySet(models.QuerySet["Mentorship"]):
    def active(self) -> MentorshipQuerySet:
        return self.filter(status=Mentorship.Status.ACTIVE)

    def for_participant(self, user_id: int) -> MentorshipQuerySet:
        """Mentorships in which this person is the learner or the mentor."""
        return self.filter(Q(learner_id=user_id) | Q(mentor_id=user_id))


class Mentorship(models.Model):
    """A learner and a mentor working together; counts against the mentor's
    capacity while active."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")

    class Outcome(models.TextChoices):
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentorships_as_learner",
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentorships_as_mentor",
    )
    request = models.OneToOneField(
        MentorshipRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentorship",
    )
    skills = models.ManyToManyField(
        Skill, through="MentorshipSkill", related_name="+", blank=True
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    end_reason = models.TextField(_("why it ended"), max_length=2000, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    learner_read_at = models.DateTimeField(null=True, blank=True)
    mentor_read_at = models.DateTimeField(null=True, blank=True)

    objects = MentorshipQuerySet.as_manager()

    class Meta:
        db_table = "mentors_mentorship"
        ordering = ["-started_at"]
        verbose_name = _("mentorship")
        verbose_name_plural = _("mentorships")
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "mentor"],
                condition=Q(status="active"),
                name="mentors_mentorship_one_active_per_pair",
            ),
            models.CheckConstraint(
                condition=~Q(learner=models.F("mentor")),
                name="mentors_mentorship_not_self",
            ),
            models.CheckConstraint(
                condition=Q(status="active", ended_at__isnull=True, outcome="")
                | Q(
                    status="ended",
                    ended_at__isnull=False,
                    outcome__in=["completed", "stopped"],
                ),
                name="mentors_mentorship_end_consistent",
            ),
        ]
        indexes = [
            models.Index(
                fields=["mentor"],
                condition=Q(status="active"),
                name="mentors_ms_active_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} ↔ {self.mentor_id} ({self.status})"

    def other(self, user_id: int) -> int:
        return self.mentor_id if user_id == self.learner_id else self.learner_id


class MentorshipSkill(models.Model):
    """A skill worked on in a mentorship, with the minutes of attended sessions
    spent on it (recomputed from the attended sessions, never incremented)."""

    mentorship = models.ForeignKey(Mentorship, on_delete=models.CASCADE)
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")
    minutes_attended = models.PositiveIntegerField(_("minutes attended"), default=0)

    class Meta:
        db_table = "mentors_mentorship_skills"
        verbose_name = _("skill worked on")
        verbose_name_plural = _("skills worked on")
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "skill"], name="matching_mentorship_skill_unique"
            ),
            models.CheckConstraint(
                condition=Q(minutes_attended__gte=0),
                name="matching_mentorship_skill_minutes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentorship_id}: {self.skill_id} ({self.minutes_attended} min)"


class Message(models.Model):
    """A plain-text message in a mentorship's thread."""

    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "mentors_message"
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.CheckConstraint(
                condition=~Q(body=""), name="mentors_message_not_empty"
            ),
        ]
        indexes = [
            models.Index(
                fields=["mentorship", "created_at"], name="mentors_msg_thread_idx"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} in {self.mentorship_id}"


class MatchingWeights(models.Model):
    """Weights of the matching criteria (0–10) and which are must-haves.

    Versioned: saving in the admin creates a new row; the newest is in force and
    each suggestion records the version it was computed with.
    """

    CRITERIA = (
        "skill_fit",
        "level_gap",
        "language",
        "mode_place",
        "time_overlap",
        "capacity",
        "responsiveness",
    )

    skill_fit = models.PositiveSmallIntegerField(
        default=10, validators=[MaxValueValidator(10)]
    )
    level_gap = models.PositiveSmallIntegerField(
        default=4, validators=[MaxValueValidator(10)]
    )
    language = models.PositiveSmallIntegerField(
        default=5, validators=[MaxValueValidator(10)]
    )
    mode_place = models.PositiveSmallIntegerField(
        default=5, validators=[MaxValueValidator(10)]
    )
    time_overlap = models.PositiveSmallIntegerField(
        default=3, validators=[MaxValueValidator(10)]
    )
    capacity = models.PositiveSmallIntegerField(
        default=2, validators=[MaxValueValidator(10)]
    )
    responsiveness = models.PositiveSmallIntegerField(
        default=2, validators=[MaxValueValidator(10)]
    )
    must_language = models.BooleanField(_("shared language is a must"), default=True)
    must_mode_place = models.BooleanField(_("a way to meet is a must"), default=True)
    must_skill = models.BooleanField(
        _("at least one wanted skill is a must"), default=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        db_table = "mentors_matchingweights"
        ordering = ["-id"]
        verbose_name = _("matching weights")
        verbose_name_plural = _("matching weights")
        constraints = [
            models.CheckConstraint(
                condition=Q(skill_fit__lte=10, level_gap__lte=10, language__lte=10)
                & Q(mode_place__lte=10, time_overlap__lte=10, capacity__lte=10)
                & Q(responsiveness__lte=10),
                name="mentors_weights_range",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.pk}"

    def as_dict(self) -> dict[str, float]:
        return {name: float(getattr(self, name)) for name in self.CRITERIA}


class MatchSuggestion(models.Model):
    """One of a learner's top mentors, with the breakdown and reasons shown."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="suggestions"
    )
    mentor_profile = models.ForeignKey(
        MentorProfile, on_delete=models.CASCADE, related_name="suggested_to"
    )
    rank = models.PositiveSmallIntegerField()
    score = models.FloatField()
    breakdown = models.JSONField(default=dict)
    reasons = models.JSONField(default=list)
    weights_version = models.PositiveIntegerField()
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "mentors_matchsuggestion"
        ordering = ["learner", "rank"]
        constraints = [
            # Deferred: the full refresh's upsert on (learner, rank) may move
            # a mentor from one rank to another within one statement.
            models.UniqueConstraint(
                fields=["learner", "mentor_profile"],
                name="mentors_suggestion_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.UniqueConstraint(
                fields=["learner", "rank"], name="mentors_suggestion_rank"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=1), name="mentors_suggestion_score"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id} → {self.mentor_profile_id} #{self.rank}"


class MatchExposure(models.Model):
    """How many learners' top lists a mentor is in. Kept by statement-level
    triggers on the suggestions table (migration 0008), so every write, the
    cascades included, moves it in the same transaction."""

    mentor_profile = models.OneToOneField(
        MentorProfile,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="exposure",
    )
    shown = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "mentors_matchexposure"

    def __str__(self) -> str:
        return f"{self.mentor_profile_id}: {self.shown}"


class MentorshipCheckIn(models.Model):
    """ "On continue ?": both people of a long mentorship are asked once per
    period of ``MENTORSHIP_CHECKIN_MONTHS`` (``period`` 1 after the first
    one, 2 after the second…). Each answers continue, or ends the mentorship
    with a reason (``mentorship_end``); nothing ends by itself."""

    class Answer(models.TextChoices):
        CONTINUE = "continue", _("We continue")
        END = "end", _("We end it")

    mentorship = models.ForeignKey(
        Mentorship, on_delete=models.CASCADE, related_name="checkins"
    )
    period = models.PositiveSmallIntegerField()
    asked_at = models.DateTimeField(default=timezone.now)
    learner_answer = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    learner_answered_at = models.DateTimeField(null=True, blank=True)
    mentor_answer = models.CharField(max_length=10, choices=Answer.choices, blank=True)
    mentor_answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentorship", "period"], name="matching_checkin_once"
            ),
            models.CheckConstraint(
                condition=Q(period__gte=1), name="matching_checkin_period"
            ),
        ]

    def __str__(self) -> str:
        return f"checkin:{self.mentorship_id}:{self.period}"
