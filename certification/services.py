"""Writes of the attestation app: endorsements, task observations, requests and
staff decisions.

Lock order: the request row (``select_for_update``), nothing else. Two
reviewers deciding the same request at once take turns on it; the second sees
the state the first left and gets a ``Conflict``: exactly one decision.
E-mails go through the outbox in the decision's transaction, in the learner's
language.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict
from core.notifications import notify
from mentors.models import Skill
from sessions.models import Booking

from .evidence_files import (
    evidence_file_check,
    evidence_file_delete,
    evidence_file_store,
)
from .models import (
    ATTESTABLE_MAX,
    ATTESTABLE_MIN,
    AttestationRequest,
    Band,
    Endorsement,
    ObservedTask,
    RequestEvent,
    TaskObservation,
)
from .selectors import (
    eligibility,
    evidence_gather,
    has_conflict_of_interest,
    main_mentor_id,
    mentor_skill_level,
    rules_current,
    skill_for_progress,
)

DECISION_KIND = "certification.decision"
REVIEW_PERMISSION = "certification.review_attestationrequest"

State = AttestationRequest.State
Action = RequestEvent.Action


class ConflictOfInterest(Conflict):
    """The reviewer is too close to the learner to decide."""


def _level(level: int, field: str = "level") -> int:
    if not ATTESTABLE_MIN <= level <= ATTESTABLE_MAX:
        raise ValidationError(
            {
                field: _(
                    "Only levels %(low)d to %(high)d can be attested through mentoring."
                )
                % {"low": ATTESTABLE_MIN, "high": ATTESTABLE_MAX}
            }
        )
    return level


# --- endorsements -----------------------------------------------------------------


@transaction.atomic
def endorsement_create(
    *,
    mentor: User,
    learner_id: int,
    skill_code: str,
    level: int,
    comment: str,
    named: bool = False,
) -> Endorsement:
    """A mentor endorses a learner's skill at a level (``named``: they agree
    to be named on the attestation it supports).

    Preconditions: at least one attended session together on that skill, and
    the mentor holds the skill at or above the level. ``ObjectDoesNotExist``
    for a person or skill the mentor never worked on with them; ``Conflict``
    when already endorsed."""
    _level(level)
    skill = skill_for_progress(skill_code)
    learner = User.objects.get(pk=learner_id, is_active=True)
    together = Booking.objects.filter(
        mentor=mentor,
        learner=learner,
        attendance__status="attended",
        skills__skill=skill,
    ).exists()
    if learner.pk == mentor.pk or not together:
        raise Endorsement.DoesNotExist
    held = mentor_skill_level(user_id=mentor.pk, skill_id=skill.pk)
    if held is None or held < level:
        raise ValidationError(
            {
                "level": _(
                    "You can endorse up to the level you hold in this skill yourself."
                )
            }
        )
    if not comment.strip():
        raise ValidationError({"comment": _("Say in a few words what you saw.")})
    try:
        with transaction.atomic():
            return Endorsement.objects.create(
                mentor=mentor,
                learner=learner,
                skill=skill,
                level=level,
                comment=comment,
                named=named,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("You have already endorsed this person for this skill.")
        ) from exc


@transaction.atomic
def endorsement_set_hidden(
    *, learner: User, endorsement_id: int, hidden: bool
) -> Endorsement:
    """The learner hides (or shows again) an endorsement they received; a
    hidden one is not evidence."""
    endorsement = Endorsement.objects.select_for_update().get(
        pk=endorsement_id, learner=learner
    )
    endorsement.hidden_at = timezone.now() if hidden else None
    endorsement.save(update_fields=["hidden_at"])
    return endorsement


# --- observed tasks ---------------------------------------------------------------


@transaction.atomic
def task_observation_record(
    *, observer: User, booking_id: int, task_id: int, result: str, note: str
) -> TaskObservation:
    """The mentor of an attended session records a task the learner did in it.

    Preconditions: the session took place and worked on the task's skill; the
    observer holds the skill; from the intermediate band up, the observer is
    not the learner's main mentor on that skill. ``ObjectDoesNotExist`` for a
    session that is not the observer's."""
    booking = Booking.objects.get(
        pk=booking_id, mentor=observer, attendance__status="attended"
    )
    task = ObservedTask.objects.select_related("skill").get(pk=task_id, is_active=True)
    if booking.learner_id is None:
        raise Booking.DoesNotExist
    if not booking.skills.filter(skill_id=task.skill_id).exists():
        raise ValidationError(
            {"task": _("This session did not work on the task's skill.")}
        )
    held = mentor_skill_level(user_id=observer.pk, skill_id=task.skill_id)
    if held is None:
        raise ValidationError(
            {"task": _("You can observe only a skill you offer as a mentor.")}
        )
    if task.band != Band.FOUNDATION and observer.pk == main_mentor_id(
        learner_id=booking.learner_id, skill_id=task.skill_id
    ):
        raise ValidationError(
            {
                "task": _(
                    "From the intermediate level on, a mentor other than the "
                    "learner's main mentor on this skill observes the task."
                )
            }
        )
    if result not in TaskObservation.Result.values:
        raise ValidationError({"result": _("Choose passed or not yet.")})
    if not note.strip():
        raise ValidationError({"note": _("Say in a few words what you saw.")})
    try:
        with transaction.atomic():
            return TaskObservation.objects.create(
                task=task,
                learner_id=booking.learner_id,
                observer=observer,
                observer_level=held,
                booking=booking,
                result=result,
                note=note,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("This task was already observed during this session.")
        ) from exc


