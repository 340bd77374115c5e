"""Skill attestations, part 1: the evidence (endorsements, observed tasks), the
eligibility rules and the requests staff decide in the admin.

Only DigComp levels 1 to 6 can be attested through peer mentoring, in three
bands (foundation 1–2, intermediate 3–4, advanced 5–6); 7–8 never.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentors.models import Skill

ATTESTABLE_MIN = 1
ATTESTABLE_MAX = 6


class Band(models.TextChoices):
    FOUNDATION = "foundation", _("Foundation (levels 1 and 2)")
    INTERMEDIATE = "intermediate", _("Intermediate (levels 3 and 4)")
    ADVANCED = "advanced", _("Advanced (levels 5 and 6)")


BAND_LEVELS: dict[str, tuple[int, int]] = {
    Band.FOUNDATION: (1, 2),
    Band.INTERMEDIATE: (3, 4),
    Band.ADVANCED: (5, 6),
}


def band_of(level: int) -> str:
    for band, (low, high) in BAND_LEVELS.items():
        if low <= level <= high:
            return band
    raise ValueError(f"level {level} cannot be attested")


def _attestable_level(verbose: str | object) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        verbose,  # type: ignore[arg-type]
        validators=[
            MinValueValidator(ATTESTABLE_MIN),
            MaxValueValidator(ATTESTABLE_MAX),
        ],
    )


LEVEL_RANGE = Q(level__gte=ATTESTABLE_MIN, level__lte=ATTESTABLE_MAX)


@dataclass(frozen=True)
class BandRule:
    """One band's requirements, read from ``EligibilityRules``."""

    band: str
    sessions: int
    minutes: int
    endorsements: int
    tasks: int
    observer_level: int


class Endorsement(models.Model):
    """A mentor vouches for a learner's skill at a level. Evidence, never a
    decision; it counts only without a reciprocal relationship
    (``certification.selectors.endorsements_counting``)."""

    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="endorsements_given",
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="endorsements_received",
    )
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    level = _attestable_level(_("level"))
    comment = models.TextField(_("comment"), max_length=2000)
    # The mentor agreed to be named on the attestation this endorsement
    # supports (never by default: the name is shown to anyone who verifies).
    named = models.BooleanField(
        _("I agree to be named on the attestation"), default=False, db_default=False
    )
    hidden_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "learner", "skill"],
                name="certification_endorsement_once",
                violation_error_message=_(
                    "You have already endorsed this person for this skill."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(mentor=models.F("learner")),
                name="certification_endorsement_not_self",
            ),
            models.CheckConstraint(
                condition=LEVEL_RANGE, name="certification_endorsement_level"
            ),
            models.CheckConstraint(
                condition=~Q(comment=""), name="certification_endorsement_comment"
            ),
        ]
        indexes = [
            models.Index(fields=["learner", "skill"], name="cert_endorse_learner_idx")
        ]

    def __str__(self) -> str:
        return f"{self.mentor_id} → {self.learner_id} {self.skill_id} {self.level}"


