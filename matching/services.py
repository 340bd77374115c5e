"""Writes on mentoring requests, mentorships and their messages.

Locks are always taken in one order: the learner's user row (pending cap), then
the mentor's profile row (capacity, and the count of active mentorships pushed
down to it), then the request or mentorship row.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, Func, Q, Subquery
from django.db.models.functions import Coalesce, JSONObject
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict, conflict_from_integrity_error
from core.notifications import notify
from core.outbox import outbox_enqueue
from mentors.data_version import bump_mentor_data_version
from mentors.models import (
    Block,
    LearnerProfile,
    LearnerSkill,
    MentorProfile,
    Report,
)
from mentors.selectors import mentor_profile_public_list
from mentors.services import mentor_profile_set_active_mentorships

from .hooks import mentor_paused, mentorship_ended
from .models import MatchSuggestion, Mentorship, MentorshipRequest, Message


def _conflict_or_bug(exc: IntegrityError) -> Exception:
    """A race on one of the pair constraints is a ``Conflict``, with the message
    registered for it (matching/apps.py); any other integrity error is a bug."""
    return conflict_from_integrity_error(exc) or exc


def _request_link(request: MentorshipRequest, for_mentor: bool) -> str:
    return reverse(
        "matching:requests-received" if for_mentor else "matching:requests-sent"
    )


# --- requests ----------------------------------------------------------------


def _count(queryset: Any) -> Coalesce:
    """How many rows ``queryset`` holds, as a subquery (0 when none)."""
    return Coalesce(
        Subquery(
            queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
        ),
        0,
    )


def _request_facts(*, learner_id: int, mentor_id: int) -> Mapping[str, Any]:
    """What a new request between these two people depends on, in one
    statement: read under the learner's and the profile's locks, so after
    them (a statement that waited for a lock would still read what was there
    before it waited)."""
    pending = MentorshipRequest.objects.filter(
        learner_id=learner_id, status=MentorshipRequest.Status.PENDING
    )
    return (
        User.objects.filter(pk=learner_id)
        .annotate(
            blocked=Exists(Block.objects.between(learner_id, mentor_id)),
            mentor_active=_count(
                Mentorship.objects.active().filter(mentor_id=mentor_id)
            ),
            working_together=Exists(
                Mentorship.objects.active().filter(
                    learner_id=learner_id, mentor_id=mentor_id
                )
            ),
            pending_here=Exists(pending.filter(mentor_id=mentor_id)),
            pending=_count(pending),
            wanted=ArraySubquery(
                LearnerSkill.objects.filter(profile__user_id=learner_id).values(
                    pair=JSONObject(id="skill_id", code="skill__code")
                )
            ),
        )
        .values(
            "blocked",
            "mentor_active",
            "working_together",
            "pending_here",
            "pending",
            "wanted",
        )
        .get()
    )


@transaction.atomic
def mentorship_request_create(
    *,
    learner: User,
    mentor_profile_id: int,
    skill_codes: list[str],
    message: str,
    preferred_mode: str,
) -> MentorshipRequest:
    """A learner asks a mentor. The mentor's profile must be public to the learner
    (a block hides it: 404). Locks the learner's row for the pending cap.

    Raises ``Conflict`` (paused or full mentor, open request or active mentorship with
    this mentor, too many pending requests) or ``ValidationError`` (bad input).
    """
    User.objects.select_for_update().filter(pk=learner.pk).first()
    # The mentor's profile row too: a block being written locks it before it
    # closes the requests, so this check and that closing never miss each other.
    profile = (
        mentor_profile_public_list()
        .select_related("user")
        .select_for_update(of=("self",))
        .filter(pk=mentor_profile_id)
        .first()
    )
    if profile is None:
        raise MentorProfile.DoesNotExist(mentor_profile_id)
    facts = _request_facts(learner_id=learner.pk, mentor_id=profile.user_id)
    if facts["blocked"]:
        raise MentorProfile.DoesNotExist(mentor_profile_id)
    if profile.user_id == learner.pk:
        raise ValidationError(_("You cannot ask yourself for mentoring."))
    if profile.is_paused:
        raise Conflict(_("This mentor is not taking new mentees for now."))
    # Counted here, under the profile's lock, not read from its summary.
    if facts["mentor_active"] >= profile.capacity:
        raise Conflict(
            _(
                "This mentor already follows as many people as they can. "
                "Come back later or look for another mentor."
            )
        )
    if preferred_mode not in profile.modes:
        raise ValidationError(
            {"preferred_mode": _("This mentor does not meet this way.")}
        )
    text = message.strip()
    if not text:
        raise ValidationError({"message": _("Write a few words to the mentor.")})
    if len(text) > 2000:
        raise ValidationError({"message": _("2,000 characters at most.")})
    wanted = {skill["code"]: skill["id"] for skill in facts["wanted"]}
    if not skill_codes:
        raise ValidationError({"skills": _("Choose at least one skill.")})
    unknown = sorted(set(skill_codes) - wanted.keys())
    if unknown:
        raise ValidationError(
            {
                "skills": _(
                    "Choose among the skills of your learner profile: %(codes)s"
                )
                % {"codes": ", ".join(unknown)}
            }
        )
    if facts["working_together"]:
        raise Conflict(_("You are already working with this mentor."))
    if facts["pending_here"]:
        raise Conflict(_("You already have a request waiting for this mentor."))
    if facts["pending"] >= settings.MENTORSHIP_MAX_PENDING_REQUESTS:
        raise Conflict(
            _(
                "You already have %(n)d requests waiting for an answer. "
                "Wait for an answer or withdraw one first."
            )
            % {"n": settings.MENTORSHIP_MAX_PENDING_REQUESTS}
        )
    now = timezone.now()
    try:
        # No savepoint of its own: on a race the Conflict raised here leaves
        # this function's atomic block, which rolls back (to its savepoint
        # when a caller's transaction holds it).
        with transaction.atomic(savepoint=False):
            request = MentorshipRequest.objects.create(
                learner=learner,
                mentor_id=profile.user_id,
                message=text,
                preferred_mode=preferred_mode,
                created_at=now,
                expires_at=now
                + timedelta(days=settings.MENTORSHIP_REQUEST_EXPIRY_DAYS),
            )
    except IntegrityError as exc:  # a concurrent request for the same pair
        raise _conflict_or_bug(exc) from exc
    # The new request's pairs in one insert (no m2m_changed signal: nothing
    # listens to it for requests).
    MentorshipRequest.skills.through.objects.bulk_create(
        MentorshipRequest.skills.through(
            mentorshiprequest_id=request.pk, skill_id=wanted[code]
        )
        for code in sorted(set(skill_codes))
    )
    notify(
        recipient=profile.user,
        kind="mentors.request_new",
        template="mentors.request",
        context={"request": request, "learner": learner},
        link=_request_link(request, for_mentor=True),
    )
    return request


def _pending_request_for_update(*, request_id: int, **owner: Any) -> MentorshipRequest:
    request = (
        MentorshipRequest.objects.select_for_update()
        .select_related("learner", "mentor")
        .filter(pk=request_id, **owner)
        .first()
    )
    if request is None:
        raise MentorshipRequest.DoesNotExist(request_id)
    if request.status != MentorshipRequest.Status.PENDING:
        raise Conflict(
            _("This request is already %(status)s.")
            % {"status": request.get_status_display().lower()}
        )
    if request.expires_at <= timezone.now():
        raise Conflict(_("This request has expired."))
    return request


@transaction.atomic
def mentorship_request_accept(*, mentor: User, request_id: int) -> Mentorship:
    """The mentor accepts: a mentorship starts, unless it would exceed their
    capacity (``Conflict``: "capacity reached"). Locks the mentor's profile row,
    so concurrent accepts are counted one after the other."""
    profile = MentorProfile.objects.select_for_update().filter(user=mentor).first()
    if profile is None:
        raise MentorProfile.DoesNotExist(mentor.pk)
    request = _pending_request_for_update(request_id=request_id, mentor=mentor)
    if Block.objects.between(mentor.pk, request.learner_id).exists():
        raise Conflict(_("This request can no longer be accepted."))
    active = Mentorship.objects.filter(mentor=mentor, status=Mentorship.Status.ACTIVE)
    if active.count() >= profile.capacity:
        raise Conflict(
            _(
                "Capacity reached: you already follow %(n)d people. "
                "End a mentorship or raise your capacity first."
            )
            % {"n": profile.capacity}
        )
    now = timezone.now()
    request.status = MentorshipRequest.Status.ACCEPTED
    request.answered_at = now
    request.save(update_fields=["status", "answered_at"])
    try:
        with transaction.atomic():
            mentorship = Mentorship.objects.create(
                learner=request.learner, mentor=mentor, request=request, started_at=now
            )
    except IntegrityError as exc:  # a concurrent accept for the same pair
        raise _conflict_or_bug(exc) from exc
    mentorship.skills.set(request.skills.all())
    mentor_responsiveness_refresh(mentor_id=mentor.pk)
    _active_mentorships_push(mentor_id=mentor.pk)  # moves the version too
    notify(
        recipient=request.learner,
        kind="mentors.request_accepted",
        template="mentors.request",
        context={"request": request, "mentor": mentor},
        link=reverse("matching:thread", args=[mentorship.pk]),
    )
    return mentorship


@transaction.atomic
def mentorship_request_decline(
    *, mentor: User, request_id: int, message: str = ""
) -> MentorshipRequest:
    """The mentor declines (optionally with a message for the learner). Locks
    the mentor's profile row, then the request, as accepting does."""
    MentorProfile.objects.select_for_update().filter(user=mentor).first()
    request = _pending_request_for_update(request_id=request_id, mentor=mentor)
    return _decline(request, message)


