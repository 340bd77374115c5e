"""Pages for requests, dashboards and message threads (thin: forms + services)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from accounts.models import User
from core.errors import Conflict
from core.views import domain_errors
from mentors.choices import Mode
from mentors.forms import ReportForm
from mentors.models import LearnerSkill, MentorProfile
from mentors.selectors import mentor_profile_page_row
from mentors.services import report_create

from . import hooks
from .checkins import checkin_answer, checkin_open
from .forms import (
    DeclineForm,
    EndMentorshipForm,
    MentorshipRequestForm,
    MessageForm,
)
from .models import Mentorship, MentorshipSkill, Message
from .selectors import (
    mentorship_for_participant,
    mentorship_list_for_user,
    request_list_received,
    request_list_sent,
)
from .services import (
    mentor_pause,
    mentorship_end,
    mentorship_request_accept,
    mentorship_request_create,
    mentorship_request_decline,
    mentorship_request_withdraw,
    message_mark_read,
    message_send,
)


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors("mentors:detail")
def request_create(request: HttpRequest, profile_id: int) -> HttpResponse:
    me = _me(request)
    # The page names the mentor and their places: the mentor page's own row
    # (one prepared statement). Only a public profile, not blocked either
    # way, can be asked; its owner cannot ask themself.
    found = mentor_profile_page_row(profile_id=profile_id, viewer_id=me.pk)
    if found is None:
        raise Http404
    profile, is_public, is_blocked = found
    if profile.user_id == me.pk or not is_public or is_blocked:
        raise Http404
    # What the learner wants to learn, in one statement (none without a
    # learner profile).
    skills = [
        (s.skill.code, s.skill.name)
        for s in LearnerSkill.objects.filter(profile__user=me).select_related("skill")
    ]
    if not skills:
        messages.info(
            request, _("First say what you want to learn in your learner profile.")
        )
        return redirect("mentors:learner-profile")
    modes = [(m, str(label)) for m, label in Mode.choices if m in profile.modes]
    form = MentorshipRequestForm(
        request.POST if request.method == "POST" else None, skills=skills, modes=modes
    )
    if request.method == "POST" and form.is_valid():
        try:
            mentorship_request_create(
                learner=me,
                mentor_profile_id=profile.pk,
                skill_codes=form.cleaned_data["skills"],
                message=form.cleaned_data["message"],
                preferred_mode=form.cleaned_data["preferred_mode"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except Conflict as exc:
            # Refused on the form itself, not by a redirect: what the person
            # typed stays in the box (a mentor paused while they wrote).
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Your request is sent. You will be told when the mentor answers."),
            )
            return redirect("matching:requests-sent")
    return render(
        request, "matching/request_form.html", {"form": form, "profile": profile}
    )


@login_required
@require_safe
def requests_sent(request: HttpRequest) -> HttpResponse:
    """The learner's "my requests and my mentors"."""
    me = _me(request)
    return render(
        request,
        "matching/requests_sent.html",
        {
            "requests": request_list_sent(user_id=me.pk),
            "mentorships": mentorship_list_for_user(user_id=me.pk, role="learner"),
        },
    )


def _received_context(me: User) -> dict[str, object]:
    requests = list(request_list_received(user_id=me.pk))
    # What other apps show beside a learner's request (their attestations).
    panels: dict[int, list[tuple[str, dict[str, object]]]] = {}
    for part in hooks.learner_panels.send(
        learner_ids=[item.learner_id for item in requests]
    ):
        for learner_id, panel in part.items():
            panels.setdefault(learner_id, []).append(panel)
    for item in requests:
        item.learner_panels = panels.get(item.learner_id, [])  # type: ignore[attr-defined]
    return {
        "requests": requests,
        "mentorships": mentorship_list_for_user(user_id=me.pk, role="mentor"),
        "decline_form": DeclineForm(),
    }


@login_required
@require_safe
def requests_received(request: HttpRequest) -> HttpResponse:
    """The mentor's "requests to answer", with the learner's goals and levels."""
    me = _me(request)
    profile = MentorProfile.objects.filter(user=me).first()
    if profile is None:
        # Not a mentor (yet): say how to become one, rather than "not found".
        return render(request, "matching/become_mentor.html")
    return render(
        request,
        "matching/requests_received.html",
        {"profile": profile, **_received_context(me)},
    )


def _answered(
    request: HttpRequest,
    text: str,
    *,
    mentorship: Mentorship | None = None,
    error: bool = False,
) -> HttpResponse:
    """With htmx, the waiting list and the people followed as they are now,
    under a confirmation that takes the focus; without, a message and a
    redirect to the same page."""
    if _is_htmx(request):
        answer = {"text": text, "mentorship": mentorship, "error": error}
        return render(
            request,
            "matching/_answers.html",
            {"answer": answer, **_received_context(_me(request))},
        )
    if error:
        messages.error(request, text)
    elif mentorship is not None:
        messages.success(
            request,
            format_html(
                '{} <a href="{}">{}</a>',
                text,
                reverse("matching:thread", args=[mentorship.pk]),
                _("Open the conversation with %(name)s")
                % {"name": mentorship.learner.full_name},
            ),
        )
    else:
        messages.success(request, text)
    return redirect("matching:requests-received")


def _refused(request: HttpRequest, message: str) -> HttpResponse:
    return _answered(request, message, error=True)


@login_required
@require_POST
@domain_errors(respond=_refused)
def request_accept(request: HttpRequest, request_id: int) -> HttpResponse:
    mentorship = mentorship_request_accept(mentor=_me(request), request_id=request_id)
    return _answered(
        request,
        _("Accepted. You can now write to each other."),
        mentorship=mentorship,
    )


