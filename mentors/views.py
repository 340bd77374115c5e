from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from accounts.models import User
from core.personal_data import private_storage
from core.views import domain_errors

from . import hooks
from .cards import card_skills, cards_html
from .directory import (
    DirectoryQuery,
    directory_state,
    mentor_directory_page,
)
from .forms import (
    DirectoryForm,
    LearnerProfileForm,
    LearnerSkillFormSet,
    MentorProfileForm,
    MentorSkillFormSet,
    OccupationCodeForm,
    ReportForm,
    RolesForm,
    SubmitForm,
    hours_to_windows,
)
from .models import Block, LearnerProfile, MentorProfile
from .photos import store_photo
from .selectors import (
    mentor_profile_for_viewer,
    mentor_profile_page_row,
    mentor_skill_rows,
    person_known_to,
)
from .services import (
    block_create,
    block_delete,
    learner_profile_get_or_create,
    learner_profile_missing,
    learner_profile_save,
    mentor_profile_get_or_create,
    mentor_profile_missing,
    mentor_profile_save_draft,
    mentor_profile_set_published,
    mentor_profile_submit,
    mentor_profile_working_copy,
    report_create,
)
from .text import render_markdown


def _without_empty_values(request: HttpRequest) -> str | None:
    """The request's address without its empty parameters (``?q=&region=``,
    which a form sends for every field left alone), or None if it has none."""
    pairs = [(k, v) for k, values in request.GET.lists() for v in values]
    kept = [(k, v) for k, v in pairs if v.strip()]
    if len(kept) == len(pairs):
        return None
    return f"{request.path}?{urlencode(kept)}" if kept else request.path


@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    """The public directory. htmx swaps the results in place (and keeps the URL);
    without JavaScript the same form submits the page. A search address holds
    no empty parameters: without JavaScript it is redirected to the address
    without them; htmx gets the results at once and the address to show."""
    # htmx asks for the results only; a history restore (back button with no
    # cached snapshot) needs the whole page. Caches must keep both apart.
    partial = request.headers.get("HX-Request") and not request.headers.get(
        "HX-History-Restore-Request"
    )
    clean_url = _without_empty_values(request)
    if clean_url is not None and not partial:
        response: HttpResponse = redirect(clean_url)
        patch_vary_headers(response, ("HX-Request", "HX-History-Restore-Request"))
        return response
    viewer_id = request.user.pk if request.user.is_authenticated else None
    # The mentor-data version keys the skill list and the cached fragments.
    state = directory_state(viewer_id=viewer_id)
    form = DirectoryForm(request.GET, data_version=state.version)
    page: Any = None
    cards: Any = []
    cards_joined: Any = ""
    did_you_mean: Any = None
    results_key = ""
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        query = DirectoryQuery(**data)
        # The results are cached whole (keyed on the query and the mentor-data
        # version); the page is only read when they are rebuilt.
        results_key = state.results_key(query)
        page = SimpleLazyObject(
            functools.partial(
                mentor_directory_page,
                viewer_id=viewer_id,
                query=query,
                state=state,
                with_skills=False,  # read for the cards not in the card cache
            )
        )
        cards = SimpleLazyObject(
            lambda: _cards_drawn(page.results, version=state.version)
        )
        # One string: the template's loop over 21 cards took ~0.15 ms.
        cards_joined = SimpleLazyObject(
            lambda: mark_safe("".join(card["html"] for card in cards))  # noqa: S308
        )
        # The links to other pages carry the query as understood, nothing empty.
        query_string = form.query_string()
        kept = {k: v for k, v in data.items() if k != "page"}
        did_you_mean = SimpleLazyObject(
            lambda: (
                {
                    "q": page.corrected,
                    "query_string": urlencode(kept | {"q": page.corrected}),
                }
                if page.corrected
                else {}
            )
        )
    else:
        raw = request.GET.copy()
        raw.pop("page", None)
        query_string = raw.urlencode()
    context = {
        "form": form,
        "page": page,
        "cards": cards,
        "cards_joined": cards_joined,
        "did_you_mean": did_you_mean,
        "results_key": results_key,
        "data_version": state.version,
        "query_string": query_string,
    }
    template = (
        "mentors/_directory_results.html" if partial else "mentors/directory.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request", "HX-History-Restore-Request"))
    if clean_url is not None:
        # htmx sends every field of the form: the address bar shows the search.
        response["HX-Push-Url"] = clean_url
    return response