def _decline(request: MentorshipRequest, message: str) -> MentorshipRequest:
    request.status = MentorshipRequest.Status.DECLINED
    request.answer_message = message.strip()[:2000]
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answer_message", "answered_at"])
    mentor_responsiveness_refresh(mentor_id=request.mentor_id)
    notify(
        recipient=request.learner,
        kind="mentors.request_declined",
        template="mentors.request",
        context={"request": request, "mentor": request.mentor},
        link=_request_link(request, for_mentor=False),
    )
    return request


@transaction.atomic
def mentorship_request_withdraw(*, learner: User, request_id: int) -> MentorshipRequest:
    """The learner withdraws a request still waiting for an answer."""
    request = _pending_request_for_update(request_id=request_id, learner=learner)
    return _withdraw(request)


def _withdraw(request: MentorshipRequest) -> MentorshipRequest:
    request.status = MentorshipRequest.Status.WITHDRAWN
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answered_at"])
    return request


@transaction.atomic
def mentor_pause(*, mentor: User, paused: bool) -> MentorProfile:
    """ "Not taking mentees for now": new requests are refused; pending ones are
    declined politely, each learner told; the mentor takes no booking, and
    the ones already made with them are cancelled (``matching.mentor_paused``)."""
    profile = MentorProfile.objects.select_for_update().filter(user=mentor).first()
    if profile is None:
        raise MentorProfile.DoesNotExist(mentor.pk)
    profile.is_paused = paused
    profile.save(update_fields=["is_paused"])
    bump_mentor_data_version()
    if paused:
        mentor_paused.send(user_id=mentor.pk)
        polite = _(
            "The mentor is not taking new mentees for now. Thank you for asking!"
        )
        for request in (
            MentorshipRequest.objects.select_for_update()
            .filter(mentor=mentor, status=MentorshipRequest.Status.PENDING)
            .select_related("learner", "mentor")
        ):
            _decline(request, str(polite))
    return profile


