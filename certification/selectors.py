"""Reads of the attestation app: the evidence the platform gathers, the
eligibility progress, and who may see or decide what.

"Confirmed sessions" are the learner's bookings whose attendance is
``attended`` (confirmed by both sides, settled on the mentor's word, or
decided by staff) and that worked on the skill; their hours are the
``MentorshipSkill.minutes_attended`` that scheduling recomputes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from matching.models import Mentorship, MentorshipSkill
from mentors.models import MentorSkill, Skill
from sessions.models import Booking, SessionNote

from .models import (
    BAND_LEVELS,
    AttestationRequest,
    Band,
    BandRule,
    EligibilityRules,
    Endorsement,
    ObservedTask,
    RequestEvent,
    TaskObservation,
    band_of,
)


def rules_current() -> EligibilityRules:
    """The rules in force: the newest version (created with the defaults if
    a flush removed them)."""
    row = EligibilityRules.objects.order_by("-pk").first()
    return row if row is not None else EligibilityRules.objects.create()


# --- sessions and hours -----------------------------------------------------------


def attended_bookings(*, learner_id: int, skill_id: int) -> QuerySet[Booking]:
    """The learner's confirmed sessions on the skill, oldest first."""
    return (
        Booking.objects.filter(
            learner_id=learner_id,
            attendance__status="attended",
            skills__skill_id=skill_id,
        )
        .select_related("mentor")
        .distinct()
        .order_by("start")
    )


def minutes_by_mentor(*, learner_id: int, skill_id: int) -> dict[int, int]:
    """Attended minutes on the skill with each mentor (mentor id → minutes)."""
    rows = (
        MentorshipSkill.objects.filter(
            mentorship__learner_id=learner_id, skill_id=skill_id
        )
        .values("mentorship__mentor_id")
        .annotate(total=Sum("minutes_attended"))
    )
    return {
        int(row["mentorship__mentor_id"]): int(row["total"] or 0)
        for row in rows
        if row["total"]
    }


def main_mentor_id(*, learner_id: int, skill_id: int) -> int | None:
    """The mentor who spent the most attended time with the learner on the
    skill (ties: the earliest mentorship); None before any."""
    row = (
        MentorshipSkill.objects.filter(
            mentorship__learner_id=learner_id,
            skill_id=skill_id,
            minutes_attended__gt=0,
        )
        .values("mentorship__mentor_id")
        .annotate(total=Sum("minutes_attended"))
        .order_by("-total", "mentorship__mentor_id")
        .first()
    )
    return int(row["mentorship__mentor_id"]) if row else None


def mentor_skill_level(*, user_id: int, skill_id: int) -> int | None:
    """The published level of a mentor in a skill, or None."""
    return (
        MentorSkill.objects.filter(profile__user_id=user_id, skill_id=skill_id)
        .values_list("level", flat=True)
        .first()
    )


# --- endorsements and observations ------------------------------------------------


def _reciprocal() -> Q:
    """For an endorsement row: the learner ever mentored (a mentorship or a
    booking) or endorsed that mentor; then it does not count."""
    back = {"mentor_id": OuterRef("learner_id"), "learner_id": OuterRef("mentor_id")}
    return (
        Q(Exists(Mentorship.objects.filter(**back)))
        | Q(Exists(Booking.objects.filter(**back)))
        | Q(Exists(Endorsement.objects.filter(**back)))
    )


def endorsements_counting(
    *, learner_id: int, skill_id: int, level: int
) -> QuerySet[Endorsement]:
    """Endorsements that count as evidence for the level: at or above it,
    not hidden by the learner, from a mentor with no reciprocal relationship."""
    return (
        Endorsement.objects.filter(
            learner_id=learner_id,
            skill_id=skill_id,
            level__gte=level,
            hidden_at__isnull=True,
        )
        .exclude(_reciprocal())
        .select_related("mentor", "skill")
    )


def endorsement_ids_counting(ids: list[int]) -> set[int]:
    """Which of these endorsements count (not hidden, not reciprocal)."""
    return set(
        Endorsement.objects.filter(pk__in=ids, hidden_at__isnull=True)
        .exclude(_reciprocal())
        .values_list("pk", flat=True)
    )


def endorsements_for_user(*, user_id: int, role: str) -> QuerySet[Endorsement]:
    """Endorsements the person received (``learner``) or gave (``mentor``)."""
    rows = Endorsement.objects.select_related("mentor", "learner", "skill")
    if role == "mentor":
        return rows.filter(mentor_id=user_id)
    return rows.filter(learner_id=user_id)


