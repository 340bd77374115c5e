from __future__ import annotations

import hashlib
import math
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings as django_settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.models import User
from core.errors import Conflict
from core.throttling import KeyedThrottle
from core.views import domain_errors
from mentors.choices import Mode
from mentors.models import MentorProfile

from .attendance import attendance_answer, attendance_link_read
from .display import (
    clock,
    day_label,
    day_time,
    in_zone,
    offer_label,
    place_label,
    rule_label,
    zone_name,
)
from .feed import feed_ics, feed_token_of, feed_url, webcal_url
from .forms import (
    AvailabilitySettingsForm,
    BookingCancelForm,
    BookingForm,
    CommitmentForm,
    ExceptionFormSet,
    PlaceForm,
    RescheduleForm,
    RuleFormSet,
    SlotForm,
)
from .meeting import mentor_links, where_to_meet
from .models import Attendance, AttendanceAnswer, Availability, Booking, Slot
from .notes import note_of, rating_of
from .selectors import (
    BookingPage,
    FreeTime,
    availability_get,
    booking_attended_q,
    booking_list_for,
    booking_page_get,
    calendar_feed_bookings,
    calendar_feed_find,
    calendar_feed_get,
    mentor_profile_bookable_get,
    reschedule_requests_pending_for,
    slot_list_between,
    slot_list_free,
    slot_list_free_to_move,
    slot_list_with_bookings,
    slot_preview,
)
from .services import (
    SETTINGS_FIELDS,
    availability_get_or_create,
    availability_update,
    booking_cancel,
    booking_create,
    booking_is_late,
    booking_reschedule,
    calendar_feed_create,
    calendar_feed_delete,
    calendar_feed_read,
    reschedule_request_accept,
    reschedule_request_decline,
    slot_create,
    slot_delete,
)
from .slots import local_start
from .waitlist import waitlist_join, waitlist_list_for, waitlist_withdraw

PREVIEW_DAYS = 14
# "Free" alone reads as "no charge" in French: a slot is open to booking.
STATUS_LABELS = {
    Slot.Status.FREE: gettext_lazy("open to booking"),
    Slot.Status.BOOKED: gettext_lazy("already booked"),
}


def _mentor_profile(request: HttpRequest) -> MentorProfile | None:
    assert request.user.pk is not None
    return MentorProfile.objects.filter(user_id=request.user.pk).first()


def _not_a_mentor(request: HttpRequest) -> HttpResponse:
    return render(request, "coaching_sessions/not_a_mentor.html", status=403)


def _by_day(
    starts: Iterable[datetime], zone: zoneinfo.ZoneInfo
) -> list[tuple[str, list[str]]]:
    """ "mardi 3 mars 2026" → ["18 h 00", "19 h 00"], in ``zone``."""
    days: dict[date, list[str]] = {}
    for start in starts:
        local = start.astimezone(zone)
        days.setdefault(local.date(), []).append(clock(local.time()))
    return [(day_label(day), times) for day, times in sorted(days.items())]


def place_errors(
    exc: ValidationError,
    owners: list[forms.Form],
    formsets: dict[str, Any] | None = None,
) -> None:
    """The service's refusals beside what they are about: a setting beside its
    field (in whichever form has it), a rule or an exception at the top of its
    list, anything else at the top of the first form."""
    if not hasattr(exc, "error_dict"):
        owners[0].add_error(None, exc)
        return
    for key, errors in exc.error_dict.items():
        texts = [m for e in errors for m in e.messages]
        owner = next((f for f in owners if key in f.fields), None)
        if owner is not None:
            owner.add_error(key, texts)
        elif formsets and key in formsets:
            formsets[key]._non_form_errors.extend(texts)
        else:
            owners[0].add_error(None, texts)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors("coaching_sessions:availability")