def mentorship_requests_expire_and_remind(
    *, now: datetime | None = None
) -> dict[str, int]:
    """The beat job: expire requests past their date and remind mentors on day 3
    and day 10. Each row is claimed by a conditional UPDATE, so two runs at the
    same moment never expire, remind or notify twice."""
    now = now or timezone.now()
    done = {"expired": 0, "reminded": 0}
    with transaction.atomic():
        expired = list(
            MentorshipRequest.objects.filter(
                status=MentorshipRequest.Status.PENDING, expires_at__lte=now
            )
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)
        )
        # The rows are locked by this transaction: a concurrent run skips them.
        MentorshipRequest.objects.filter(pk__in=expired).update(
            status=MentorshipRequest.Status.EXPIRED, answered_at=now
        )
        for request in MentorshipRequest.objects.filter(pk__in=expired).select_related(
            "learner", "mentor"
        ):
            notify(
                recipient=request.learner,
                kind="mentors.request_expired",
                template="mentors.request",
                context={"request": request, "mentor": request.mentor},
                link=_request_link(request, for_mentor=False),
            )
            mentor_responsiveness_refresh(mentor_id=request.mentor_id)
        done["expired"] = len(expired)
    for day, field in zip(
        settings.MENTORSHIP_REQUEST_REMINDER_DAYS,
        ("reminded_day3_at", "reminded_day10_at"),
        strict=True,
    ):
        with transaction.atomic():
            due = list(
                MentorshipRequest.objects.filter(
                    status=MentorshipRequest.Status.PENDING,
                    created_at__lte=now - timedelta(days=day),
                    **{f"{field}__isnull": True},
                )
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)
            )
            MentorshipRequest.objects.filter(pk__in=due).update(**{field: now})
            for request in MentorshipRequest.objects.filter(pk__in=due).select_related(
                "learner", "mentor"
            ):
                notify(
                    recipient=request.mentor,
                    kind="mentors.request_reminder",
                    template="mentors.request",
                    context={
                        "request": request,
                        "learner": request.learner,
                        "day": day,
                    },
                    link=_request_link(request, for_mentor=True),
                )
            done["reminded"] += len(due)
    return done