def observations_counting(
    *, learner_id: int, skill_id: int, band: str, observer_level: int
) -> QuerySet[TaskObservation]:
    """Passed observations of a task of the band (or a higher one), by an
    observer holding the skill at ``observer_level`` or more when observing."""
    bands = [b for b in BAND_LEVELS if BAND_LEVELS[b][0] >= BAND_LEVELS[band][0]]
    return TaskObservation.objects.filter(
        learner_id=learner_id,
        task__skill_id=skill_id,
        task__band__in=bands,
        result=TaskObservation.Result.PASSED,
        observer_level__gte=observer_level,
    ).select_related("task", "observer")


def observed_tasks_list(
    *, skill_code: str | None = None, level: int | None = None
) -> QuerySet[ObservedTask]:
    rows = ObservedTask.objects.filter(is_active=True).select_related("skill")
    if skill_code:
        rows = rows.filter(skill__code=skill_code)
    if level is not None:
        rows = rows.filter(band=band_of(level))
    return rows


def session_notes(*, learner_id: int, skill_id: int) -> list[dict[str, Any]]:
    """The mentors' notes of the confirmed sessions on the skill."""
    bookings = attended_bookings(learner_id=learner_id, skill_id=skill_id)
    rows = SessionNote.objects.filter(booking__in=bookings.values("pk")).order_by(
        "booking__start"
    )
    return [
        {
            "date": note.booking.start.date().isoformat(),
            "worked": note.worked,
            "achieved": note.achieved,
            "next_step": note.next_step,
        }
        for note in rows.select_related("booking")
    ]


# --- eligibility ------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    key: str
    need: int
    have: int
    message: str

    @property
    def met(self) -> bool:
        return self.have >= self.need

    @property
    def have_text(self) -> str:
        return _hours(self.have) if self.key == "hours" else str(self.have)

    @property
    def need_text(self) -> str:
        return _hours(self.need) if self.key == "hours" else str(self.need)


@dataclass
class Eligibility:
    band: str
    level: int
    checks: list[Check] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return all(check.met for check in self.checks)

    @property
    def missing(self) -> list[str]:
        return [check.message for check in self.checks if not check.met]


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


def eligibility(
    *, learner_id: int, skill_id: int, level: int, rules: EligibilityRules
) -> Eligibility:
    """Where the learner stands for the skill at the level under the rules:
    each rule with what is had, what is needed, and what is missing in words."""
    band = band_of(level)
    rule: BandRule = rules.for_band(band)
    result = Eligibility(band=band, level=level)
    sessions = attended_bookings(learner_id=learner_id, skill_id=skill_id).count()
    missing = rule.sessions - sessions
    result.checks.append(
        Check(
            "sessions",
            rule.sessions,
            sessions,
            ngettext(
                "%(count)d more confirmed session on this skill (%(need)d needed).",
                "%(count)d more confirmed sessions on this skill (%(need)d needed).",
                missing,
            )
            % {"count": missing, "need": rule.sessions},
        )
    )
    minutes = sum(minutes_by_mentor(learner_id=learner_id, skill_id=skill_id).values())
    result.checks.append(
        Check(
            "hours",
            rule.minutes,
            minutes,
            _("%(missing)s more of confirmed sessions on this skill (%(need)s needed).")
            % {
                "missing": _hours(max(0, rule.minutes - minutes)),
                "need": _hours(rule.minutes),
            },
        )
    )
    if rule.endorsements:
        mentors = (
            endorsements_counting(learner_id=learner_id, skill_id=skill_id, level=level)
            .values("mentor_id")
            .distinct()
            .count()
        )
        missing = rule.endorsements - mentors
        result.checks.append(
            Check(
                "endorsements",
                rule.endorsements,
                mentors,
                ngettext(
                    "%(count)d more endorsement at level %(level)d or above, "
                    "from a mentor you never mentored nor endorsed "
                    "(%(need)d needed, each from a different mentor).",
                    "%(count)d more endorsements at level %(level)d or above, "
                    "from mentors you never mentored nor endorsed "
                    "(%(need)d needed, each from a different mentor).",
                    missing,
                )
                % {"count": missing, "level": level, "need": rule.endorsements},
            )
        )
    if rule.tasks:
        passed = (
            observations_counting(
                learner_id=learner_id,
                skill_id=skill_id,
                band=band,
                observer_level=rule.observer_level,
            )
            .values("task_id")
            .distinct()
            .count()
        )
        missing = rule.tasks - passed
        if rule.observer_level > 1:
            message = ngettext(
                "%(count)d more observed task passed, observed by a mentor "
                "holding this skill at level %(observer)d or above.",
                "%(count)d more observed tasks passed, observed by a mentor "
                "holding this skill at level %(observer)d or above.",
                missing,
            )
        else:
            message = ngettext(
                "%(count)d more observed task passed.",
                "%(count)d more observed tasks passed.",
                missing,
            )
        result.checks.append(
            Check(
                "tasks",
                rule.tasks,
                passed,
                message % {"count": missing, "observer": rule.observer_level},
            )
        )
    return result