class ObservedTask(models.Model):
    """A practical task for a skill and band ("mise en situation observée").
    ``title`` is written in English and shown through the translations (the
    seeded ones have French in the catalogue); staff may add their own."""

    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    band = models.CharField(_("band"), max_length=12, choices=Band.choices)
    title = models.CharField(_("task"), max_length=300)
    is_active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["skill__code", "band", "position", "id"]
        verbose_name = _("observed task")
        verbose_name_plural = _("observed tasks")
        constraints = [
            models.UniqueConstraint(
                fields=["skill", "band", "title"], name="certification_task_unique"
            ),
            models.CheckConstraint(
                condition=Q(band__in=[b.value for b in Band]),
                name="certification_task_band",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill.code} {self.band}: {self.display_title}"

    @property
    def display_title(self) -> str:
        return gettext(self.title)


class TaskObservation(models.Model):
    """A mentor watched the learner do a task during an attended session and
    says passed or not yet, with a note."""

    class Result(models.TextChoices):
        PASSED = "passed", _("Passed")
        NOT_YET = "not_yet", _("Not yet")

    task = models.ForeignKey(
        ObservedTask, on_delete=models.PROTECT, related_name="observations"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="task_observations",
    )
    # Kept (empty) when the observer's account is erased: the learner's proof.
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="observations_made",
    )
    # The observer's level in the skill when they observed.
    observer_level = models.PositiveSmallIntegerField()
    booking = models.ForeignKey(
        "coaching_sessions.Booking",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    result = models.CharField(max_length=8, choices=Result.choices)
    note = models.TextField(_("note"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("task observation")
        verbose_name_plural = _("task observations")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "learner", "booking"],
                name="certification_observation_once",
                violation_error_message=_(
                    "This task was already observed during this session."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(observer=models.F("learner")),
                name="certification_observation_not_self",
            ),
            models.CheckConstraint(
                condition=Q(result__in=["passed", "not_yet"]),
                name="certification_observation_result",
            ),
            models.CheckConstraint(
                condition=~Q(note=""), name="certification_observation_note"
            ),
        ]
        indexes = [
            models.Index(fields=["learner", "task"], name="cert_obs_learner_idx")
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.learner_id} {self.result}"


class EligibilityRules(models.Model):
    """What a request needs, per band. Versioned like the matching weights:
    saving in the admin adds a new row; the newest is in force and each
    request records the version it was submitted under."""

    foundation_sessions = models.PositiveSmallIntegerField(default=2)
    foundation_minutes = models.PositiveIntegerField(default=120)
    foundation_endorsements = models.PositiveSmallIntegerField(default=0)
    foundation_tasks = models.PositiveSmallIntegerField(default=0)
    foundation_observer_level = models.PositiveSmallIntegerField(default=1)
    intermediate_sessions = models.PositiveSmallIntegerField(default=4)
    intermediate_minutes = models.PositiveIntegerField(default=300)
    intermediate_endorsements = models.PositiveSmallIntegerField(default=1)
    intermediate_tasks = models.PositiveSmallIntegerField(default=1)
    intermediate_observer_level = models.PositiveSmallIntegerField(default=1)
    advanced_sessions = models.PositiveSmallIntegerField(default=6)
    advanced_minutes = models.PositiveIntegerField(default=600)
    advanced_endorsements = models.PositiveSmallIntegerField(default=2)
    advanced_tasks = models.PositiveSmallIntegerField(default=1)
    advanced_observer_level = models.PositiveSmallIntegerField(default=5)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("eligibility rules")
        verbose_name_plural = _("eligibility rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    foundation_observer_level__gte=1,
                    foundation_observer_level__lte=8,
                    intermediate_observer_level__gte=1,
                    intermediate_observer_level__lte=8,
                    advanced_observer_level__gte=1,
                    advanced_observer_level__lte=8,
                ),
                name="certification_rules_observer_level",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.pk}"

    def for_band(self, band: str) -> BandRule:
        return BandRule(
            band=band,
            sessions=getattr(self, f"{band}_sessions"),
            minutes=getattr(self, f"{band}_minutes"),
            endorsements=getattr(self, f"{band}_endorsements"),
            tasks=getattr(self, f"{band}_tasks"),
            observer_level=getattr(self, f"{band}_observer_level"),
        )


class AttestationRequestQuerySet(models.QuerySet["AttestationRequest"]):
    def open(self) -> AttestationRequestQuerySet:
        return self.filter(state__in=AttestationRequest.OPEN_STATES)


