"""A check-in on long mentorships: after every ``MENTORSHIP_CHECKIN_MONTHS``
months (3 by default) both people are asked "On continue ?" once; each
answers continue (recorded) or ends the mentorship with a reason (through
``mentorship_end``, which tells the other person). Nothing ends by itself.

The beat scan asks each mentorship at most once per period: its row is
locked while asking, and the unique (mentorship, period) refuses a second
check-in made by an overlapping scan.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import Conflict
from core.notifications import notify

from .models import Mentorship, MentorshipCheckIn
from .services import mentorship_end


def months_between(start: datetime, now: datetime) -> int:
    """Whole calendar months from ``start`` to ``now`` (a month from 31
    January is reached on 1 March)."""
    months = (now.year - start.year) * 12 + now.month - start.month
    if (now.day, now.time()) < (start.day, start.time()):
        months -= 1
    return max(months, 0)


def checkin_period(mentorship: Mentorship, now: datetime) -> int:
    """How many check-in periods the mentorship has run (0: none yet)."""
    every = settings.MENTORSHIP_CHECKIN_MONTHS
    return months_between(mentorship.started_at, now) // every


def checkins_ask(*, now: datetime | None = None) -> int:
    """The beat scan: ask both people of each active mentorship that has
    reached a new period and was not asked for it yet. Each mentorship in
    its own transaction (its row locked; one busy elsewhere is skipped and
    asked at the next scan). How many were asked."""
    now = now or timezone.now()
    every = settings.MENTORSHIP_CHECKIN_MONTHS
    # A month is at least 28 days: a cheap filter before the exact count.
    candidates = Mentorship.objects.filter(
        status=Mentorship.Status.ACTIVE,
        started_at__lte=now - timedelta(days=28 * every),
    ).values_list("pk", flat=True)
    asked = 0
    for mentorship_id in list(candidates):
        asked += _ask(mentorship_id, now)
    return asked


@transaction.atomic
def _ask(mentorship_id: int, now: datetime) -> int:
    mentorship = (
        Mentorship.objects.select_for_update(skip_locked=True)
        .select_related("learner", "mentor")
        .filter(pk=mentorship_id, status=Mentorship.Status.ACTIVE)
        .first()
    )
    if mentorship is None:
        return 0
    period = checkin_period(mentorship, now)
    if period < 1:
        return 0
    _checkin, made = MentorshipCheckIn.objects.get_or_create(
        mentorship=mentorship, period=period, defaults={"asked_at": now}
    )
    if not made:
        return 0
    every = settings.MENTORSHIP_CHECKIN_MONTHS
    link = reverse("matching:checkin", args=[mentorship.pk])
    for person, other in (
        (mentorship.learner, mentorship.mentor),
        (mentorship.mentor, mentorship.learner),
    ):
        notify(
            recipient=person,
            kind="matching.checkin",
            context={"other": other, "months": period * every},
            link=link,
        )
    return 1


def checkin_open(*, mentorship: Mentorship) -> MentorshipCheckIn | None:
    """The mentorship's latest check-in, while it is active."""
    if mentorship.status != Mentorship.Status.ACTIVE:
        return None
    return mentorship.checkins.order_by("-period").first()


@transaction.atomic
def checkin_answer(
    *,
    user: User,
    mentorship_id: int,
    answer: str,
    outcome: str = "",
    reason: str = "",
) -> MentorshipCheckIn:
    """One of the two answers the latest check-in: continue (recorded), or
    end (recorded, and the mentorship ends through ``mentorship_end`` with
    ``outcome`` and ``reason``). Raises ``Mentorship.DoesNotExist`` (not
    theirs), ``Conflict`` (not asked, or ended already)."""
    mentorship = (
        Mentorship.objects.for_participant(user.pk).filter(pk=mentorship_id).first()
    )
    if mentorship is None:
        raise Mentorship.DoesNotExist(mentorship_id)
    checkin = (
        MentorshipCheckIn.objects.select_for_update()
        .filter(mentorship=mentorship)
        .order_by("-period")
        .first()
    )
    if checkin is None:
        raise Conflict(_("Nobody has asked you this yet."))
    if answer not in MentorshipCheckIn.Answer.values:
        raise Conflict(_("Choose to continue or to end."))
    if mentorship.status != Mentorship.Status.ACTIVE:
        raise Conflict(_("This mentorship has already ended."))
    now = timezone.now()
    side = "learner" if mentorship.learner_id == user.pk else "mentor"
    setattr(checkin, f"{side}_answer", answer)
    setattr(checkin, f"{side}_answered_at", now)
    checkin.save(update_fields=[f"{side}_answer", f"{side}_answered_at"])
    if answer == MentorshipCheckIn.Answer.END:
        mentorship_end(
            user=user, mentorship_id=mentorship.pk, outcome=outcome, reason=reason
        )
    return checkin