def availability_edit(request: HttpRequest) -> HttpResponse:
    """The mentor's weekly hours, exceptions and settings, with the free slots
    of the next two weeks (those the posted hours would make, on "Preview")."""
    profile = _mentor_profile(request)
    if profile is None:
        return _not_a_mentor(request)
    availability = availability_get(mentor_profile=profile)
    now = timezone.now()
    saved_rules = list(availability.rules.all()) if availability.pk else []
    saved_exceptions = list(availability.exceptions.all()) if availability.pk else []
    previewed: list[datetime] | None = None
    if request.method == "POST":
        form = AvailabilitySettingsForm(request.POST, profile_modes=profile.modes)
        place = PlaceForm.of(availability, request.POST)
        commitment = CommitmentForm(request.POST)
        rules = RuleFormSet(request.POST, prefix="rules")
        exceptions = ExceptionFormSet(request.POST, prefix="exceptions")
        valid = [f.is_valid() for f in (form, commitment, rules, exceptions)]
        valid.append(place.check_given_for(form.cleaned_data.get("modes") or []))
        if all(valid):
            entries = (
                rules.entries(),  # type: ignore[attr-defined]
                exceptions.entries(),  # type: ignore[attr-defined]
            )
            settings = {
                **form.cleaned_data,
                **place.settings(),
                "commitment_hours": commitment.cleaned_data["commitment_hours"],
                "commitment_period": commitment.cleaned_data["commitment_period"],
            }
            if "preview" in request.POST:
                previewed = slot_preview(
                    settings=settings,
                    rules=entries[0],
                    exceptions=entries[1],
                    now=now,
                    days=PREVIEW_DAYS,
                )
            else:
                try:
                    availability_update(
                        mentor_profile=profile,
                        settings=settings,
                        rules=entries[0],
                        exceptions=entries[1],
                    )
                except ValidationError as exc:
                    place_errors(
                        exc,
                        [form, place, commitment],
                        {"rules": rules, "exceptions": exceptions},
                    )
                else:
                    messages.success(request, _("Your availability is saved."))
                    return redirect("coaching_sessions:availability")
    else:
        form = AvailabilitySettingsForm(
            initial={name: getattr(availability, name) for name in SETTINGS_FIELDS},
            profile_modes=profile.modes,
        )
        place = PlaceForm.of(availability)
        commitment = CommitmentForm(
            initial={
                "commitment_hours": availability.commitment_hours,
                "commitment_period": availability.commitment_period,
            }
        )
        rules = RuleFormSet(
            prefix="rules",
            initial=[
                {"weekday": r.weekday, "start": r.start, "end": r.end}
                for r in saved_rules
            ],
        )
        exceptions = ExceptionFormSet(
            prefix="exceptions",
            initial=[
                {"date": e.date, "kind": e.kind, "start": e.start, "end": e.end}
                for e in saved_exceptions
            ],
        )
    zone_id = availability.time_zone
    if previewed is not None:
        zone_id = form.cleaned_data["time_zone"]
    elif availability.pk:
        # Saved: the real free slots, as people will see them.
        previewed = [
            s.start
            for s in slot_list_between(
                mentor_id=profile.user_id,
                start=now,
                end=now + timedelta(days=PREVIEW_DAYS),
            ).filter(status=Slot.Status.FREE)
        ]
    return render(
        request,
        "coaching_sessions/availability_form.html",
        {
            "form": form,
            "place": place,
            "offers_in_person": Mode.IN_PERSON in profile.modes,
            "commitment": commitment,
            "rules": rules,
            "exceptions": exceptions,
            "rule_labels": [rule_label(r.weekday, r.start, r.end) for r in saved_rules],
            "saved": availability.pk is not None,
            "previewing": request.method == "POST",
            "preview": _by_day(previewed or [], zoneinfo.ZoneInfo(zone_id)),
            "zone_name": zone_name(zone_id),
        },
    )


def _week_start(asked: str, today: date) -> date:
    """The Monday of the week asked for (``?week=2026-03-02``), else this one."""
    try:
        day = date.fromisoformat(asked)
    except ValueError:
        day = today
    if abs((day - today).days) > 400:  # far outside any booking window
        day = today
    return day - timedelta(days=day.weekday())


KIND_LABELS = {
    Booking.Kind.MENTORSHIP: gettext_lazy("Session of your mentorship"),
    Booking.Kind.DISCOVERY: gettext_lazy("Discovery session"),
    Booking.Kind.WORKSHOP: gettext_lazy("Workshop"),
}


def _booked(booking: Booking, slot: Slot) -> dict[str, Any]:
    """What the mentor reads of one booking: who, what, how, about what."""
    if booking.mode == Mode.IN_PERSON and (slot.venue_id or slot.place):
        mode = _("%(mode)s: %(place)s") % {
            "mode": Mode(booking.mode).label,
            "place": place_label(slot),
        }
    else:
        mode = str(dict(Mode.choices).get(booking.mode, booking.mode))
    return {
        "name": booking.learner.full_name
        if booking.learner
        else booking.learner_name or _("a closed account"),
        "kind": KIND_LABELS.get(Booking.Kind(booking.kind), ""),
        "mode": mode,
        "skills": [s.skill.name for s in booking.skills.all()],
        "agenda": booking.agenda,
    }


def _week_entry(slot: Slot, zone: zoneinfo.ZoneInfo, now: datetime) -> dict[str, Any]:
    bookings: list[Booking] = getattr(slot, "confirmed_bookings", [])
    taken = len(bookings)
    # The slot's own status may lag a cancellation: only confirmed bookings
    # make it booked here.
    full = taken >= slot.capacity
    return {
        "start": clock(slot.start.astimezone(zone).time()),
        "end": clock(slot.end.astimezone(zone).time()),
        "slot": slot,
        "status": STATUS_LABELS[Slot.Status.BOOKED if full else Slot.Status.FREE],
        "booked": bool(bookings),
        "offer": offer_label(slot),
        "seats": ngettext(
            "%(taken)s place taken out of %(capacity)s",
            "%(taken)s places taken out of %(capacity)s",
            taken,
        )
        % {"taken": taken, "capacity": slot.capacity},
        "bookings": [_booked(b, slot) for b in bookings],
        "removable": slot.status == Slot.Status.FREE
        and not slot.seats_taken
        and slot.start > now,
    }


