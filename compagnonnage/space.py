""" "My space": the page that spans apps, assembled here at the top from the
panels each app provides (so scheduling and attestations add theirs without a
lower app importing a higher one)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from accounts.models import User
from certification import attestation_views as attestation_panels
from certification import panels as certification_panels
from core.panels import Panel, Section
from matching import panels as matching_panels
from mentors import panels as mentors_panels
from mentors.models import LearnerProfile, MentorProfile
from sessions import panels as sessions_panels

# Each app's provider, lowest app first.
PROVIDERS: list[Callable[..., list[Panel]]] = [
    mentors_panels.space_panels,
    matching_panels.space_panels,
    sessions_panels.space_panels,
    certification_panels.space_panels,
    attestation_panels.space_panels,  # issue 19
]


def space_sections(*, user: User) -> list[tuple[int, str, list[Panel]]]:
    """The sections of the person's space, each with its panels in order; a
    section without panels (a role the person does not have) is left out."""
    # The person's two profiles, read once for every provider.
    learner = LearnerProfile.objects.filter(user=user).first()
    mentor = MentorProfile.objects.filter(user=user).first()
    panels = [
        panel
        for provider in PROVIDERS
        for panel in provider(user=user, learner=learner, mentor=mentor)
    ]
    titles = {Section.LEARNER: _("I am learning"), Section.MENTOR: _("I am a mentor")}
    return [
        (
            section.value,
            titles[section],
            sorted((p for p in panels if p.section == section), key=lambda p: p.order),
        )
        for section in Section
        if any(p.section == section for p in panels)
    ]


@login_required
@require_safe
def space(request: HttpRequest) -> HttpResponse:
    """ "My space": roles, what each profile still lacks, where to go next."""
    assert isinstance(request.user, User)
    sections = space_sections(user=request.user)
    if not sections:
        return redirect("mentors:onboarding")
    return render(request, "space.html", {"sections": sections})
