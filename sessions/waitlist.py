"""The waitlist (notify only): a learner asks to be told when an earlier time
of a mentor frees up; they book it themselves, first come first served
(``booking_create`` locks the slot, so two people told of the same time never
both get it).

"Earlier" is earlier than ``before``, fixed when they ask: the earliest of
their next session with that mentor and the mentor's first free time then
(earlier than anything they hold or could book now), else the end of the
mentor's booking window (any time at all). An entry expires at the end of
the booking window as it was when they asked: the line ignores expired
entries and a daily job deletes them.

When slots free up (a seat given back by a cancellation, a slot added by hand
or laid out from the weekly availability), ``waitlist_slots_freed`` e-mails
the first ``NOTIFIED_PER_SLOT`` people in line (oldest entries first) whose
``before`` is later than the freed time and who could book it; they leave the
line (``notified_at``) and may ask again.

Lock order: called in the transaction that frees the slots, after their locks
(slots, then entries). Entries are locked with SKIP LOCKED: two transactions
freeing times of one mentor at once tell different people.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import Conflict
from core.notifications import notify
from matching.models import Mentorship
from mentors.models import Block, MentorProfile

from .display import span_label
from .models import Availability, Booking, Slot, WaitlistEntry

NOTIFIED_PER_SLOT = 3
FREED_KIND = "sessions.waitlist_slot_free"
DEFAULT_WINDOW_WEEKS = 8


def waitlist_list_for(
    *, learner_id: int, now: datetime | None = None
) -> QuerySet[WaitlistEntry]:
    """The learner's active entries (not told yet, not expired), oldest first,
    with the mentor and their profile."""
    now = now or timezone.now()
    return (
        WaitlistEntry.objects.filter(
            learner_id=learner_id, notified_at__isnull=True, expires_at__gt=now
        )
        .select_related("mentor__mentor_profile")
        .order_by("created_at", "pk")
    )


def _visible_profile(*, learner_id: int, mentor_profile_id: int) -> MentorProfile:
    """A public mentor who is not the learner and with no block between them;
    otherwise ``MentorProfile.DoesNotExist`` (as if there were none)."""
    profile = (
        MentorProfile.objects.public()
        .filter(pk=mentor_profile_id)
        .exclude(user_id=learner_id)
        .exclude(Exists(Block.objects.between(learner_id, OuterRef("user_id"))))
        .select_related("availability")
        .first()
    )
    if profile is None:
        raise MentorProfile.DoesNotExist(mentor_profile_id)
    return profile


@transaction.atomic
def waitlist_join(
    *, learner: Any, mentor_profile_id: int, now: datetime | None = None
) -> WaitlistEntry:
    """The learner asks to be told when an earlier time of this mentor frees
    up. Raises ``MentorProfile.DoesNotExist`` (a mentor not public, blocked
    either way, or oneself) and ``Conflict`` (already waiting for this
    mentor). The learner's expired entry with this mentor goes first."""
    now = now or timezone.now()
    profile = _visible_profile(
        learner_id=learner.pk, mentor_profile_id=mentor_profile_id
    )
    availability = Availability.objects.filter(mentor_profile=profile).first()
    weeks = availability.window_weeks if availability else DEFAULT_WINDOW_WEEKS
    expires_at = now + timedelta(weeks=weeks)
    next_session = (
        Booking.objects.filter(
            learner_id=learner.pk,
            mentor_id=profile.user_id,
            status=Booking.Status.CONFIRMED,
            start__gt=now,
        )
        .order_by("start")
        .values_list("start", flat=True)
        .first()
    )
    first_free = (
        Slot.objects.filter(
            mentor_id=profile.user_id, status=Slot.Status.FREE, start__gt=now
        )
        .order_by("start")
        .values_list("start", flat=True)
        .first()
    )
    before = min(moment for moment in (next_session, first_free, expires_at) if moment)
    WaitlistEntry.objects.filter(
        learner_id=learner.pk,
        mentor_id=profile.user_id,
        notified_at__isnull=True,
        expires_at__lte=now,
    ).delete()
    try:
        with transaction.atomic():
            return WaitlistEntry.objects.create(
                learner_id=learner.pk,
                mentor_id=profile.user_id,
                before=before,
                created_at=now,
                expires_at=expires_at,
            )
    except IntegrityError as exc:
        name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", "")
        if name != "sessions_waitlist_one_active":
            raise
        raise Conflict(
            _("You are already on the waiting list of this mentor.")
        ) from exc


