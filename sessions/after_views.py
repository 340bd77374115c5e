"""Pages after a session: the mentor's note, the learner's opinion (for the
team only), and the mentor's history of sessions given, with its CSV."""

from __future__ import annotations

import csv
import zoneinfo
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from core.views import domain_errors

from .display import day_time
from .forms import SessionNoteForm, SessionRatingForm
from .models import Booking
from .notes import note_of, rating_of, session_note_save, session_rating_give
from .selectors import booking_attended_q, booking_list_for, bookings_attended_by_mentor
from .views import place_errors


def _held_booking(request: HttpRequest, booking_id: int, role: str) -> Booking:
    """One of the viewer's bookings in ``role`` (learner or mentor); the
    other person's side of it, or another person's booking: 404."""
    assert request.user.pk is not None
    booking = (
        booking_list_for(user_id=request.user.pk, role=role)
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        raise Http404
    return booking


def _attended(booking: Booking) -> bool:
    return Booking.objects.filter(booking_attended_q(), pk=booking.pk).exists()


def _other_name(booking: Booking, viewer_id: int) -> str:
    if booking.learner_id == viewer_id:
        other, kept = booking.mentor, booking.mentor_name
    else:
        other, kept = booking.learner, booking.learner_name
    return other.full_name if other else (kept or _("a closed account"))


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors("coaching_sessions:my-sessions")
def session_note_page(request: HttpRequest, booking_id: int) -> HttpResponse:
    """The mentor writes or edits the note of a session that took place."""
    booking = _held_booking(request, booking_id, "mentor")
    assert request.user.pk is not None
    note = note_of(booking)
    initial = (
        {}
        if note is None
        else {
            "worked": note.worked,
            "achieved": note.achieved,
            "next_step": note.next_step,
        }
    )
    form = SessionNoteForm(request.POST or None, initial=initial)
    held = _attended(booking)
    if request.method == "POST" and held and form.is_valid():
        try:
            session_note_save(
                mentor=request.user, booking_id=booking.pk, **form.cleaned_data
            )
        except ValidationError as exc:
            place_errors(exc, [form])
        else:
            messages.success(
                request,
                _("The note is saved. %(name)s can read it in their sessions.")
                % {"name": _other_name(booking, request.user.pk)},
            )
            return redirect("coaching_sessions:my-sessions")
    return render(
        request,
        "coaching_sessions/session_note.html",
        {
            "booking": booking,
            "when": day_time(booking.start, timezone.get_current_timezone_name()),
            "with": _other_name(booking, request.user.pk),
            "form": form,
            "held": held,
            "editing": note is not None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors("coaching_sessions:my-sessions")
def session_rating_page(request: HttpRequest, booking_id: int) -> HttpResponse:
    """The learner gives their opinion of a session that took place, once:
    only the team reads it."""
    booking = _held_booking(request, booking_id, "learner")
    assert request.user.pk is not None
    given = rating_of(booking)
    form = SessionRatingForm(request.POST or None)
    held = _attended(booking)
    if request.method == "POST" and held and given is None and form.is_valid():
        try:
            session_rating_give(
                learner=request.user,
                booking_id=booking.pk,
                stars=form.cleaned_data["stars"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as exc:
            place_errors(exc, [form])
        else:
            messages.success(request, _("Thank you. Our team reads every opinion."))
            return redirect("coaching_sessions:my-sessions")
    return render(
        request,
        "coaching_sessions/session_rating.html",
        {
            "booking": booking,
            "when": day_time(booking.start, timezone.get_current_timezone_name()),
            "with": _other_name(booking, request.user.pk),
            "form": form,
            "held": held,
            "given": given,
        },
    )


def _history_rows(request: HttpRequest) -> list[dict[str, Any]]:
    assert request.user.pk is not None
    zone = zoneinfo.ZoneInfo(timezone.get_current_timezone_name())
    rows = []
    for booking in bookings_attended_by_mentor(mentor_id=request.user.pk):
        local = booking.start.astimezone(zone)
        rows.append(
            {
                "booking": booking,
                "date": local.date(),
                "time": local.strftime("%H:%M"),
                "when": day_time(booking.start, zone.key),
                "person": _other_name(booking, request.user.pk),
                "minutes": int((booking.end - booking.start).total_seconds() // 60),
                "kind": booking.get_kind_display(),
                "skills": [s.skill.name for s in booking.skills.all()],
            }
        )
    return rows


def hours_label(minutes: int) -> str:
    """90 → "1 h 30", 60 → "1 h", 45 → "45 min"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


@login_required
@require_safe
def activity_history(request: HttpRequest) -> HttpResponse:
    """The sessions the person has given as a mentor, latest first, with the
    total: for themself, or an employer's skills-sponsorship agreement."""
    rows = _history_rows(request)
    # A workshop is one line per person, its time counted once (as on the
    # mentor's page).
    times = {
        (row["booking"].slot_id, row["booking"].start, row["booking"].end): row[
            "minutes"
        ]
        for row in rows
    }
    total = sum(times.values())
    people = {
        row["booking"].learner_id or f"closed-{row['booking'].pk}" for row in rows
    }
    for row in rows:
        row["length"] = hours_label(row["minutes"])
    return render(
        request,
        "coaching_sessions/activity_history.html",
        {"rows": rows, "total": hours_label(total), "people": len(people)},
    )


# Characters a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """A name or a skill as text in a spreadsheet, never a formula."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


@login_required
@require_safe
def activity_history_csv(request: HttpRequest) -> HttpResponse:
    """The same history as a CSV file for a spreadsheet: UTF-8 with a byte
    order mark and ``;`` between cells, as Excel in French opens it at a
    double click (its list separator is ``;``, the comma being the decimal
    mark); lengths in whole minutes, dates as YYYY-MM-DD."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="mes-seances.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow(
        [
            _("Date"),
            _("Time"),
            _("Length (minutes)"),
            _("Person"),
            _("Kind of session"),
            _("Skills"),
        ]
    )
    for row in _history_rows(request):
        writer.writerow(
            [
                row["date"].isoformat(),
                row["time"],
                row["minutes"],
                _cell(row["person"]),
                row["kind"],
                _cell(", ".join(row["skills"])),
            ]
        )
    return response
