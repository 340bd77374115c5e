"""The learner's pages (progress, request, my requests), the public explainer,
and the permission-checked download of a request's file."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from accounts.models import User
from compagnonnage.admin import session_has_second_factor
from core.views import domain_errors
from mentors.models import Skill
from sessions.display import day_time
from sessions.models import Booking

from .evidence_files import evidence_file_read
from .forms import EndorseForm, ObserveForm, RequestForm, ResubmitForm
from .models import AttestationRequest, Band, ObservedTask
from .selectors import (
    attestation_requests_for_learner,
    eligibility_by_band,
    endorsement_ids_counting,
    endorsements_for_user,
    has_conflict_of_interest,
    main_mentor_id,
    minutes_by_mentor,
    rules_current,
    skill_for_progress,
)
from .services import (
    REVIEW_PERMISSION,
    attestation_request_send,
    attestation_request_submit,
    attestation_request_withdraw,
    endorsement_create,
    endorsement_set_hidden,
    task_observation_record,
)

FILE_ERRORS = ("file_type", "file_too_big")


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@require_safe
def explainer(request: HttpRequest) -> HttpResponse:
    """What an attestation is and is not (public)."""
    skills = Skill.objects.filter(area__framework="digcomp")
    return render(request, "certification/explainer.html", {"skills": skills})


@login_required
@require_safe
def skill_progress(request: HttpRequest, code: str) -> HttpResponse:
    """Where the person stands for the skill: each band's rules, met or
    missing, their endorsements (which they may hide) and their requests."""
    try:
        skill = skill_for_progress(code)
    except Skill.DoesNotExist as exc:
        raise Http404 from exc
    me = _me(request)
    rules = rules_current()
    endorsements = list(
        endorsements_for_user(user_id=me.pk, role="learner").filter(skill=skill)
    )
    counting = endorsement_ids_counting([e.pk for e in endorsements])
    minutes = minutes_by_mentor(learner_id=me.pk, skill_id=skill.pk)
    return render(
        request,
        "certification/progress.html",
        {
            "skill": skill,
            "bands": [
                (Band(progress.band).label, progress)
                for progress in eligibility_by_band(
                    learner_id=me.pk, skill_id=skill.pk, rules=rules
                )
            ],
            "endorsements": [(e, e.pk in counting) for e in endorsements],
            "total_minutes": sum(minutes.values()),
            "has_main_mentor": main_mentor_id(learner_id=me.pk, skill_id=skill.pk)
            is not None,
            "requests": attestation_requests_for_learner(learner_id=me.pk).filter(
                skill=skill
            ),
            "rules": rules,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors()
def request_form(request: HttpRequest, code: str) -> HttpResponse:
    """Ask for an attestation: the statement, a link or a file; sent at once
    (refused with what is missing when the rules are not met)."""
    try:
        skill = skill_for_progress(code)
    except Skill.DoesNotExist as exc:
        raise Http404 from exc
    me = _me(request)
    form = RequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            attestation_request_send(
                learner=me,
                skill_code=skill.code,
                level=data["level"],
                statement=data["statement"],
                portfolio_url=data["portfolio_url"],
                upload=data["upload"],
            )
        except ValidationError as exc:
            error_code = getattr(exc, "code", None)
            form.add_error("upload" if error_code in FILE_ERRORS else None, exc)
        else:
            messages.success(request, _("Your request is sent to the team."))
            return redirect("certification:my-requests")
    return render(
        request, "certification/request_form.html", {"skill": skill, "form": form}
    )


@login_required
@require_safe
def my_requests(request: HttpRequest) -> HttpResponse:
    rows = attestation_requests_for_learner(learner_id=_me(request).pk)
    return render(
        request,
        "certification/my_requests.html",
        {"requests": rows, "resubmit_form": ResubmitForm()},
    )


@login_required
@require_POST
@domain_errors("certification:my-requests")
def request_resubmit(request: HttpRequest, attestation_request_id: int) -> HttpResponse:
    """Answer the team's question and send the request again."""
    form = ResubmitForm(request.POST, request.FILES)
    me = _me(request)
    if form.is_valid():
        try:
            attestation_request_submit(
                learner=me,
                request_id=attestation_request_id,
                statement=form.cleaned_data["statement"],
                portfolio_url=form.cleaned_data["portfolio_url"],
                upload=form.cleaned_data["upload"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Your request is sent to the team again."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("certification:my-requests")


@login_required
@require_POST
@domain_errors("certification:my-requests")
def request_withdraw(request: HttpRequest, attestation_request_id: int) -> HttpResponse:
    attestation_request_withdraw(
        learner=_me(request), request_id=attestation_request_id
    )
    messages.success(request, _("Your request is withdrawn."))
    return redirect("certification:my-requests")


@login_required
@require_POST
@domain_errors()
def endorsement_hide(request: HttpRequest, endorsement_id: int) -> HttpResponse:
    endorsement = endorsement_set_hidden(
        learner=_me(request),
        endorsement_id=endorsement_id,
        hidden=request.POST.get("hidden") != "0",
    )
    return redirect("certification:progress", code=endorsement.skill.code)


@require_safe
def evidence_file(request: HttpRequest, attestation_request_id: int) -> HttpResponse:
    """The request's file, for its learner, or for a reviewer (permission and
    a session confirmed with TOTP, no conflict of interest). Anyone else: 404,
    as if there were no file."""
    user = request.user
    try:
        row = AttestationRequest.objects.get(pk=attestation_request_id)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    if not row.evidence_file or not user.is_authenticated:
        raise Http404
    allowed = row.learner_id == user.pk or (
        user.is_staff
        and user.has_perm(REVIEW_PERMISSION)
        and session_has_second_factor(request)
        and not has_conflict_of_interest(reviewer_id=user.pk, request_id=row.pk)
    )
    if not allowed:
        raise Http404
    response = HttpResponse(
        evidence_file_read(row.evidence_file), content_type=row.evidence_content_type
    )
    extension = row.evidence_file.rsplit(".", 1)[-1]
    response["Content-Disposition"] = (
        f'attachment; filename="attestation-request-{row.pk}.{extension}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the mentor, after a session -------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors()
def session_evidence(request: HttpRequest, booking_id: int) -> HttpResponse:
    """After a session that took place, its mentor endorses a skill it worked
    on, or records a practical task the person did in it. Another person's
    session, or one that has not taken place: 404."""
    me = _me(request)
    booking = (
        Booking.objects.select_related("learner")
        .filter(pk=booking_id, mentor=me, attendance__status="attended")
        .exclude(learner=None)
        .first()
    )
    if booking is None:
        raise Http404
    skills = list(
        # Only DigComp competences can be attested.
        Skill.objects.filter(
            pk__in=booking.skills.values("skill_id"), area__framework="digcomp"
        ).order_by("code")
    )
    skill_choices = [(s.pk, f"{s.code} — {s.name}") for s in skills]
    tasks = [
        (task.pk, f"{task.skill.code} · {task.get_band_display()} — {_(task.title)}")
        for task in ObservedTask.objects.filter(skill__in=skills, is_active=True)
        .select_related("skill")
        .order_by("skill__code", "position", "pk")
    ]
    sent = request.POST.get("form") if request.method == "POST" else None
    endorse = EndorseForm(
        request.POST if sent == "endorse" else None,
        skills=skill_choices,
        prefix="endorse",
    )
    observe = ObserveForm(
        request.POST if sent == "observe" else None, tasks=tasks, prefix="observe"
    )
    if sent == "endorse" and endorse.is_valid():
        data = endorse.cleaned_data
        skill = next(s for s in skills if s.pk == data["skill"])
        done = _recorded(
            request,
            endorse,
            lambda: endorsement_create(
                mentor=me,
                learner_id=booking.learner_id or 0,
                skill_code=skill.code,
                level=data["level"],
                comment=data["comment"],
                named=data["named"],
            ),
            _("Thank you: your endorsement is recorded."),
        )
        if done is not None:
            return done
    if sent == "observe" and observe.is_valid():
        data = observe.cleaned_data
        done = _recorded(
            request,
            observe,
            lambda: task_observation_record(
                observer=me,
                booking_id=booking.pk,
                task_id=data["task"],
                result=data["result"],
                note=data["note"],
            ),
            _("Thank you: the task is recorded."),
        )
        if done is not None:
            return done
    return render(
        request,
        "certification/session_evidence.html",
        {
            "booking": booking,
            "when": day_time(booking.start, timezone.get_current_timezone_name()),
            "endorse": endorse,
            "observe": observe,
            "has_skills": bool(skills),
            "has_tasks": bool(tasks),
        },
    )


def _recorded(
    request: HttpRequest, form: forms.Form, record: Callable[[], object], thanks: str
) -> HttpResponse | None:
    """Run the service of a sent form: thanks and back to the same page, or
    the rules' refusal on the form (None: draw the page again)."""
    try:
        record()
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    messages.success(request, thanks)
    return redirect(request.path)