@transaction.atomic
def waitlist_withdraw(*, learner: Any, entry_id: int) -> None:
    """The learner leaves a waiting list. Another person's entry is
    ``WaitlistEntry.DoesNotExist``."""
    deleted, _rows = WaitlistEntry.objects.filter(
        pk=entry_id, learner_id=getattr(learner, "pk", None)
    ).delete()
    if not deleted:
        raise WaitlistEntry.DoesNotExist(entry_id)


def _in_line(
    slot: Slot, profile: MentorProfile, now: datetime
) -> QuerySet[WaitlistEntry]:
    """Entries that may be told of ``slot``, first in line first: active,
    wanting a time earlier than it, of a learner still active, with no block
    between the two, who does not hold a session with the mentor as early,
    and who could book it (a workshop: anyone; a one-person time: in an
    active mentorship, or the mentor offers a discovery session they have
    not had)."""
    learner = OuterRef("learner_id")
    entries = WaitlistEntry.objects.filter(
        mentor_id=slot.mentor_id,
        notified_at__isnull=True,
        expires_at__gt=now,
        before__gt=slot.start,
        learner__is_active=True,
    ).exclude(
        Exists(Block.objects.between(learner, slot.mentor_id))
        | Exists(
            Booking.objects.filter(
                learner_id=learner,
                mentor_id=slot.mentor_id,
                status=Booking.Status.CONFIRMED,
                start__lte=slot.start,
            )
        )
    )
    if slot.capacity == 1:
        mentorship = Exists(
            Mentorship.objects.active().filter(
                learner_id=learner, mentor_id=slot.mentor_id
            )
        )
        availability = getattr(profile, "availability", None)
        if availability is not None and availability.discovery_enabled:
            had_discovery = Exists(
                Booking.objects.filter(
                    learner_id=learner,
                    mentor_id=slot.mentor_id,
                    kind=Booking.Kind.DISCOVERY,
                ).exclude(status=Booking.Status.CANCELLED)
            )
            entries = entries.filter(mentorship | ~had_discovery)
        else:
            entries = entries.filter(mentorship)
    return entries.order_by("created_at", "pk")


def waitlist_slots_freed(*, slot_ids: list[int], now: datetime | None = None) -> int:
    """Tell the first people in line of each freed slot (``slot_ids``: seats
    given back, slots just made); how many were told.

    Precondition: in the transaction that frees the slots, after their locks.
    Only slots still free and to come, of a public mentor not taking a break,
    are told of; each entry is told once (then leaves the line), by e-mail and
    in the app, in the learner's language, with a link to the booking page.
    """
    if not slot_ids:
        return 0
    now = now or timezone.now()
    slots = list(
        Slot.objects.filter(
            pk__in=slot_ids, status=Slot.Status.FREE, start__gt=now
        ).order_by("start", "pk")
    )
    mentor_ids = {slot.mentor_id for slot in slots}
    if not WaitlistEntry.objects.filter(
        mentor_id__in=mentor_ids, notified_at__isnull=True, expires_at__gt=now
    ).exists():
        return 0
    profiles = {
        profile.user_id: profile
        for profile in MentorProfile.objects.public()
        .filter(user_id__in=mentor_ids, is_paused=False)
        .select_related("user", "availability")
    }
    told = 0
    for slot in slots:
        profile = profiles.get(slot.mentor_id)
        if profile is None:
            continue
        entries = list(
            _in_line(slot, profile, now)
            .select_related("learner")
            .select_for_update(of=("self",), skip_locked=True)[:NOTIFIED_PER_SLOT]
        )
        if not entries:
            continue
        WaitlistEntry.objects.filter(pk__in=[e.pk for e in entries]).update(
            notified_at=now
        )
        link = reverse("coaching_sessions:booking-new", args=[profile.pk])
        for entry in entries:
            learner = entry.learner
            with translation.override(learner.language or settings.LANGUAGE_CODE):
                when = span_label(slot.start, slot.end, learner.time_zone)
            notify(
                recipient=learner,
                kind=FREED_KIND,
                context={
                    "mentor_name": profile.user.full_name,
                    "when": when,
                    "workshop": slot.title if slot.capacity > 1 else "",
                },
                link=link,
            )
        told += len(entries)
    return told


def waitlist_forget_expired(*, now: datetime | None = None) -> int:
    """Entries past their expiry go (a daily job)."""
    now = now or timezone.now()
    deleted, _rows = WaitlistEntry.objects.filter(expires_at__lte=now).delete()
    return deleted