@login_required
@require_safe
def slot_week(request: HttpRequest) -> HttpResponse:
    """The mentor's slots of one week, day by day, in their availability's
    zone, with who booked each and what for."""
    profile = _mentor_profile(request)
    if profile is None:
        return _not_a_mentor(request)
    zone_id = (
        Availability.objects.filter(mentor_profile=profile)
        .values_list("time_zone", flat=True)
        .first()
        or Availability._meta.get_field("time_zone").get_default()
    )
    zone = zoneinfo.ZoneInfo(zone_id)
    now = timezone.now()
    today = now.astimezone(zone).date()
    monday = _week_start(request.GET.get("week", ""), today)
    start = datetime.combine(monday, time(), tzinfo=zone)
    end = datetime.combine(monday + timedelta(days=7), time(), tzinfo=zone)
    slots = list(
        slot_list_with_bookings(mentor_id=profile.user_id, start=start, end=end)
    )
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        days.append(
            (
                day_label(day),
                [
                    _week_entry(s, zone, now)
                    for s in slots
                    if s.start.astimezone(zone).date() == day
                ],
            )
        )
    return render(
        request,
        "coaching_sessions/slot_week.html",
        {
            "days": days,
            "zone_name": zone_name(zone_id),
            "first_day": day_label(monday),
            "week": monday.isoformat(),
            "previous_week": (monday - timedelta(days=7)).isoformat(),
            "next_week": (monday + timedelta(days=7)).isoformat(),
            "this_week": monday == today - timedelta(days=today.weekday()),
        },
    )


@transaction.atomic
def _slot_create(
    profile: MentorProfile, start: datetime, data: dict[str, Any], place: PlaceForm
) -> Slot:
    availability_get_or_create(mentor_profile=profile)
    return slot_create(
        mentor_profile_id=profile.pk,
        start=start,
        minutes=data["minutes"],
        capacity=data["capacity"],
        title=data["title"],
        modes=data["modes"],
        **(place.settings() if Mode.IN_PERSON in data["modes"] else {}),
    )


@login_required
@require_http_methods(["GET", "POST"])
def slot_add(request: HttpRequest) -> HttpResponse:
    """A slot added by hand: one session or an open workshop, on a day and at
    a time in the availability's zone, in person at a public place or not."""
    profile = _mentor_profile(request)
    if profile is None:
        return _not_a_mentor(request)
    availability = availability_get(mentor_profile=profile)
    zone_id = availability.time_zone
    if request.method == "POST":
        form = SlotForm(request.POST, profile_modes=profile.modes)
        place = PlaceForm.of(availability, request.POST)
        valid = form.is_valid()
        if place.check_given_for(form.cleaned_data.get("modes") or []) and valid:
            data = form.cleaned_data
            start = local_start(data["day"], data["start"], zoneinfo.ZoneInfo(zone_id))
            if start is None:
                form.add_error(
                    "start",
                    _("The clocks change that night: this time does not exist."),
                )
            else:
                try:
                    slot = _slot_create(profile, start, data, place)
                except ValidationError as exc:
                    place_errors(exc, [form, place])
                except Conflict as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(request, _("Your slot is added."))
                    day = slot.start.astimezone(zoneinfo.ZoneInfo(zone_id)).date()
                    week = day - timedelta(days=day.weekday())
                    return redirect(
                        reverse("coaching_sessions:slot-week")
                        + "?"
                        + urlencode({"week": week.isoformat()})
                    )
    else:
        form = SlotForm(
            initial={
                "minutes": availability.session_minutes,
                "modes": availability.modes
                or [m for m in profile.modes if m != Mode.IN_PERSON],
            },
            profile_modes=profile.modes,
        )
        place = PlaceForm.of(availability)
    return render(
        request,
        "coaching_sessions/slot_form.html",
        {
            "form": form,
            "place": place,
            "offers_in_person": Mode.IN_PERSON in profile.modes,
            "zone_name": zone_name(zone_id),
        },
    )


def _week_page(request: HttpRequest, **kwargs: Any) -> str:
    week = request.POST.get("week", "")[:10]
    target = reverse("coaching_sessions:slot-week")
    return f"{target}?{urlencode({'week': week})}" if week else target


@login_required
@require_http_methods(["POST"])
@domain_errors(_week_page)
def slot_remove(request: HttpRequest, slot_id: int) -> HttpResponse:
    """The mentor takes back one of their free slots (another person's: 404)."""
    try:
        slot_delete(mentor=request.user, slot_id=slot_id)
    except Slot.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, _("The slot is removed."))
    return redirect(_week_page(request))


BOOKABLE_SHOWN = 40
MODE_ORDER = [m.value for m in Mode]


@dataclass(frozen=True)
class SlotChoices:
    """Free times as radio choices for a viewer: all of them, and as pages
    show them, the three nearest first, then the others day by day."""

    choices: list[tuple[int, str]]
    nearest: list[tuple[int, str]]
    days: list[tuple[str, list[tuple[int, str]]]]


def slot_choices(
    slots: Sequence[Slot | FreeTime], *, viewer_zone: str, mentor_zone: str
) -> SlotChoices:
    """Each slot labelled in the viewer's zone (the mentor's in brackets when
    it differs; a workshop's title), grouped as the booking pages show them."""
    zone = zoneinfo.ZoneInfo(viewer_zone)
    workshop = _("open workshop: %(title)s")
    choices = []
    by_day: dict[date, list[tuple[int, str]]] = {}
    for index, slot in enumerate(slots):
        local = slot.start.astimezone(zone)
        shown = f"{day_label(local.date())}, {clock(local.time())}"
        if mentor_zone != viewer_zone:
            shown += f" ({in_zone(slot.start, mentor_zone)})"
        if slot.capacity > 1:
            shown += " — " + workshop % {"title": slot.title}
        choices.append((slot.pk, shown))
        if index >= 3:
            by_day.setdefault(local.date(), []).append((slot.pk, shown))
    return SlotChoices(
        choices=choices,
        nearest=choices[:3],
        days=[(day_label(day), entries) for day, entries in sorted(by_day.items())],
    )