# Per process; a card's key holds all it shows that may change: the
# mentor-data version (moved by any change to a card but the two below), the
# next free slot and the answer time (read with the page's rows), the language
# and the time zone. Never stale, so it may live an hour.
CARD_SECONDS = 3600


def _cards_drawn(profiles: list[MentorProfile], *, version: int) -> list[Any]:
    """The directory cards of these profiles: each as drawn, from the card
    cache (one read for the page), the missing ones drawn now, their skills
    from their rows. An entity cache: it serves every query that shows the
    mentor, so it stays with the query caches off (docs/caches.md). Drawn in
    Python (``mentors.cards``: a page of new cards cost ~21 ms with a template)."""
    language = get_language()
    zone = timezone.get_current_timezone_name()
    keys = [
        "card2:{}:{}:{}:{}:{}:{}".format(
            profile.pk,
            version,
            profile.next_free_slot_at.timestamp() if profile.next_free_slot_at else "",
            profile.median_answer_hours_90d,
            language,
            zone,
        )
        for profile in profiles
    ]
    store = caches["cards"]
    drawn: dict[str, str] = store.get_many(keys)
    missing = [(k, p) for k, p in zip(keys, profiles, strict=True) if k not in drawn]
    if missing:
        drawn_now = cards_html(
            [profile for _key, profile in missing],
            card_skills([profile for _key, profile in missing], version=version),
        )
        new = {key: drawn_now[profile.pk] for key, profile in missing}
        store.set_many(new, CARD_SECONDS)
        drawn |= new
    return [
        {"profile": profile, "html": mark_safe(drawn[key])}  # noqa: S308 (drawn by a template)
        for key, profile in zip(keys, profiles, strict=True)
    ]


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@login_required
@require_http_methods(["GET", "POST"])
def onboarding(request: HttpRequest) -> HttpResponse:
    """After sign-up: "I want to learn", "I want to mentor", or both."""
    user = _me(request)
    has_learner = LearnerProfile.objects.filter(user=user).exists()
    has_mentor = MentorProfile.objects.filter(user=user).exists()
    form = RolesForm(
        request.POST if request.method == "POST" else None,
        initial={"learn": has_learner, "mentor": has_mentor},
    )
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["learn"]:
            learner_profile_get_or_create(user=user)
        if form.cleaned_data["mentor"]:
            mentor_profile_get_or_create(user=user)
        if form.cleaned_data["learn"] and not has_learner:
            return redirect("mentors:learner-profile")
        return redirect(
            "mentors:mentor-profile" if form.cleaned_data["mentor"] else "space"
        )
    return render(request, "mentors/onboarding.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def learner_profile_edit(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    # Not created before the first save: opening the page writes nothing.
    profile = LearnerProfile.objects.filter(user=me).first() or LearnerProfile(user=me)
    if request.method == "POST":
        form = LearnerProfileForm(request.POST)
        code_form = OccupationCodeForm(request.POST)
        formset = LearnerSkillFormSet(request.POST, prefix="skills")
        if all([form.is_valid(), code_form.is_valid(), formset.is_valid()]):
            try:
                learner_profile_save(
                    user=me,
                    data=form.cleaned_data | code_form.cleaned_data,
                    skills=formset.entries(),  # type: ignore[attr-defined]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Your learner profile is saved."))
                return redirect("space")
    else:
        form = LearnerProfileForm(
            initial={
                "goals": profile.goals,
                "situation": profile.situation,
                "target_occupation": profile.target_occupation,
                "languages": profile.languages or [request.LANGUAGE_CODE],
                "region": profile.region,
                "modes": profile.modes,
                "time_windows": hours_to_windows(profile.time_windows),
            }
        )
        code_form = OccupationCodeForm(
            initial={"occupation_code": profile.occupation_code}
        )
        formset = LearnerSkillFormSet(
            prefix="skills",
            initial=[
                {
                    "skill": s.skill.code,
                    "current_level": s.current_level,
                    "target_level": s.target_level,
                }
                for s in (profile.skills.select_related("skill") if profile.pk else [])
            ],
        )
    return render(
        request,
        "mentors/learner_profile_form.html",
        {
            "form": form,
            "code_form": code_form,
            "formset": formset,
            "missing": learner_profile_missing(profile),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def mentor_profile_edit(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    # Not created before the first save: opening the page writes nothing.
    profile = MentorProfile.objects.filter(user=me).first() or MentorProfile(user=me)
    if request.method != "POST":
        return _mentor_editor(request, profile)
    form = MentorProfileForm(request.POST, request.FILES)
    formset = MentorSkillFormSet(request.POST, prefix="skills")
    if form.is_valid() and formset.is_valid():
        data: dict[str, Any] = dict(form.cleaned_data)
        photo = data.pop("photo")
        if photo is False:  # "clear" ticked
            data["photo"] = ""
        elif photo:
            data["photo"] = store_photo(photo)
        try:
            mentor_profile_save_draft(
                user=me,
                data=data,
                skills=formset.entries(),  # type: ignore[attr-defined]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("mentors:mentor-profile")
    return _mentor_editor(request, profile, form=form, formset=formset)


def _mentor_editor(
    request: HttpRequest,
    profile: MentorProfile,
    *,
    form: MentorProfileForm | None = None,
    formset: Any = None,
    submit_form: SubmitForm | None = None,
) -> HttpResponse:
    """The editor page; the forms not given are filled with the working copy."""
    working = mentor_profile_working_copy(profile)
    if form is None:
        form = MentorProfileForm(
            initial={key: working[key] for key in MentorProfile.EDITABLE_FIELDS}
        )
        if not working["languages"]:
            form.initial["languages"] = [request.LANGUAGE_CODE]
    if formset is None:
        formset = MentorSkillFormSet(
            prefix="skills",
            initial=[
                {"skill": e["code"], "level": e["level"], "years": e["years"]}
                for e in working["skills"]
            ],
        )
    return render(
        request,
        "mentors/mentor_profile_form.html",
        {
            "profile": profile,
            "form": form,
            "formset": formset,
            "submit_form": submit_form or SubmitForm(),
            "missing": mentor_profile_missing(profile),
            "has_photo": bool(working.get("photo")),
        },
    )


@login_required
@require_POST
def mentor_profile_submit_view(request: HttpRequest) -> HttpResponse:
    profile = get_object_or_404(MentorProfile, user=_me(request))
    form = SubmitForm(request.POST)
    form.is_valid()
    try:
        mentor_profile_submit(
            profile=profile,
            accept_charter=form.cleaned_data.get("accept_charter", False),
        )
    except ValidationError as exc:
        # The editor again, each refusal beside what it is about (the charter
        # beside its checkbox), not in a message at the top of the page.
        form.add_error(None, exc)
        return _mentor_editor(request, profile, submit_form=form)
    messages.success(
        request,
        _("Thank you! The team will check your profile shortly."),
    )
    return redirect("mentors:mentor-profile")


@require_safe
def charter(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    return render(
        request, "mentors/charter.html", {"version": settings.MENTOR_CHARTER_VERSION}
    )


@require_safe
@domain_errors()
def mentor_detail(request: HttpRequest, profile_id: int) -> HttpResponse:
    """The public page: what a visitor sees (the last approved version).

    Its owner and staff may also see it before it is public, as a preview.
    Anyone else gets it from one query, the rest of the page (its skills, the
    bio in HTML) from the cache, read only when the cached part is rebuilt.
    """
    viewer_id = request.user.pk if request.user.is_authenticated else None
    found = mentor_profile_page_row(profile_id=profile_id, viewer_id=viewer_id)
    if found is None:
        raise Http404
    profile, is_public, is_blocked = found
    privileged = viewer_id == profile.user_id or bool(request.user.is_staff)
    if privileged:
        profile, privileged = mentor_profile_for_viewer(
            profile_id=profile_id, viewer=request.user
        )
    elif not is_public or is_blocked:
        raise Http404
    preview = privileged and not profile.ever_approved
    skill_rows: Callable[[], list[tuple[Any, int, int]]]
    if preview:
        data = mentor_profile_working_copy(profile)
        skills = data["skills"]
        from .models import Skill

        names = {
            s.code: s
            for s in Skill.objects.filter(code__in=[e["code"] for e in skills])
        }
        rows = [
            (names[e["code"]], e["level"], e["years"])
            for e in skills
            if e["code"] in names
        ]
        skill_rows = functools.partial(list, rows)
    else:
        data = {
            "headline": profile.headline,
            "bio": profile.bio,
            "languages": profile.languages,
            "region": profile.get_region_display() if profile.region else "",
            "city": profile.city,
            "modes": profile.modes,
            "photo": profile.photo,
        }
        # Read only when the page's cached part is rebuilt.
        skill_rows = functools.partial(mentor_skill_rows, profile_id=profile.pk)
    return render(
        request,
        "mentors/mentor_detail.html",
        {
            "profile": profile,
            "data": data,
            # Rendered only when the cached public part is rebuilt.
            "bio_html": functools.partial(render_markdown, data["bio"]),
            "skill_rows": skill_rows,
            "preview": preview,
            "privileged": privileged,
            "is_owner": viewer_id == profile.user_id,
            # Staff see a hidden profile too; only a public one can be asked.
            "can_ask": is_public and not is_blocked,
            "has_pending_changes": privileged
            and profile.draft is not None
            and profile.ever_approved,
            "answer_days": profile.answer_days,
            "profile_panels": [
                part
                for part in hooks.profile_panels.send(
                    profile=profile, viewer=request.user
                )
                if part is not None
            ],
        },
    )


@require_safe
@domain_errors()
def mentor_photo(request: HttpRequest, profile_id: int) -> FileResponse:
    """A profile photo, only for those who may see the profile (never a raw URL)."""
    profile, privileged = mentor_profile_for_viewer(
        profile_id=profile_id, viewer=request.user
    )
    name = profile.photo
    if privileged and request.GET.get("version") == "draft" and profile.draft:
        name = profile.draft.get("photo", "")
    if not name:
        raise Http404
    response = FileResponse(
        private_storage().open(name, "rb"), content_type="image/jpeg"
    )
    # The public photo is the same for everyone who may see the card: the
    # viewer's browser may keep it an hour, no shared cache may. A draft is
    # the owner's or staff's alone and changes under the same URL: kept nowhere.
    response["Cache-Control"] = (
        "private, max-age=3600" if name == profile.photo else "private, no-store"
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors()
def report(request: HttpRequest, profile_id: int) -> HttpResponse:
    profile, _privileged = mentor_profile_for_viewer(
        profile_id=profile_id, viewer=request.user
    )
    me = _me(request)
    if profile.user_id == me.pk:
        raise Http404
    form = ReportForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        report_create(
            reporter=me,
            reported_user=profile.user,
            reason=form.cleaned_data["reason"],
            text=form.cleaned_data["text"],
        )
        messages.success(request, _("Thank you. The team will look at your report."))
        return redirect("mentors:detail", profile_id=profile.pk)
    return render(request, "mentors/report.html", {"form": form, "profile": profile})


@login_required
@require_http_methods(["GET", "POST"])
def block(request: HttpRequest, user_id: int) -> HttpResponse:
    """Block a person the viewer knows (a public mentor, someone they asked or
    work with): a page that says what it does, then the block on POST."""
    me = _me(request)
    person = person_known_to(viewer_id=me.pk, person_id=user_id)
    if person is None or person.pk == me.pk:
        raise Http404
    if request.method == "POST":
        block_create(blocker=me, blocked=person)
        messages.success(
            request,
            _("You have blocked this person. You will no longer see each other."),
        )
        return redirect("mentors:blocks")
    return render(request, "mentors/block_confirm.html", {"person": person})


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors("mentors:blocks")
def blocks(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    if request.method == "POST":
        try:
            block_id = int(request.POST.get("block", ""))
        except ValueError as exc:
            raise Http404 from exc
        block_delete(blocker=me, block_id=block_id)
        messages.success(request, _("The block is lifted."))
        return redirect("mentors:blocks")
    my_blocks = Block.objects.filter(blocker=me).select_related("blocked")
    return render(request, "mentors/blocks.html", {"blocks": my_blocks})


@login_required
@require_POST
@domain_errors("space")
def mentor_profile_visibility(request: HttpRequest) -> HttpResponse:
    published = request.POST.get("published") == "1"
    mentor_profile_set_published(user=_me(request), published=published)
    messages.success(
        request,
        _("Your profile is visible again.")
        if published
        else _("Your profile is hidden."),
    )
    return redirect("mentors:mentor-profile")