_RESPONSIVENESS_SQL = """
UPDATE mentors_mentorprofile SET
    acceptance_rate_90d = stats.rate,
    median_answer_hours_90d = stats.median_hours
FROM (
    SELECT
        (count(*) FILTER (WHERE status = 'accepted'))::numeric
            / NULLIF(
                count(*) FILTER (WHERE status IN ('accepted', 'declined', 'expired')), 0
            ) AS rate,
        percentile_cont(0.5) WITHIN GROUP (
            ORDER BY extract(epoch FROM answered_at - created_at) / 3600
        ) FILTER (WHERE status IN ('accepted', 'declined')) AS median_hours
    FROM mentors_mentorshiprequest
    WHERE mentor_id = %(mentor)s AND created_at >= now() - interval '90 days'
) AS stats
WHERE user_id = %(mentor)s
"""


def mentor_responsiveness_refresh(*, mentor_id: int) -> None:
    """Acceptance rate and median time to answer over 90 days, on the profile
    (shown to learners, used by matching). One SQL statement."""
    with connection.cursor() as cursor:
        cursor.execute(_RESPONSIVENESS_SQL, {"mentor": mentor_id})


# --- mentorships and messages ------------------------------------------------


def _mentorship_for(
    user: User, mentorship_id: int, *, lock: bool = False
) -> Mentorship:
    qs = Mentorship.objects.select_related("learner", "mentor")
    if lock:
        qs = qs.select_for_update()
    mentorship = qs.filter(pk=mentorship_id).first()
    if mentorship is None or user.pk not in (
        mentorship.learner_id,
        mentorship.mentor_id,
    ):
        raise Mentorship.DoesNotExist(mentorship_id)
    return mentorship


def _active_mentorships_push(*, mentor_id: int) -> None:
    """Give the mentor's profile its count of active mentorships (places left),
    counted afresh. Precondition: the mentor's profile row is locked."""
    count = Mentorship.objects.filter(
        mentor_id=mentor_id, status=Mentorship.Status.ACTIVE
    ).count()
    mentor_profile_set_active_mentorships(mentor_id=mentor_id, count=count)


@transaction.atomic
def mentorship_end(
    *, user: User, mentorship_id: int, outcome: str, reason: str = ""
) -> Mentorship:
    """Either side ends an active mentorship (completed or stopped, with a reason);
    the other person is told. Locks the mentor's profile row, then the
    mentorship (the order accepting takes), so the count of active mentorships
    pushed to the profile never misses a concurrent accept."""
    mentor_id = (
        Mentorship.objects.filter(pk=mentorship_id)
        .values_list("mentor_id", flat=True)
        .first()
    )
    if mentor_id is not None:
        list(
            MentorProfile.objects.select_for_update()
            .filter(user_id=mentor_id)
            .values_list("pk", flat=True)
        )
    mentorship = _mentorship_for(user, mentorship_id, lock=True)
    if mentorship.status != Mentorship.Status.ACTIVE:
        raise Conflict(_("This mentorship has already ended."))
    if outcome not in Mentorship.Outcome.values:
        raise ValidationError({"outcome": _("Choose completed or stopped.")})
    _end(mentorship, by=user, outcome=outcome, reason=reason)
    return mentorship


def _end(mentorship: Mentorship, *, by: User, outcome: str, reason: str) -> None:
    """End a locked, active mentorship and tell the other person."""
    mentorship.status = Mentorship.Status.ENDED
    mentorship.outcome = outcome
    mentorship.end_reason = reason.strip()[:2000]
    mentorship.ended_by = by
    mentorship.ended_at = timezone.now()
    mentorship.save()
    _active_mentorships_push(mentor_id=mentorship.mentor_id)
    mentorship_ended.send(mentorship=mentorship)
    other = mentorship.learner if by.pk == mentorship.mentor_id else mentorship.mentor
    notify(
        recipient=other,
        kind="mentors.mentorship_ended",
        template="mentors.mentorship",
        context={"mentorship": mentorship, "by": by},
        link=reverse("matching:thread", args=[mentorship.pk]),
    )


