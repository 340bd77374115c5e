"""The holder's pages (issue 19): "My attestations" (download the PDF and the
signed credential, copy the verification link, add to LinkedIn, show on the
profile), and the panel on "My space"."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.models import User
from core.panels import Panel, Section
from core.views import domain_errors
from mentors.models import MentorProfile

from .attestation_selectors import attestations_of, skill_title
from .attestations import attestation_set_keep_name, attestation_set_shown, verify_url
from .models import Attestation


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def linkedin_url(attestation: Attestation) -> str:
    """LinkedIn's "add to profile" form with the fields filled in."""
    issued = timezone.localdate(attestation.issued_at)
    name = (
        _("Skill attestation – %(skill)s") % {"skill": skill_title(attestation)}
        if attestation.kind == Attestation.Kind.SKILL
        else skill_title(attestation)
    )
    return "https://www.linkedin.com/profile/add?" + urlencode(
        {
            "startTask": "CERTIFICATION_NAME",
            "name": name,
            "organizationName": attestation.issuer_name,
            "issueYear": issued.year,
            "issueMonth": issued.month,
            "certUrl": verify_url(attestation.code),
            "certId": attestation.display_code,
        }
    )


def space_panels(
    *, user: User, learner: object, mentor: MentorProfile | None
) -> list[Panel]:
    if not Attestation.objects.filter(holder=user).exists():
        return []
    return [Panel(Section.LEARNER, "certification/attestations/panel.html", 41)]


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    rows = [
        {
            "a": a,
            "title": skill_title(a),
            "verify_url": verify_url(a.code),
            "linkedin": linkedin_url(a),
        }
        for a in attestations_of(holder_id=_me(request).pk)
    ]
    return render(request, "certification/attestations/mine.html", {"rows": rows})


def _own(request: HttpRequest, attestation_id: int) -> Attestation:
    row = attestations_of(holder_id=_me(request).pk).filter(pk=attestation_id).first()
    if row is None:
        raise Http404
    return row


@login_required
@require_safe
@domain_errors("certification-attestations:mine")
def pdf(request: HttpRequest, attestation_id: int) -> HttpResponse:
    from .pdf import pdf_response

    return pdf_response(_own(request, attestation_id))


@login_required
@require_safe
@domain_errors("certification-attestations:mine")
def ob3(request: HttpRequest, attestation_id: int) -> HttpResponse:
    from .credentials import credential_response

    return credential_response(_own(request, attestation_id))


@login_required
@require_POST
def show_on_profile(request: HttpRequest, attestation_id: int) -> HttpResponse:
    row = _own(request, attestation_id)
    attestation_set_shown(
        holder=_me(request),
        attestation_id=row.pk,
        shown=request.POST.get("shown") == "1",
    )
    return HttpResponseRedirect(reverse("certification-attestations:mine"))


@login_required
@require_POST
def keep_name(request: HttpRequest, attestation_id: int) -> HttpResponse:
    """Keep my name on it if I delete my account (or not)."""
    row = _own(request, attestation_id)
    attestation_set_keep_name(
        holder=_me(request), attestation_id=row.pk, keep=request.POST.get("keep") == "1"
    )
    return HttpResponseRedirect(reverse("certification-attestations:mine"))


def profile_attestations(
    *, profile: MentorProfile, viewer: object
) -> tuple[str, dict[str, object]] | None:
    """On a mentor's public page (``mentors.profile_panels``): the
    attestations and badges they chose to show, each with its verification
    link. Nothing when none is shown."""
    from .attestation_selectors import attestations_any_shown, attestations_shown

    if not attestations_any_shown(holder_id=profile.user_id):
        return None
    shown = [
        {"a": a, "title": skill_title(a), "verify_url": verify_url(a.code)}
        for a in attestations_shown(holder_id=profile.user_id)
    ]
    if not shown:
        return None
    return ("certification/attestations/profile.html", {"shown": shown})


def learner_attestations(
    *, learner_ids: list[int]
) -> dict[int, tuple[str, dict[str, object]]]:
    """Beside a learner's request to a mentor (``matching.learner_panels``):
    the attestations each learner chose to show, with their verification
    links; nobody who shows none."""
    from .attestation_selectors import attestations_shown_by

    shown: dict[int, list[dict[str, object]]] = {}
    for a in attestations_shown_by(holder_ids=learner_ids):
        assert a.holder_id is not None
        shown.setdefault(a.holder_id, []).append(
            {"a": a, "title": skill_title(a), "verify_url": verify_url(a.code)}
        )
    return {
        learner_id: (
            "certification/attestations/learner_panel.html",
            {"shown": rows, "learner_id": learner_id},
        )
        for learner_id, rows in shown.items()
    }