# The booking page's parts drawn once (docs/caches.md): kept in this process,
# and in Redis for the other processes (the "cards" alias: a part drawn by one
# serves them all).
BOOKING_PARTS_CACHE = "cards"
BOOKING_PARTS_SECONDS = 600


def _drawn(key: str, draw: Callable[[], str], *, keep: bool) -> SafeString:
    """``draw()``, kept under ``key`` when ``keep`` (a form not sent: no
    choice and no error of the learner's in it)."""
    if not keep:
        return mark_safe(draw())  # noqa: S308 - our templates' output
    store = caches[BOOKING_PARTS_CACHE]
    drawn = store.get(key)
    if drawn is None:
        drawn = draw()
        store.set(key, drawn, BOOKING_PARTS_SECONDS)
    return mark_safe(drawn)  # noqa: S308 - our templates' output


def _booking_times(
    page: BookingPage,
    times: list[FreeTime],
    *,
    form: BookingForm | None,
    blank: Callable[[], BookingForm],
    chosen: str,
    viewer_zone: str,
    mentor_zone: str,
) -> SafeString:
    """The free times as radio buttons and how to meet
    (``_booking_times.html``): the same for every learner of this mentor in
    this language and these zones, while the free slots the database gives
    are the same. Its key holds their text's digest: a slot added, removed,
    booked, freed again or moved draws it again. ``form``: the form sent, or
    None (``blank`` makes one to draw)."""

    def draw() -> str:
        offered = slot_choices(times, viewer_zone=viewer_zone, mentor_zone=mentor_zone)
        return render_to_string(
            "coaching_sessions/_booking_times.html",
            {
                "form": form or blank(),
                "chosen": chosen,
                # Ids as text: a number would go through the locale's
                # formatting three times per radio button.
                "nearest": [(str(pk), label) for pk, label in offered.nearest],
                "days": [
                    (day, [(str(pk), label) for pk, label in entries])
                    for day, entries in offered.days
                ],
                "viewer_zone": zone_name(viewer_zone),
                "mentor_zone": zone_name(mentor_zone),
                "zones_differ": mentor_zone != viewer_zone,
            },
        )

    digest = hashlib.blake2b(page.slots_text.encode(), digest_size=16).hexdigest()
    key = (
        f"booking-times:{page.profile.pk}:{get_language()}:{viewer_zone}:"
        f"{mentor_zone}:{digest}"
    )
    return _drawn(key, draw, keep=form is None)