def mentorship_relations_close_for_block(
    *, blocker: User, blocked: User
) -> list[Mentorship]:
    """What exists between two people when one blocks the other ends.

    Pending requests either way are closed: withdrawn when the blocker asked,
    declined (the learner gets the usual neutral answer) when the blocker was
    asked. An active mentorship either way ends as stopped, without a reason;
    the other person gets the usual notice, which never mentions the block.
    Precondition: inside the transaction that created the block. Locks both
    mentor profiles (in id order), then the requests, then the mentorships, as
    accepting does. Returns the mentorships ended.
    """
    pair = Q(learner=blocker, mentor=blocked) | Q(learner=blocked, mentor=blocker)
    list(
        MentorProfile.objects.select_for_update()
        .filter(user_id__in=[blocker.pk, blocked.pk])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for request in (
        MentorshipRequest.objects.select_for_update()
        .filter(pair, status=MentorshipRequest.Status.PENDING)
        .select_related("learner", "mentor")
        .order_by("pk")
    ):
        if request.learner_id == blocker.pk:
            _withdraw(request)
        else:
            _decline(request, "")
    ended = []
    for mentorship in (
        Mentorship.objects.select_for_update()
        .filter(pair, status=Mentorship.Status.ACTIVE)
        .select_related("learner", "mentor")
        .order_by("pk")
    ):
        _end(mentorship, by=blocker, outcome=Mentorship.Outcome.STOPPED, reason="")
        ended.append(mentorship)
    return ended


@transaction.atomic
def relations_end_for_block(*, blocker: User, blocked: User) -> list[Mentorship]:
    """Connected to ``mentors.block_created``: end what exists between the two.

    Closes requests and ends the mentorship
    (``mentorship_relations_close_for_block``); when a mentorship ended, staff
    get an automatic report in their queue (a safeguarding signal). Stored
    suggestions between the two are deleted at once, and each one's
    suggestions are refreshed by a task (outbox).
    """
    ended = mentorship_relations_close_for_block(blocker=blocker, blocked=blocked)
    if ended:
        Report.objects.create(
            reporter=blocker,
            reported_user=blocked,
            reason=Report.Reason.BLOCK_ENDED_MENTORSHIP,
            text=", ".join(f"#{mentorship.pk}" for mentorship in ended),
        )
    pair = [blocker.pk, blocked.pk]
    MatchSuggestion.objects.filter(
        learner_id__in=pair, mentor_profile__user_id__in=pair
    ).delete()
    for learner_id in LearnerProfile.objects.filter(user_id__in=pair).values_list(
        "user_id", flat=True
    ):
        suggestions_refresh_enqueue(learner_id=learner_id)
    return ended


def suggestions_refresh_enqueue(*, learner_id: int) -> None:
    """Refresh the learner's suggestions soon (connected to
    ``mentors.learner_profile_saved``). Debounced: several changes in 30 s
    make one refresh."""
    outbox_enqueue(
        task="mentors.tasks.refresh_suggestions_for_learner_task",
        payload={"learner_id": learner_id},
        dedupe_key=f"suggestions:{learner_id}",
        available_at=timezone.now() + timedelta(seconds=30),
    )


def _clean_text(text: str) -> str:
    """Plain text: no control characters but line breaks and tabs."""
    return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()


@transaction.atomic
def message_send(*, author: User, mentorship_id: int, body: str) -> Message:
    """Post a message in an active mentorship's thread. The other person gets
    one notice and one e-mail per burst (delayed, merged by a dedupe key)."""
    mentorship = _mentorship_for(author, mentorship_id, lock=True)
    if (
        mentorship.status != Mentorship.Status.ACTIVE
        or Block.objects.between(mentorship.learner_id, mentorship.mentor_id).exists()
    ):
        raise Conflict(_("This mentorship has ended: the thread is closed."))
    text = _clean_text(body)
    if not text:
        raise ValidationError({"body": _("Write a message first.")})
    if len(text) > 5000:
        raise ValidationError({"body": _("5,000 characters at most.")})
    message = Message.objects.create(mentorship=mentorship, author=author, body=text)
    message_mark_read(user=author, mentorship=mentorship)
    other = (
        mentorship.learner if author.pk == mentorship.mentor_id else mentorship.mentor
    )
    notify(
        recipient=other,
        kind="mentors.message_new",
        template="mentors.mentorship",
        context={"mentorship": mentorship, "by": author},
        link=reverse("matching:thread", args=[mentorship.pk]),
        dedupe_key=f"messages:{mentorship.pk}:{other.pk}",
        email_delay=settings.MESSAGE_EMAIL_DELAY,
    )
    return message


def message_mark_read(*, user: User, mentorship: Mentorship) -> None:
    """The person has seen the thread up to now."""
    field = "learner_read_at" if user.pk == mentorship.learner_id else "mentor_read_at"
    Mentorship.objects.filter(pk=mentorship.pk).update(**{field: timezone.now()})
