"""Periodic jobs of issue 19: mentor badges at 10, 50 and 100 hours given,
and inactive accounts (warned, then deleted after
``INACTIVE_ACCOUNT_MONTHS``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from core.notifications import notify
from sessions.models import Booking

from .attestations import ATTESTATION_KIND, mentor_badge_issue, verify_url
from .models import MENTOR_BADGE_HOURS, Attestation, InactivityNotice

WARNING_DAYS = 30


def mentor_minutes_given() -> dict[int, int]:
    """Minutes of sessions that took place (confirmed), per mentor."""
    rows = (
        Booking.objects.filter(attendance__status="attended", mentor__isnull=False)
        .values("mentor_id")
        .annotate(
            total=Sum(
                ExpressionWrapper(F("end") - F("start"), output_field=DurationField())
            )
        )
    )
    return {
        row["mentor_id"]: int(row["total"].total_seconds() // 60)
        for row in rows
        if row["total"]
    }


def mentor_badges_award() -> int:
    """Issue the badges mentors have reached and not received yet; each is
    announced by e-mail. Returns how many were issued."""
    given = mentor_minutes_given()
    have = set(
        Attestation.objects.filter(kind=Attestation.Kind.MENTOR).values_list(
            "holder_id", "mentor_hours"
        )
    )
    issued = 0
    for mentor in User.objects.filter(pk__in=given, is_active=True):
        for hours in MENTOR_BADGE_HOURS:
            if given[mentor.pk] < hours * 60 or (mentor.pk, hours) in have:
                continue
            with transaction.atomic():
                badge = mentor_badge_issue(mentor=mentor, hours=hours)
                notify(
                    recipient=mentor,
                    kind=ATTESTATION_KIND,
                    template="certification.mentor_badge",
                    context={"badge": badge, "verify_url": verify_url(badge.code)},
                    link=reverse("certification-attestations:mine"),
                )
            issued += 1
    return issued


def _inactive_since(now: datetime) -> datetime:
    months = settings.INACTIVE_ACCOUNT_MONTHS
    return now - timedelta(days=round(months * 365.25 / 12))


def inactive_accounts_process(*, now: datetime | None = None) -> tuple[int, int]:
    """Warn the people about to reach the limit (a month before), delete
    those past it who were warned at least a month ago and did not come back.
    Staff accounts are never deleted by this job. Returns (warned, deleted)."""
    from accounts.services import user_erase

    now = now or timezone.now()
    limit = _inactive_since(now)
    # Last seen: the last sign-in, or the sign-up for someone who never
    # signed in again.
    people = (
        User.objects.filter(is_active=True, is_staff=False)
        .exclude(email__startswith="deleted-")
        .annotate(seen=Coalesce("last_login", "date_joined"))
    )
    # Came back since the warning: forget it.
    InactivityNotice.objects.filter(user__last_login__gt=F("warned_at")).delete()
    warned = 0
    soon = limit + timedelta(days=WARNING_DAYS)
    for user in people.filter(seen__lt=soon).exclude(
        pk__in=InactivityNotice.objects.values("user_id")
    ):
        with transaction.atomic():
            InactivityNotice.objects.create(user=user, warned_at=now)
            notify(
                recipient=user,
                kind=ATTESTATION_KIND,
                template="certification.inactive_warning",
                context={"months": settings.INACTIVE_ACCOUNT_MONTHS},
                link=reverse("home"),
            )
        warned += 1
    deleted = 0
    for notice in InactivityNotice.objects.select_related("user").filter(
        Q(user__last_login__lt=limit)
        | Q(user__last_login__isnull=True, user__date_joined__lt=limit),
        warned_at__lte=now - timedelta(days=WARNING_DAYS),
        user__is_staff=False,
        user__is_active=True,
    ):
        user_erase(user=notice.user)
        deleted += 1
    return warned, deleted