def _booking_agenda(
    form: BookingForm | None, blank: Callable[[], BookingForm]
) -> SafeString:
    """The agenda field: empty and the same for all until the form is sent."""
    template = "coaching_sessions/_booking_agenda.html"
    return _drawn(
        f"booking-agenda:{get_language()}",
        lambda: render_to_string(template, {"form": form or blank()}),
        keep=form is None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def booking_new(request: HttpRequest, profile_id: int) -> HttpResponse:
    """A learner books one of a mentor's free slots: the three nearest first,
    written for people, then the others day by day, in the learner's zone
    (with the mentor's beside each when it differs)."""
    viewer = request.user
    assert viewer.pk is not None
    now = timezone.now()
    try:
        page = booking_page_get(
            viewer_id=viewer.pk,
            mentor_profile_id=profile_id,
            now=now,
            until=now + timedelta(weeks=8),
            shown=BOOKABLE_SHOWN,
        )
    except MentorProfile.DoesNotExist as exc:
        raise Http404 from exc
    profile = page.profile
    if profile.user_id == viewer.pk:
        raise Http404
    # None while the mentor takes a break (the query gives none).
    times = page.free_times()
    mentor_zone = page.mentor_zone or "Europe/Paris"
    viewer_zone = timezone.get_current_timezone_name()
    modes = sorted({m for t in times for m in t.modes}, key=MODE_ORDER.index)
    # The page draws the times itself (below): the field holds their ids.
    ids = [(t.pk, str(t.pk)) for t in times]

    def blank() -> BookingForm:
        return BookingForm(None, slots=ids, modes=modes, skills=page.skills)

    # A plain page needs no form of its own: its parts are drawn once (below).
    form = None
    if request.method == "POST":
        form = BookingForm(request.POST, slots=ids, modes=modes, skills=page.skills)
    posted = request.POST.get("slot", "")
    if form is not None and posted not in {str(t.pk) for t in times}:
        # Taken (or gone) since the page was shown: say so, not "invalid choice".
        form.is_valid()
        form.errors.pop("slot", None)
        form.add_error(None, _("This slot was just taken. Please choose another one."))
    elif form is not None and form.is_valid():
        try:
            booking_create(
                learner=viewer,
                slot_id=form.cleaned_data["slot"],
                mode=form.cleaned_data["mode"],
                skill_ids=form.cleaned_data.get("skills", []),
                agenda=form.cleaned_data["agenda"],
                phone=form.cleaned_data.get("phone", ""),
            )
        except ValidationError as exc:
            place_errors(exc, [form])
        except Conflict as exc:
            form.add_error(None, str(exc))
        except Slot.DoesNotExist:
            form.add_error(
                "slot", _("This slot was just taken. Please choose another one.")
            )
        else:
            messages.success(request, _("Your session is booked."))
            return redirect("coaching_sessions:my-sessions")
    waiting = None
    if page.waiting is not None:
        entry_id, before = page.waiting
        waiting = {"entry_id": entry_id, "before": day_time(before, viewer_zone)}
    return render(
        request,
        "coaching_sessions/booking_form.html",
        {
            "profile": profile,
            "form": form,
            "has_times": bool(times),
            "times": _booking_times(
                page,
                times,
                form=form,
                blank=blank,
                chosen=posted,
                viewer_zone=viewer_zone,
                mentor_zone=mentor_zone,
            )
            if times
            else "",
            "agenda": _booking_agenda(form, blank) if times else "",
            "skills": page.skills,
            "skills_label": BookingForm.base_fields["skills"].label,
            "has_mentorship": page.has_mentorship,
            "paused": profile.is_paused,
            "waiting": waiting,
        },
    )


@login_required
@require_safe
def my_sessions(request: HttpRequest) -> HttpResponse:
    """The person's sessions in both roles: upcoming first, then past."""
    assert request.user.pk is not None
    now = timezone.now()
    zone = timezone.get_current_timezone_name()
    bookings = list(booking_list_for(user_id=request.user.pk))
    links = mentor_links([b for b in bookings if b.end > now])
    held = set(
        Booking.objects.filter(
            booking_attended_q(now=now), pk__in=[b.pk for b in bookings if b.end <= now]
        ).values_list("pk", flat=True)
    )

    def shown(booking: Booking) -> dict[str, Any]:
        as_learner = booking.learner_id == request.user.pk
        other = booking.mentor if as_learner else booking.learner
        return {
            "booking": booking,
            "when": day_time(booking.start, zone),
            "until": clock(booking.end.astimezone(zoneinfo.ZoneInfo(zone)).time()),
            "role": _("as learner") if as_learner else _("as mentor"),
            "with": other.full_name if other else _("a closed account"),
            "mode": dict(Mode.choices).get(booking.mode, booking.mode),
            "where": where_to_meet(
                booking,
                viewer_id=request.user.pk,
                mentor_link=links.get(booking.mentor_id or 0, ""),
            ),
        }

    pending = {
        r.booking_id: r
        for r in reschedule_requests_pending_for(user_id=request.user.pk, now=now)
    }
    upcoming = []
    for b in bookings:
        if b.end > now and b.status == Booking.Status.CONFIRMED:
            item = shown(b)
            item["ahead"] = b.start > now
            item["movable"] = b.kind != Booking.Kind.WORKSHOP
            asked = pending.get(b.pk)
            if asked is not None:
                item["asked"] = asked
                item["asked_for"] = day_time(asked.start, zone)
            upcoming.append(item)
    # The kind word after an absence: once per mentor, on the latest session.
    told: set[int] = set()
    past = []
    for b in [b for b in reversed(bookings) if b.end <= now][:50]:
        item = _with_attendance(shown(b), request.user.pk, now, told)
        # After a session that took place: the mentor's note for both; the
        # mentor writes it, the learner gives their opinion (the team's only).
        item["held"] = b.pk in held
        item["note"] = note_of(b)
        item["as_mentor"] = b.mentor_id == request.user.pk
        item["rated"] = b.learner_id == request.user.pk and rating_of(b) is not None
        past.append(item)
    waiting = list(waitlist_list_for(learner_id=request.user.pk, now=now))
    # "Tell me if an earlier time frees up" beside a session as learner, with
    # a mentor whose list the person is not on yet.
    waited = {entry.mentor_id for entry in waiting}
    profiles = dict(
        MentorProfile.objects.filter(
            user__bookings_as_mentor__learner_id=request.user.pk,
            user__bookings_as_mentor__status=Booking.Status.CONFIRMED,
            user__bookings_as_mentor__end__gt=now,
        )
        .values_list("user_id", "pk")
        .distinct()
    )
    for item in upcoming:
        mentor_id = item["booking"].mentor_id
        if item["booking"].learner_id == request.user.pk and mentor_id not in waited:
            item["waitlist_profile"] = profiles.get(mentor_id or 0)
    return render(
        request,
        "coaching_sessions/my_sessions.html",
        {
            "upcoming": upcoming,
            "past": past,
            "has_given": any(item["held"] and item["as_mentor"] for item in past),
            "zone_name": zone_name(zone),
            "waiting": [
                {
                    "entry": entry,
                    "before": day_time(entry.before, zone),
                    "profile": getattr(entry.mentor, "mentor_profile", None),
                }
                for entry in waiting
            ],
        },
    )


# --- calendar feed -------------------------------------------------------------


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_safe
def calendar_feed(request: HttpRequest, feed_token: str) -> HttpResponse:
    """A person's calendar feed, for calendar apps: no sign-in, the token in
    the URL is the credential. An unknown or revoked token answers 404. Past
    the rate, 429 with ``Retry-After``: by feed, and by address for tokens
    that find no feed (someone trying links)."""
    feed = calendar_feed_find(token=feed_token)
    if feed is None:
        throttle = KeyedThrottle("calendar_feed_miss")
    else:
        throttle = KeyedThrottle("calendar_feed", feed.token_hash)
    if not throttle.allows(request):
        response = HttpResponse(
            _("Too many requests: try again later."),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(math.ceil(throttle.wait() or 1))
        return response
    if feed is None:
        raise Http404
    now = timezone.now()
    body = feed_ics(
        person=feed.person,
        bookings=calendar_feed_bookings(person_id=feed.person_id, now=now),
    )
    calendar_feed_read(feed=feed, now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    # Someone's sessions: no shared cache keeps them, no search engine lists them.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@login_required
@require_safe
def calendar_feed_settings(request: HttpRequest) -> HttpResponse:
    """ "My calendar": the person's feed link to copy or subscribe to, with
    how to add it, change it or delete it."""
    feed = calendar_feed_get(person_id=_me(request).pk)
    token = feed_token_of(feed) if feed is not None else None
    url = feed_url(token) if token else ""
    return render(
        request,
        "coaching_sessions/calendar_feed.html",
        {"feed": feed, "url": url, "webcal": webcal_url(url) if url else ""},
    )


# --- the waitlist ------------------------------------------------------------------


def _waitlist_back(request: HttpRequest, **kwargs: Any) -> str:
    """Back to the page the form was on: "My sessions", or the booking page."""
    profile_id = kwargs.get("profile_id") or request.POST.get("profile", "")
    if request.POST.get("from") == "booking" and str(profile_id).isdigit():
        return reverse("coaching_sessions:booking-new", args=[int(profile_id)])
    return reverse("coaching_sessions:my-sessions")


@login_required
@require_http_methods(["POST"])
def calendar_feed_new(request: HttpRequest) -> HttpResponse:
    """Create the link, or change it (the old one stops working)."""
    me = _me(request)
    had = calendar_feed_get(person_id=me.pk) is not None
    calendar_feed_create(person=me)
    if had:
        messages.success(
            request,
            _(
                "Your new link is ready. The old one no longer works: add the new "
                "one to your calendar."
            ),
        )
    else:
        messages.success(request, _("Your link is ready. Add it to your calendar."))
    return redirect("coaching_sessions:calendar-feed-settings")


@login_required
@require_http_methods(["POST"])
def calendar_feed_remove(request: HttpRequest) -> HttpResponse:
    calendar_feed_delete(person=_me(request))
    messages.success(
        request,
        _(
            "Your link is deleted. Your calendar no longer receives your "
            "sessions: you can remove it from your calendar app."
        ),
    )
    return redirect("coaching_sessions:calendar-feed-settings")


@login_required
@require_http_methods(["POST"])
@domain_errors(_waitlist_back)
def waitlist_join_page(request: HttpRequest, profile_id: int) -> HttpResponse:
    """The learner asks to be told when an earlier time of this mentor frees
    up (a mentor not public, blocked, or oneself: 404)."""
    waitlist_join(learner=request.user, mentor_profile_id=profile_id)
    messages.success(
        request, _("Noted. We will write to you if an earlier time frees up.")
    )
    return redirect(_waitlist_back(request, profile_id=profile_id))


@login_required
@require_http_methods(["POST"])
@domain_errors(_waitlist_back)
def waitlist_withdraw_page(request: HttpRequest, entry_id: int) -> HttpResponse:
    """The learner leaves a waiting list (another person's entry: 404)."""
    waitlist_withdraw(learner=request.user, entry_id=entry_id)
    messages.success(request, _("Done. We will not write to you about it."))
    return redirect(_waitlist_back(request))


# --- cancelled or moved by a person -------------------------------------------


def _booking_page(request: HttpRequest, booking_id: int) -> Booking:
    """One of the viewer's bookings, in either role (another's: 404)."""
    assert request.user.pk is not None
    booking = booking_list_for(user_id=request.user.pk).filter(pk=booking_id).first()
    if booking is None:
        raise Http404
    return booking


def _session_told(booking: Booking, viewer_id: int, zone: str) -> dict[str, Any]:
    """What the cancel and reschedule pages say of the session."""
    as_learner = booking.learner_id == viewer_id
    other = booking.mentor if as_learner else booking.learner
    return {
        "booking": booking,
        "when": day_time(booking.start, zone),
        "with": other.full_name if other else _("a closed account"),
        "as_learner": as_learner,
        "kind": KIND_LABELS.get(Booking.Kind(booking.kind), ""),
    }


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors("coaching_sessions:my-sessions")
def booking_cancel_page(request: HttpRequest, booking_id: int) -> HttpResponse:
    """The learner or the mentor cancels a session, with a reason and a word
    for the other person; the page says when it is late."""
    booking = _booking_page(request, booking_id)
    assert request.user.pk is not None
    now = timezone.now()
    zone = timezone.get_current_timezone_name()
    open_ = booking.status == Booking.Status.CONFIRMED and booking.start > now
    form = BookingCancelForm(request.POST or None)
    if request.method == "POST" and open_ and form.is_valid():
        try:
            booking_cancel(
                person=request.user,
                booking_id=booking.pk,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                now=now,
            )
        except ValidationError as exc:
            place_errors(exc, [form])
        else:
            told = _session_told(booking, request.user.pk, zone)
            messages.success(
                request,
                _("The session is cancelled. %(name)s is told.")
                % {"name": told["with"]},
            )
            return redirect("coaching_sessions:my-sessions")
    return render(
        request,
        "coaching_sessions/booking_cancel.html",
        {
            **_session_told(booking, request.user.pk, zone),
            "form": form,
            "open": open_,
            "late": open_ and booking_is_late(start=booking.start, now=now),
            "cutoff_hours": django_settings.BOOKING_LATE_CUTOFF_HOURS,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors("coaching_sessions:my-sessions")
def booking_reschedule_page(request: HttpRequest, booking_id: int) -> HttpResponse:
    """The learner or the mentor moves a session to another free time of the
    mentor; inside the cut-off the learner asks the mentor instead, and the
    mentor may only cancel."""
    booking = _booking_page(request, booking_id)
    assert request.user.pk is not None
    now = timezone.now()
    viewer_zone = timezone.get_current_timezone_name()
    told = _session_told(booking, request.user.pk, viewer_zone)
    open_ = booking.status == Booking.Status.CONFIRMED and booking.start > now
    late = open_ and booking_is_late(start=booking.start, now=now)
    movable = (
        open_
        and booking.kind != Booking.Kind.WORKSHOP
        and (told["as_learner"] or not late)
    )
    slots = slot_list_free_to_move(booking=booking, now=now) if movable else []
    mentor_zone = (
        Availability.objects.filter(mentor_profile__user_id=booking.mentor_id or 0)
        .values_list("time_zone", flat=True)
        .first()
        or viewer_zone
    )
    offered = slot_choices(slots, viewer_zone=viewer_zone, mentor_zone=mentor_zone)
    form = RescheduleForm(request.POST or None, slots=offered.choices)
    posted = request.POST.get("slot", "")
    if request.method == "POST" and movable:
        if posted not in {str(pk) for pk, _l in offered.choices}:
            form.is_valid()
            form.errors.pop("slot", None)
            form.add_error(
                None, _("This slot was just taken. Please choose another one.")
            )
        elif form.is_valid():
            try:
                done = booking_reschedule(
                    person=request.user,
                    booking_id=booking.pk,
                    slot_id=form.cleaned_data["slot"],
                    now=now,
                )
            except ValidationError as exc:
                place_errors(exc, [form])
            except Conflict as exc:
                form.add_error(None, str(exc))
            else:
                if isinstance(done, Booking):
                    messages.success(
                        request,
                        _("Your session has moved to %(when)s. %(name)s is told.")
                        % {
                            "when": day_time(done.start, viewer_zone),
                            "name": told["with"],
                        },
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "Your request is sent to %(name)s. Until they "
                            "answer, your session stays at %(when)s."
                        )
                        % {"name": told["with"], "when": told["when"]},
                    )
                return redirect("coaching_sessions:my-sessions")
    return render(
        request,
        "coaching_sessions/booking_reschedule.html",
        {
            **told,
            "form": form,
            "open": open_,
            "late": late,
            "movable": movable,
            "cutoff_hours": django_settings.BOOKING_LATE_CUTOFF_HOURS,
            "nearest": offered.nearest,
            "days": offered.days,
            "chosen": posted,
            "viewer_zone": zone_name(viewer_zone),
            "mentor_zone": zone_name(mentor_zone),
            "zones_differ": mentor_zone != viewer_zone,
        },
    )


@login_required
@require_http_methods(["POST"])
@domain_errors("coaching_sessions:my-sessions")
def reschedule_accept(request: HttpRequest, reschedule_id: int) -> HttpResponse:
    """The mentor accepts a learner's request to move a session."""
    try:
        booking = reschedule_request_accept(
            mentor=request.user, request_id=reschedule_id
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("The session has moved to %(when)s. The learner is told.")
            % {"when": day_time(booking.start, timezone.get_current_timezone_name())},
        )
    return redirect("coaching_sessions:my-sessions")


@login_required
@require_http_methods(["POST"])
@domain_errors("coaching_sessions:my-sessions")
def reschedule_decline(request: HttpRequest, reschedule_id: int) -> HttpResponse:
    """The mentor declines a learner's request: the session stays."""
    reschedule_request_decline(mentor=request.user, request_id=reschedule_id)
    messages.success(request, _("The session stays as it was. The learner is told."))
    return redirect("coaching_sessions:my-sessions")


# --- attendance ------------------------------------------------------------------


def _answers(as_learner: bool) -> list[tuple[str, str]]:
    """The buttons of "did the session take place?", in the person's words."""
    if as_learner:
        return [
            (AttendanceAnswer.HAPPENED, _("Yes, the session took place")),
            (AttendanceAnswer.LEARNER_ABSENT, _("No, I could not come")),
            (AttendanceAnswer.MENTOR_ABSENT, _("No, the mentor did not come")),
        ]
    return [
        (AttendanceAnswer.HAPPENED, _("Yes, the session took place")),
        (AttendanceAnswer.LEARNER_ABSENT, _("No, the learner did not come")),
        (AttendanceAnswer.MENTOR_ABSENT, _("No, I could not come")),
    ]


def _with_attendance(
    item: dict[str, Any], viewer_id: int, now: datetime, told: set[int]
) -> dict[str, Any]:
    """A past session in My sessions: the question while it is open, the
    person's answer, and for a learner marked absent a kind word and the
    mentor's next free times."""
    booking: Booking = item["booking"]
    if booking.status != Booking.Status.CONFIRMED:
        return item
    as_learner = booking.learner_id == viewer_id
    attendance: Attendance | None = getattr(booking, "attendance", None)
    mine = ""
    if attendance is not None:
        mine = attendance.learner_answer if as_learner else attendance.mentor_answer
        item["attendance"] = attendance
        item["my_answer"] = dict(_answers(as_learner)).get(mine, "")
    open_ = attendance is None or attendance.status == Attendance.Status.PENDING
    if open_ and not mine:
        item["answers"] = _answers(as_learner)
    marked_absent = attendance is not None and (
        attendance.status == Attendance.Status.LEARNER_ABSENT
        or (open_ and attendance.mentor_answer == AttendanceAnswer.LEARNER_ABSENT)
    )
    mentor_id = booking.mentor_id
    if as_learner and marked_absent and mentor_id is not None and mentor_id not in told:
        told.add(mentor_id)
        item["absent"] = True
        profile = MentorProfile.objects.filter(user_id=mentor_id).first()
        if profile is not None:
            try:
                mentor_profile_bookable_get(
                    viewer_id=viewer_id, mentor_profile_id=profile.pk
                )
            except MentorProfile.DoesNotExist:
                return item
            item["again_profile"] = profile.pk
            zone = timezone.get_current_timezone_name()
            item["again_slots"] = [
                day_time(slot.start, zone)
                for slot in slot_list_free(
                    mentor_id=mentor_id,
                    start=now,
                    end=now + timedelta(weeks=8),
                    now=now,
                )[:3]
            ]
    return item


@login_required
@require_http_methods(["POST"])
@domain_errors("coaching_sessions:my-sessions")
def attendance_answer_page(request: HttpRequest, booking_id: int) -> HttpResponse:
    """The learner or the mentor answers "did the session take place?" from My
    sessions (another person's booking: 404; already settled: a message)."""
    try:
        attendance_answer(
            person=request.user,
            booking_id=booking_id,
            answer=request.POST.get("answer", ""),
        )
    except ValidationError:
        messages.error(request, _("Choose one of the answers."))
    else:
        messages.success(request, _("Thank you, your answer is recorded."))
    return redirect("coaching_sessions:my-sessions")


@require_http_methods(["GET", "HEAD", "POST"])
def attendance_link_page(request: HttpRequest, attendance_token: str) -> HttpResponse:
    """The e-mail's link: the question and its buttons, without signing in.
    Opening it records nothing (mail scanners open links); the button's POST
    records the answer, once: after it the link is spent. A forged, expired
    or spent link gets a polite page."""
    refused = ""
    status = 200
    try:
        booking_id, person_id = attendance_link_read(attendance_token)
    except signing.SignatureExpired:
        refused, status = _("This link is too old. Answer in My sessions."), 410
    except signing.BadSignature:
        refused, status = _("This link does not work. Answer in My sessions."), 400
    if refused:
        return render(
            request,
            "coaching_sessions/attendance_link.html",
            {"refused": refused},
            status=status,
        )
    person = User.objects.filter(pk=person_id, is_active=True).first()
    booking = (
        Booking.objects.filter(pk=booking_id)
        .select_related("learner", "mentor", "slot", "attendance")
        .first()
    )
    if (
        person is None
        or booking is None
        or person.pk not in (booking.learner_id, booking.mentor_id)
    ):
        return render(
            request,
            "coaching_sessions/attendance_link.html",
            {"refused": _("This link does not work. Answer in My sessions.")},
            status=400,
        )
    as_learner = booking.learner_id == person.pk
    attendance: Attendance | None = getattr(booking, "attendance", None)
    spent = attendance is not None and (
        attendance.status != Attendance.Status.PENDING
        or bool(attendance.learner_answer if as_learner else attendance.mentor_answer)
    )
    done = ""
    if request.method == "POST" and not spent:
        try:
            attendance_answer(
                person=person,
                booking_id=booking.pk,
                answer=request.POST.get("answer", ""),
            )
        except ValidationError:
            refused = _("Choose one of the answers.")
            status = 400
        except Conflict as exc:
            refused, status = exc.message, 409
        else:
            done = _("Thank you, your answer is recorded.")
    elif request.method == "POST":
        status = 409
    zone = person.time_zone or timezone.get_current_timezone_name()
    return render(
        request,
        "coaching_sessions/attendance_link.html",
        {
            "refused": refused,
            "done": done,
            "spent": spent,
            "when": day_time(booking.start, zone),
            "other": (booking.mentor if as_learner else booking.learner),
            "kind": booking.get_kind_display(),
            "answers": _answers(as_learner),
        },
        status=status,
    )