@login_required
@require_POST
@domain_errors(respond=_refused)
def request_decline(request: HttpRequest, request_id: int) -> HttpResponse:
    form = DeclineForm(request.POST)
    form.is_valid()
    mentorship_request_decline(
        mentor=_me(request),
        request_id=request_id,
        message=form.cleaned_data.get("message", ""),
    )
    return _answered(request, _("Declined. The learner is told, kindly."))


@login_required
@require_POST
@domain_errors("matching:requests-sent")
def request_withdraw(request: HttpRequest, request_id: int) -> HttpResponse:
    mentorship_request_withdraw(learner=_me(request), request_id=request_id)
    messages.success(request, _("Your request is withdrawn."))
    return redirect("matching:requests-sent")


@login_required
@require_POST
@domain_errors()
def pause(request: HttpRequest) -> HttpResponse:
    paused = request.POST.get("paused") == "1"
    mentor_pause(mentor=_me(request), paused=paused)
    messages.success(
        request,
        _("You are not taking new mentees for now.")
        if paused
        else _("You are taking new mentees again."),
    )
    return redirect("matching:requests-received")


def hours_label(minutes: int) -> str:
    """Attended time as people say it: "0 h", "45 min", "1 h", "1 h 30"."""
    hours, rest = divmod(minutes, 60)
    if not hours and rest:
        return f"{rest} min"
    return f"{hours} h {rest:02d}" if rest else f"{hours} h"


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors("matching:thread")
def thread(request: HttpRequest, mentorship_id: int) -> HttpResponse:
    me = _me(request)
    mentorship = mentorship_for_participant(user_id=me.pk, mentorship_id=mentorship_id)
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            message_send(
                author=me, mentorship_id=mentorship.pk, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("matching:thread", mentorship_id=mentorship.pk)
    message_mark_read(user=me, mentorship=mentorship)
    other = mentorship.mentor if me.pk == mentorship.learner_id else mentorship.learner
    asked = checkin_open(mentorship=mentorship)
    side = "learner" if me.pk == mentorship.learner_id else "mentor"
    return render(
        request,
        "matching/thread.html",
        {
            "mentorship": mentorship,
            "hours": [
                (str(row.skill.name), hours_label(row.minutes_attended))
                for row in MentorshipSkill.objects.filter(mentorship=mentorship)
                .select_related("skill")
                .order_by("skill__position", "skill__code")
            ],
            # "On continue ?" asked and not answered by this person yet.
            "checkin_waiting": asked is not None
            and not getattr(asked, f"{side}_answer"),
            "thread": mentorship.messages.select_related("author"),
            "other": other,
            "form": form,
            "end_form": EndMentorshipForm(),
        },
    )


@login_required
@require_POST
@domain_errors("matching:thread")
def end(request: HttpRequest, mentorship_id: int) -> HttpResponse:
    form = EndMentorshipForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say how it went to end the mentorship."))
        return redirect("matching:thread", mentorship_id=mentorship_id)
    mentorship_end(
        user=_me(request),
        mentorship_id=mentorship_id,
        outcome=form.cleaned_data["outcome"],
        reason=form.cleaned_data["reason"],
    )
    messages.success(request, _("The mentorship has ended. Thank you!"))
    return redirect("matching:thread", mentorship_id=mentorship_id)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors()
def report_message(request: HttpRequest, message_id: int) -> HttpResponse:
    me = _me(request)
    message = get_object_or_404(
        Message.objects.select_related("mentorship", "author"), pk=message_id
    )
    mentorship_for_participant(user_id=me.pk, mentorship_id=message.mentorship_id)
    if message.author_id in (None, me.pk):
        raise Http404
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        assert message.author is not None
        report_create(
            reporter=me,
            reported_user=message.author,
            reason=form.cleaned_data["reason"],
            text=form.cleaned_data["text"],
            message_id=message.pk,
            message_text=message.body,
        )
        messages.success(request, _("Thank you. The team will look at your report."))
        return redirect("matching:thread", mentorship_id=message.mentorship_id)
    return render(
        request, "matching/report_message.html", {"form": form, "message": message}
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors("matching:thread")
def checkin(request: HttpRequest, mentorship_id: int) -> HttpResponse:
    """ "On continue ?": two buttons, continue or end with a reason. The
    answer is recorded by the button's POST only."""
    me = _me(request)
    mentorship = mentorship_for_participant(user_id=me.pk, mentorship_id=mentorship_id)
    asked = checkin_open(mentorship=mentorship)
    other = mentorship.mentor if me.pk == mentorship.learner_id else mentorship.learner
    end_form = EndMentorshipForm(
        request.POST if request.POST.get("answer") == "end" else None
    )
    if request.method == "POST" and asked is not None:
        answer = request.POST.get("answer", "")
        if answer == "continue":
            checkin_answer(user=me, mentorship_id=mentorship.pk, answer=answer)
            messages.success(request, _("Noted: you continue. Good work together!"))
            return redirect("matching:thread", mentorship_id=mentorship.pk)
        if answer == "end" and end_form.is_valid():
            checkin_answer(
                user=me,
                mentorship_id=mentorship.pk,
                answer=answer,
                outcome=end_form.cleaned_data["outcome"],
                reason=end_form.cleaned_data["reason"],
            )
            messages.success(request, _("The mentorship has ended. Thank you!"))
            return redirect("matching:thread", mentorship_id=mentorship.pk)
    side = "learner" if me.pk == mentorship.learner_id else "mentor"
    mine = getattr(asked, f"{side}_answer", "")
    return render(
        request,
        "matching/checkin.html",
        {
            "mentorship": mentorship,
            "other": other,
            "asked": asked,
            "answered": mine,
            "end_form": end_form,
            "months": settings.MENTORSHIP_CHECKIN_MONTHS,
        },
    )