# --- requests ---------------------------------------------------------------------


def _event(
    request: AttestationRequest,
    *,
    actor: User | None,
    action: str,
    reason: str = "",
    level: int | None = None,
) -> None:
    RequestEvent.objects.create(
        request=request, actor=actor, action=action, reason=reason, level=level
    )


def _attach(request: AttestationRequest, upload: File | None) -> str | None:
    """Check and store a new file on the request (not saved yet); returns the
    name of the file it replaces, if any. The caller deletes the new file if
    its transaction fails (``_stored_or_removed``)."""
    if upload is None:
        return None
    content_type, extension = evidence_file_check(upload)
    old = request.evidence_file
    request.evidence_file = evidence_file_store(upload, extension)
    request.evidence_name = (getattr(upload, "name", "") or "")[-200:]
    request.evidence_content_type = content_type
    request.evidence_deleted_at = None
    return old or None


@transaction.atomic
def attestation_request_create(
    *,
    learner: User,
    skill_code: str,
    level: int,
    statement: str = "",
    portfolio_url: str = "",
    upload: File | None = None,
) -> AttestationRequest:
    """A draft request for one skill at one level (one open request per skill:
    ``Conflict``)."""
    _level(level)
    skill: Skill = skill_for_progress(skill_code)
    if AttestationRequest.objects.open().filter(learner=learner, skill=skill).exists():
        raise Conflict(_("You already have a request open for this skill."))
    request = AttestationRequest(
        learner=learner,
        skill=skill,
        level=level,
        statement=statement,
        portfolio_url=portfolio_url,
    )
    _attach(request, upload)
    try:
        request.save()
    except BaseException:
        evidence_file_delete(request.evidence_file)
        raise
    _event(request, actor=learner, action=Action.CREATED, level=level)
    return request


@transaction.atomic
def attestation_request_submit(
    *,
    learner: User,
    request_id: int,
    statement: str | None = None,
    portfolio_url: str | None = None,
    upload: File | None = None,
) -> AttestationRequest:
    """Send a draft (or a request the team asked more about) to the team.

    The rules are those in force at the first submission, kept on the request
    and used again when it comes back. Refused (``ValidationError`` listing
    exactly what is missing) before they are met. Locks the request row."""
    request = AttestationRequest.objects.select_for_update().get(
        pk=request_id, learner=learner
    )
    if request.state not in (State.DRAFT, State.MORE_INFO):
        raise Conflict(_("This request cannot be sent in its present state."))
    if statement is not None:
        request.statement = statement
    if portfolio_url is not None:
        request.portfolio_url = portfolio_url
    old_file = _attach(request, upload)
    try:
        _submit(request)
    except BaseException:
        if upload is not None:
            evidence_file_delete(request.evidence_file)
        raise
    _event(request, actor=learner, action=Action.SUBMITTED, level=request.level)
    if old_file:
        transaction.on_commit(lambda: evidence_file_delete(old_file))
    return request


def _submit(request: AttestationRequest) -> None:
    if not request.statement.strip():
        raise ValidationError(
            {"statement": _("Say in your own words what you can do now.")}
        )
    rules = request.rules or rules_current()
    if rules.pk is None:
        rules.save()  # the defaults, on a database that had no version
    progress = eligibility(
        learner_id=request.learner_id,
        skill_id=request.skill_id,
        level=request.level,
        rules=rules,
    )
    if not progress.met:
        raise ValidationError(
            [_("Your request cannot be sent yet. Still missing:"), *progress.missing],
            code="not_eligible",
        )
    now = timezone.now()
    request.rules = rules
    request.state = State.SUBMITTED
    request.submitted_at = now
    request.first_submitted_at = request.first_submitted_at or now
    request.updated_at = now
    request.evidence = evidence_gather(
        learner_id=request.learner_id, skill_id=request.skill_id, level=request.level
    )
    request.save()


def attestation_request_send(
    *,
    learner: User,
    skill_code: str,
    level: int,
    statement: str,
    portfolio_url: str = "",
    upload: File | None = None,
) -> AttestationRequest:
    """Create and submit at once (the learner's page): when refused, nothing
    is kept, the file neither."""
    stored = ""
    try:
        with transaction.atomic():
            draft = attestation_request_create(
                learner=learner,
                skill_code=skill_code,
                level=level,
                statement=statement,
                portfolio_url=portfolio_url,
                upload=upload,
            )
            stored = draft.evidence_file
            return attestation_request_submit(learner=learner, request_id=draft.pk)
    except BaseException:
        evidence_file_delete(stored)
        raise