def eligibility_by_band(
    *, learner_id: int, skill_id: int, rules: EligibilityRules
) -> list[Eligibility]:
    """The progress towards each band, at the band's lower level."""
    return [
        eligibility(
            learner_id=learner_id,
            skill_id=skill_id,
            level=BAND_LEVELS[band][0],
            rules=rules,
        )
        for band in Band.values
    ]


def evidence_gather(*, learner_id: int, skill_id: int, level: int) -> dict[str, Any]:
    """What the platform knows for the request, as plain JSON: the confirmed
    sessions with dates and mentors, hours per mentor, the endorsements (and
    whether each counts), the observed tasks and the session notes."""
    per_mentor = minutes_by_mentor(learner_id=learner_id, skill_id=skill_id)
    counting = set(
        endorsements_counting(
            learner_id=learner_id, skill_id=skill_id, level=1
        ).values_list("pk", flat=True)
    )
    return {
        "sessions": [
            {
                "date": booking.start.isoformat(),
                "minutes": int((booking.end - booking.start).total_seconds() // 60),
                "mentor": booking.mentor.full_name
                if booking.mentor
                else booking.mentor_name,
            }
            for booking in attended_bookings(learner_id=learner_id, skill_id=skill_id)
        ],
        "minutes_by_mentor": [
            {"mentor": name, "minutes": per_mentor[pk]}
            for pk, name in _names(per_mentor).items()
        ],
        "endorsements": [
            {
                "mentor": e.mentor.full_name,
                "level": e.level,
                "comment": e.comment,
                "date": e.created_at.isoformat(),
                "counts": e.pk in counting,
            }
            for e in Endorsement.objects.filter(
                learner_id=learner_id, skill_id=skill_id, hidden_at__isnull=True
            ).select_related("mentor")
        ],
        "observations": [
            {
                "task": o.task.title,
                "band": o.task.band,
                "result": o.result,
                "note": o.note,
                "observer": o.observer.full_name if o.observer else "",
                "observer_level": o.observer_level,
                "date": o.created_at.isoformat(),
            }
            for o in TaskObservation.objects.filter(
                learner_id=learner_id, task__skill_id=skill_id
            ).select_related("task", "observer")
        ],
        "notes": session_notes(learner_id=learner_id, skill_id=skill_id),
    }


def _names(per_mentor: dict[int, int]) -> dict[int, str]:
    from accounts.models import User

    return {
        user.pk: user.full_name
        for user in User.objects.filter(pk__in=per_mentor).only("full_name")
    }


# --- requests ---------------------------------------------------------------------


def attestation_requests_for_learner(
    *, learner_id: int
) -> QuerySet[AttestationRequest]:
    return AttestationRequest.objects.filter(learner_id=learner_id).select_related(
        "skill"
    )


def conflicted_learners_q(reviewer_id: int, learner_field: str = "learner_id") -> Q:
    """Requests the reviewer may not decide: their own, and those of anyone
    they ever mentored, had a booking with (either way) that took place,
    endorsed or observed."""
    learner = OuterRef(learner_field)
    mentored = Mentorship.objects.filter(
        Q(mentor_id=reviewer_id, learner_id=learner)
        | Q(learner_id=reviewer_id, mentor_id=learner)
    )
    booked = Booking.objects.filter(
        Q(mentor_id=reviewer_id, learner_id=learner)
        | Q(learner_id=reviewer_id, mentor_id=learner),
        attendance__status="attended",
    )
    endorsed = Endorsement.objects.filter(mentor_id=reviewer_id, learner_id=learner)
    observed = TaskObservation.objects.filter(
        observer_id=reviewer_id, learner_id=learner
    )
    return (
        Q(**{learner_field: reviewer_id})
        | Q(Exists(mentored))
        | Q(Exists(booked))
        | Q(Exists(endorsed))
        | Q(Exists(observed))
    )


def attestation_requests_for_reviewer(
    *, reviewer_id: int
) -> QuerySet[AttestationRequest]:
    """Every request the reviewer has no conflict of interest with."""
    return (
        AttestationRequest.objects.exclude(conflicted_learners_q(reviewer_id))
        .exclude(state="draft")
        .select_related("learner", "skill", "rules", "decided_by")
    )


def has_conflict_of_interest(*, reviewer_id: int, request_id: int) -> bool:
    return (
        AttestationRequest.objects.filter(pk=request_id)
        .filter(conflicted_learners_q(reviewer_id))
        .exists()
    )


def request_events(*, request_id: int) -> QuerySet[RequestEvent]:
    return RequestEvent.objects.filter(request_id=request_id).select_related("actor")


def skill_for_progress(code: str) -> Skill:
    """A DigComp competence (only those can be attested); DoesNotExist else."""
    return Skill.objects.get(code=code, area__framework="digcomp")