class AttestationRequest(models.Model):
    """A learner asks for one skill at one level; staff decide in the admin."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for the team")
        MORE_INFO = "more_info", _("More information asked")
        APPROVED = "approved", _("Granted")
        REJECTED = "rejected", _("Not granted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    OPEN_STATES = ("draft", "submitted", "more_info")
    DECIDED_STATES = ("approved", "rejected")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="attestation_requests",
    )
    skill = models.ForeignKey(Skill, on_delete=models.PROTECT, related_name="+")
    level = _attestable_level(_("level asked"))
    state = models.CharField(max_length=10, choices=State.choices, default="draft")
    statement = models.TextField(_("in my own words"), max_length=5000, blank=True)
    portfolio_url = models.URLField(_("link to my work"), max_length=500, blank=True)
    # A file in the private storage (never under MEDIA_ROOT), served only by a
    # permission-checked view; deleted 6 months after the decision.
    evidence_file = models.CharField(max_length=200, blank=True, editable=False)
    evidence_name = models.CharField(max_length=200, blank=True, editable=False)
    evidence_content_type = models.CharField(max_length=40, blank=True, editable=False)
    evidence_deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The rules in force at the first submission: the request is judged by them.
    rules = models.ForeignKey(
        EligibilityRules,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # What the platform gathered at the last submission (sessions, hours,
    # endorsements, observations, notes), as the reviewer reads it.
    evidence = models.JSONField(default=dict, blank=True, editable=False)
    approved_level = models.PositiveSmallIntegerField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = AttestationRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("attestation request")
        verbose_name_plural = _("attestation requests")
        permissions = [
            ("review_attestationrequest", _("Can decide attestation requests")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=LEVEL_RANGE, name="certification_request_level"
            ),
            models.CheckConstraint(
                condition=Q(
                    state__in=[
                        "draft",
                        "submitted",
                        "more_info",
                        "approved",
                        "rejected",
                        "withdrawn",
                    ]
                ),
                name="certification_request_state",
            ),
            # One open request per person and skill.
            models.UniqueConstraint(
                fields=["learner", "skill"],
                condition=Q(state__in=["draft", "submitted", "more_info"]),
                name="certification_request_one_open",
                violation_error_message=_(
                    "You already have a request open for this skill."
                ),
            ),
            # Approved: at the level asked or lower; otherwise no level.
            models.CheckConstraint(
                condition=(
                    Q(
                        state="approved",
                        approved_level__gte=ATTESTABLE_MIN,
                        approved_level__lte=models.F("level"),
                    )
                    | (~Q(state="approved") & Q(approved_level__isnull=True))
                ),
                name="certification_request_approved_level",
            ),
            models.CheckConstraint(
                condition=(
                    Q(state__in=["approved", "rejected"], decided_at__isnull=False)
                    | (
                        ~Q(state__in=["approved", "rejected"])
                        & Q(decided_at__isnull=True)
                    )
                ),
                name="certification_request_decided_at",
            ),
            models.CheckConstraint(
                condition=Q(state="draft")
                | Q(state="withdrawn")
                | Q(rules__isnull=False, submitted_at__isnull=False),
                name="certification_request_submitted_rules",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="cert_req_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.skill_id} {self.level} ({self.state})"

    @property
    def band(self) -> str:
        return band_of(self.level)


class RequestEvent(models.Model):
    """The audit trail of a request: who did what, when, and why. Never
    edited."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Granted")
        REJECTED = "rejected", _("Rejected")
        MORE_INFO = "more_info", _("More information asked")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        FILE_DELETED = "file_deleted", _("File deleted")

    request = models.ForeignKey(
        AttestationRequest, on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("request event")
        verbose_name_plural = _("request events")

    def __str__(self) -> str:
        return f"{self.request_id} {self.action}"


# --- issue 19: attestations ---------------------------------------------------------


class RevocationReason(models.TextChoices):
    """The fixed public list: a revoked attestation says one of these."""

    ERROR = "error", _("Issued by mistake")
    HOLDER = "holder", _("Withdrawn at the holder's request")
    REVIEW = "review", _("Withdrawn after a check")


# Open Badges 3.0 status list: 131,072 bits (16 KB), the spec's minimum size
# for herd privacy; each attestation takes a random free index.
STATUS_LIST_SIZE = 131072
MENTOR_BADGE_HOURS = (10, 50, 100)


class Attestation(models.Model):
    """An issued attestation: what it says is frozen at issue (the names,
    hours and how it was obtained), so it verifies the same forever. The code
    is the public handle; the holder decides whether it shows on their
    profile. Revoked by staff, never deleted."""

    class Kind(models.TextChoices):
        SKILL = "skill", _("Skill")
        MENTOR = "mentor", _("Mentor")

    code = models.CharField(max_length=10, unique=True, editable=False)
    kind = models.CharField(max_length=6, choices=Kind.choices, default="skill")
    # Emptied if the request goes (the holder's account erased): the
    # attestation keeps what it says.
    request = models.OneToOneField(
        AttestationRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attestation",
    )
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attestations",
    )
    # Emptied when the holder deletes their account (unless they chose to keep
    # it public); a salted hash stays so a verifier can check the printed name.
    holder_name = models.CharField(_("holder"), max_length=150, blank=True)
    holder_name_hash = models.CharField(max_length=64, blank=True, editable=False)
    name_salt = models.CharField(max_length=32, editable=False)
    holder_deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    keep_name_public = models.BooleanField(
        _("keep my name on it if I delete my account"), default=False
    )
    shown_on_profile = models.BooleanField(_("shown on my profile"), default=False)
    language = models.CharField(max_length=2, default="fr")
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    minutes = models.PositiveIntegerField(default=0)
    sessions = models.PositiveIntegerField(default=0)
    # How it was obtained: {"sessions", "minutes", "observed_task",
    # "observed_by_other_mentor", "reviewed", "rules_version"}.
    how = models.JSONField(default=dict, blank=True)
    # Endorsing mentors who agreed to be named (their public profile).
    endorsers = models.JSONField(default=list, blank=True)
    mentor_hours = models.PositiveSmallIntegerField(null=True, blank=True)
    issued_at = models.DateTimeField(default=timezone.now)
    issuer_name = models.CharField(max_length=200)
    issuer_siret = models.CharField(max_length=14, blank=True)
    # Open Badges 2.0 recipient: "sha256$" + sha256(email + salt); kept after
    # deletion so shared badges keep verifying.
    recipient_salt = models.CharField(max_length=32, editable=False)
    recipient_hash = models.CharField(max_length=71, editable=False)
    # Open Badges 3.0: credentialSubject.id (urn:uuid:…) and the status bit.
    subject_uuid = models.UUIDField(unique=True, editable=False)
    status_index = models.PositiveIntegerField(unique=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revocation_reason = models.CharField(
        _("reason"),
        max_length=6,
        choices=RevocationReason.choices,
        blank=True,
        editable=False,
    )
    revocation_note = models.TextField(_("internal note"), blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("attestation")
        verbose_name_plural = _("attestations")
        permissions = [("revoke_attestation", _("Can revoke attestations"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9A-HJKMNP-TV-Z]{10}$"),
                name="certification_attestation_code",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="skill",
                        skill__isnull=False,
                        level__gte=ATTESTABLE_MIN,
                        level__lte=ATTESTABLE_MAX,
                        mentor_hours__isnull=True,
                    )
                    | Q(
                        kind="mentor",
                        skill__isnull=True,
                        level__isnull=True,
                        mentor_hours__in=MENTOR_BADGE_HOURS,
                    )
                ),
                name="certification_attestation_kind",
            ),
            models.UniqueConstraint(
                fields=["holder", "mentor_hours"],
                condition=Q(kind="mentor"),
                name="certification_attestation_mentor_once",
            ),
            models.CheckConstraint(
                condition=(
                    Q(revoked_at__isnull=True, revocation_reason="")
                    | Q(
                        revoked_at__isnull=False,
                        revocation_reason__in=["error", "holder", "review"],
                    )
                ),
                name="certification_attestation_revoked",
            ),
            models.CheckConstraint(
                condition=Q(status_index__lt=STATUS_LIST_SIZE),
                name="certification_attestation_status_index",
            ),
        ]

    def __str__(self) -> str:
        return self.display_code

    @property
    def display_code(self) -> str:
        from .codes import display

        return display(self.code)

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class InactivityNotice(models.Model):
    """Issue 19, retention: a person who has not signed in for a long time is
    warned once by e-mail; still inactive a month later, past
    ``INACTIVE_ACCOUNT_MONTHS``, the account is deleted (their attestations
    stay verifiable, see ``attestations.holders_erase``). Signing in again
    makes the notice moot (``last_login`` after ``warned_at``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    warned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("inactivity notice")
        verbose_name_plural = _("inactivity notices")

    def __str__(self) -> str:
        return f"{self.user_id} {self.warned_at:%Y-%m-%d}"