@transaction.atomic
def attestation_request_withdraw(
    *, learner: User, request_id: int
) -> AttestationRequest:
    """The learner withdraws an open request (``Conflict`` once decided)."""
    request = AttestationRequest.objects.select_for_update().get(
        pk=request_id, learner=learner
    )
    if request.state not in AttestationRequest.OPEN_STATES:
        raise Conflict(_("This request is already closed."))
    request.state = State.WITHDRAWN
    request.updated_at = timezone.now()
    request.save(update_fields=["state", "updated_at"])
    _event(request, actor=learner, action=Action.WITHDRAWN)
    return request


DECISIONS = ("approve", "reject", "more_info")


@transaction.atomic
def attestation_request_decide(
    *,
    reviewer: User,
    request_id: int,
    decision: str,
    level: int | None = None,
    reason: str = "",
) -> AttestationRequest:
    """A reviewer approves (possibly at a lower level), rejects, or asks for
    more information. A reason is required to reject, to lower the level and
    to ask.

    Preconditions: the reviewer holds the review permission (else
    ``PermissionDenied``) and has no conflict of interest
    (``ConflictOfInterest``). Locks the request row: a request already decided
    (or no longer waiting) is a ``Conflict``. The learner is told by e-mail."""
    if not (reviewer.is_active and reviewer.is_staff) or not reviewer.has_perm(
        REVIEW_PERMISSION
    ):
        raise PermissionDenied
    if decision not in DECISIONS:
        raise ValidationError({"decision": _("Choose a decision.")})
    request = (
        AttestationRequest.objects.select_for_update()
        .select_related("learner", "skill")
        .get(pk=request_id)
    )
    if has_conflict_of_interest(reviewer_id=reviewer.pk, request_id=request.pk):
        raise ConflictOfInterest(
            _(
                "You cannot decide this request: you know this person through "
                "the platform (conflict of interest)."
            )
        )
    if request.state != State.SUBMITTED:
        raise Conflict(_("This request is not waiting for a decision any more."))
    reason = reason.strip()
    granted = request.level if level is None else _level(level, "level")
    if decision == "approve" and granted > request.level:
        raise ValidationError(
            {"level": _("The level granted cannot be above the level asked.")}
        )
    lowered = decision == "approve" and granted < request.level
    if (decision != "approve" or lowered) and not reason:
        raise ValidationError(
            {
                "reason": _(
                    "Give a reason: it is required to refuse, to grant a lower "
                    "level and to ask for more information."
                )
            }
        )
    now = timezone.now()
    request.decision_reason = reason
    request.updated_at = now
    if decision == "approve":
        request.state = State.APPROVED
        request.approved_level = granted
        request.decided_at, request.decided_by = now, reviewer
        action = Action.APPROVED
    elif decision == "reject":
        request.state = State.REJECTED
        request.decided_at, request.decided_by = now, reviewer
        action = Action.REJECTED
    else:
        request.state = State.MORE_INFO
        action = Action.MORE_INFO
    request.save()
    if decision == "approve":  # issue 19: the attestation, in this transaction
        from .attestations import attestation_issue

        attestation_issue(request=request)
    _event(
        request,
        actor=reviewer,
        action=action,
        reason=reason,
        level=granted if decision == "approve" else None,
    )
    notify(
        recipient=request.learner,
        kind=DECISION_KIND,
        template=f"certification.{action}",
        context={
            "request": request,
            "skill_name": _skill_name(request.skill, request.learner),
            "reason": reason,
        },
        link=reverse("certification:my-requests"),
    )
    return request


def _skill_name(skill: Skill, learner: User) -> str:
    english = (getattr(learner, "language", "") or settings.LANGUAGE_CODE).startswith(
        "en"
    )
    return f"{skill.code} {skill.name_en if english else skill.name_fr}"


# --- retention --------------------------------------------------------------------


def evidence_files_delete_expired(*, now: datetime | None = None) -> int:
    """Delete the files of requests decided or withdrawn more than
    ``ATTESTATION_FILE_RETENTION_DAYS`` ago (beat, daily); each deletion is in
    the audit trail. Idempotent: a file is claimed by a conditional update."""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.ATTESTATION_FILE_RETENTION_DAYS)
    due = AttestationRequest.objects.filter(
        evidence_deleted_at__isnull=True, updated_at__lt=limit
    ).exclude(evidence_file="")
    due = due.filter(state__in=[*AttestationRequest.DECIDED_STATES, State.WITHDRAWN])
    count = 0
    for pk, name in due.values_list("pk", "evidence_file"):
        with transaction.atomic():
            claimed = AttestationRequest.objects.filter(
                pk=pk, evidence_deleted_at__isnull=True
            ).update(evidence_deleted_at=now, evidence_file="")
            if not claimed:
                continue
            RequestEvent.objects.create(
                request_id=pk, actor=None, action=Action.FILE_DELETED
            )
        evidence_file_delete(name)
        count += 1
    return count


def requests_erase_files(*, learner_id: int) -> list[str]:
    """The private file names of a person's requests (for erasure)."""
    return list(
        AttestationRequest.objects.filter(learner_id=learner_id)
        .exclude(evidence_file="")
        .values_list("evidence_file", flat=True)
    )
