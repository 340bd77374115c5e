from __future__ import annotations

import numpy as np
import pytest
from django.db import transaction
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from matching.engine.data import Learner, Mentors
from matching.engine.reasons import reasons_for, render_all
from matching.engine.refresh import (
    suggestions_refresh_all,
    suggestions_refresh_for_learner,
)
from matching.engine.scoring import (
    Weights,
    capacity,
    language,
    level_gap,
    mode_place,
    responsiveness,
    score,
    skill_fit,
    time_overlap,
)
from matching.models import MatchSuggestion
from mentors.data_version import bump_mentor_data_version
from mentors.models import MentorProfile
from mentors.services import block_create
from tests.matching.helpers import learner_with_skills, mentor

SKILLS = {"python": 0, "seo": 1}


def mentors(**columns) -> Mentors:
    n = len(columns.get("levels", [[0, 0]]))
    langs = columns.get("languages", [frozenset({"fr"})] * n)
    all_langs = sorted({lang for group in langs for lang in group})
    index = {code: i for i, code in enumerate(all_langs)}
    matrix = np.zeros((n, max(len(all_langs), 1)), dtype=bool)
    for row, group in enumerate(langs):
        for lang in group:
            matrix[row, index[lang]] = True
    return Mentors(
        profile_ids=np.arange(1, n + 1),
        user_ids=np.arange(101, 101 + n),
        levels=np.array(columns.get("levels", [[0, 0]] * n), dtype=np.uint8),
        languages=langs,
        language_matrix=matrix,
        language_index=index,
        regions=np.array(columns.get("regions", ["11"] * n), dtype=object),
        modes=np.array(columns.get("modes", [1] * n), dtype=np.uint8),
        availability=np.array(
            columns.get("availability", [np.zeros(168, dtype=bool)] * n), dtype=bool
        ),
        capacity=np.array(columns.get("capacity", [2] * n)),
        remaining=np.array(columns.get("remaining", [2] * n)),
        acceptance=np.array(columns.get("acceptance", [np.nan] * n), dtype=float),
        answer_hours=np.array(columns.get("answer_hours", [np.nan] * n), dtype=float),
        skill_index=SKILLS,
    )


def learner(
    skills=((0, 1, 4),), languages=("fr",), region="11", modes=1, hours=()
) -> Learner:
    hours_utc = np.zeros(168, dtype=bool)
    hours_utc[list(hours)] = True
    return Learner(
        user_id=1,
        skills=list(skills),
        languages=frozenset(languages),
        region=region,
        modes=modes,
        hours_utc=hours_utc,
        has_windows=bool(hours),
    )


WEIGHTS = Weights(
    version=1,
    weights={
        "skill_fit": 10,
        "level_gap": 4,
        "language": 5,
        "mode_place": 5,
        "time_overlap": 3,
        "capacity": 2,
        "responsiveness": 2,
    },
)


def test_skill_fit_counts_partial_coverage():
    pool = mentors(levels=[[4, 0], [2, 0], [0, 0], [8, 3]])

    fit = skill_fit(learner(skills=((0, 1, 4), (1, 0, 3))), pool)

    assert fit.tolist() == pytest.approx([0.5, 0.25, 0.0, 1.0])


def test_level_gap_bonus_above_and_penalty_for_a_foundation_learner():
    pool = mentors(levels=[[4, 0], [6, 0], [3, 0], [8, 0], [2, 0]])

    assert level_gap(learner(skills=((0, 1, 4),)), pool).tolist() == pytest.approx(
        [0.7, 1.0, 0.0, 1.0, 0.0]
    )
    foundation = level_gap(learner(skills=((0, 0, 2),)), pool)
    assert foundation[3] == pytest.approx(0.5)  # a level-8 specialist for level 2
    assert foundation[4] == pytest.approx(0.7)


def test_language_mode_place_time_capacity_responsiveness():
    evening = np.zeros(168, dtype=bool)
    evening[[42, 43]] = True
    pool = mentors(
        levels=[[5, 0], [5, 0], [5, 0]],
        languages=[frozenset({"fr"}), frozenset({"en"}), frozenset({"fr", "ar"})],
        modes=[1, 4, 4],
        regions=["53", "53", "11"],
        availability=[evening, np.zeros(168, dtype=bool), evening],
        capacity=[2, 4, 1],
        remaining=[2, 1, 1],
        acceptance=[1.0, np.nan, 0.0],
        answer_hours=[12.0, np.nan, 168.0],
    )
    person = learner(
        languages=("fr",), region="11", modes=1 | 4, hours=(42, 43, 44, 45)
    )

    assert language(person, pool).tolist() == [1, 0, 1]
    assert mode_place(person, pool).tolist() == [1, 0, 1]  # in person needs region 11
    assert time_overlap(person, pool).tolist() == pytest.approx([0.5, 0.0, 0.5])
    assert capacity(person, pool).tolist() == pytest.approx([1.0, 0.25, 1.0])
    assert responsiveness(person, pool).tolist() == pytest.approx(
        [0.5 + 0.5 * (1 - 12 / 168), 0.5, 0.0]
    )


@pytest.mark.django_db
def test_reasons_are_written_in_french_and_english():
    evening = np.zeros(168, dtype=bool)
    evening[1 * 24 + 18] = True
    pool = mentors(levels=[[6, 0]], availability=[evening], answer_hours=[30.0])
    person = learner(skills=((0, 1, 4),), hours=(1 * 24 + 18,))
    found = reasons_for(person, pool, 0)

    with translation.override("fr"):
        (french,) = render_all([found])
    with translation.override("en"):
        (english,) = render_all([found])

    assert "Programmation en Python niveau 6, votre objectif\u00a0: 4" in french
    assert "Parle français" in french
    assert "Disponible le mardi soir comme vous" in french
    assert "Python programming level 6, your goal: 4" in english
    assert "Speaks french" in english
    assert "Available on Tuesday evening like you" in english
    assert "Usually answers within 2 days" in english


levels_strategy = st.lists(st.integers(0, 8), min_size=2, max_size=2)


@given(
    rows=st.lists(levels_strategy, min_size=1, max_size=8),
    target=st.integers(1, 8),
    langs=st.lists(st.sampled_from(["fr", "en", "ar"]), min_size=1, max_size=8),
    modes=st.lists(st.sampled_from([1, 2, 4, 5]), min_size=1, max_size=8),
)
def test_must_haves_are_never_violated(rows, target, langs, modes):
    n = min(len(rows), len(langs), len(modes))
    pool = mentors(
        levels=rows[:n],
        languages=[frozenset({lang}) for lang in langs[:n]],
        modes=modes[:n],
        regions=["53"] * n,
    )
    person = learner(skills=((0, 0, target),), languages=("fr",), region="11", modes=1)

    total, _parts, valid = score(person, pool, WEIGHTS)

    for row in np.flatnonzero(valid):
        assert "fr" in pool.languages[row]
        assert pool.modes[row] & 1  # video: the only way this learner meets
        assert pool.levels[row, 0] > 0
    assert ((total >= 0) & (total <= 1)).all()


@given(
    base=st.integers(0, 7),
    extra=st.integers(1, 8),
    target=st.integers(1, 8),
    other=st.integers(0, 8),
)
def test_more_skill_coverage_never_lowers_skill_fit_nor_the_total(
    base, extra, target, other
):
    better = min(base + extra, 8)
    pool = mentors(levels=[[base, other], [better, other]])
    person = learner(skills=((0, 0, target), (1, 0, 4)))

    fit = skill_fit(person, pool)
    only_fit = Weights(
        version=1, weights={**dict.fromkeys(WEIGHTS.weights, 0), "skill_fit": 1}
    )
    total, _parts, _valid = score(person, pool, only_fit)

    assert fit[1] >= fit[0]
    assert total[1] >= total[0]


# --- refreshes on the database ------------------------------------------------


@pytest.mark.django_db
def test_single_refresh_suggests_excludes_blocked_and_already_asked():
    person = learner_with_skills()
    good, blocked, asked = mentor(), mentor(), mentor()
    block_create(blocker=blocked.user, blocked=person)
    from matching.services import mentorship_request_create

    mentorship_request_create(
        learner=person,
        mentor_profile_id=asked.pk,
        skill_codes=["python"],
        message="Bonjour",
        preferred_mode="video",
    )
    bump_mentor_data_version()

    suggestions_refresh_for_learner(learner_id=person.pk)

    shown = set(
        MatchSuggestion.objects.filter(learner=person).values_list(
            "mentor_profile", flat=True
        )
    )
    assert good.pk in shown
    assert blocked.pk not in shown
    assert asked.pk not in shown
    suggestion = MatchSuggestion.objects.get(learner=person, mentor_profile=good)
    assert set(suggestion.breakdown) >= {"skill_fit", "language", "time_overlap"}
    assert any(r["code"] == "skill" for r in suggestion.reasons)


@pytest.mark.django_db(transaction=True)
def test_a_paused_mentor_disappears_on_a_warm_cache():
    # Committed, as in production: the pause moves the version after its commit.
    person = learner_with_skills()
    profile = mentor()
    suggestions_refresh_for_learner(learner_id=person.pk)  # warms the cache
    assert MatchSuggestion.objects.filter(mentor_profile=profile).exists()

    from matching.services import mentor_pause

    mentor_pause(mentor=profile.user, paused=True)
    suggestions_refresh_for_learner(learner_id=person.pk)

    assert not MatchSuggestion.objects.filter(mentor_profile=profile).exists()


@pytest.mark.django_db
def test_a_refresh_in_the_transaction_of_a_pause_sees_the_pause():
    # The version waits for the commit: the writer's own refresh reads uncached.
    person = learner_with_skills()
    profile = mentor()
    suggestions_refresh_for_learner(learner_id=person.pk)  # warms the cache
    assert MatchSuggestion.objects.filter(mentor_profile=profile).exists()

    from matching.services import mentor_pause

    with transaction.atomic():
        mentor_pause(mentor=profile.user, paused=True)
        suggestions_refresh_for_learner(learner_id=person.pk)

    assert not MatchSuggestion.objects.filter(mentor_profile=profile).exists()


@pytest.mark.django_db
def test_exposure_control_holds_after_a_full_refresh_and_many_single_ones(settings):
    settings.MATCHING_EXPOSURE_K = 1
    popular = mentor(capacity=2)  # may appear in 1 × 2 = 2 top lists
    learners = [learner_with_skills() for _ in range(5)]
    bump_mentor_data_version()

    result = suggestions_refresh_all()
    assert result["learners"] == 5
    assert MatchSuggestion.objects.filter(mentor_profile=popular).count() == 2

    for person in learners * 2:
        suggestions_refresh_for_learner(learner_id=person.pk)
    assert MatchSuggestion.objects.filter(mentor_profile=popular).count() <= 2


@pytest.mark.django_db
def test_the_full_refresh_is_idempotent():
    for _ in range(3):
        learner_with_skills()
    for _ in range(4):
        mentor()
    bump_mentor_data_version()

    suggestions_refresh_all()
    first = sorted(
        MatchSuggestion.objects.values_list(
            "learner_id", "mentor_profile_id", "rank", "score"
        )
    )
    suggestions_refresh_all()
    second = sorted(
        MatchSuggestion.objects.values_list(
            "learner_id", "mentor_profile_id", "rank", "score"
        )
    )

    assert first == second
    assert first


@pytest.mark.django_db
def test_suggestions_api_and_dashboard_show_the_reasons(client):
    person = learner_with_skills()
    profile = mentor(full_name="Karim Benali")
    bump_mentor_data_version()
    suggestions_refresh_for_learner(learner_id=person.pk)
    client.force_login(person)

    body = client.get("/api/v1/me/suggestions/").json()
    page = client.get("/mon-espace/").content.decode()

    assert body[0]["mentor"]["id"] == profile.pk
    assert "Python" in " ".join(body[0]["reasons"])
    assert "Karim Benali" in page
    assert "Programmation en Python niveau 6, votre objectif" in page
    assert MentorProfile.objects.filter(pk=profile.pk).exists()


@pytest.mark.django_db
def test_weights_are_versioned_and_the_admin_previews_unsaved_weights(
    client, staff_with_totp
):
    from django.urls import reverse

    from matching.models import MatchingWeights
    from tests.factories import PASSWORD, totp_code

    person = learner_with_skills()
    near = mentor(full_name="Alice Proche")
    far = mentor(full_name="Bruno Lointain")
    far.acceptance_rate_90d = 1
    far.median_answer_hours_90d = 1
    far.save()
    MentorProfile.objects.filter(pk=near.pk).update(capacity=20)
    bump_mentor_data_version()
    client.post(
        reverse("account_login"), {"login": staff_with_totp.email, "password": PASSWORD}
    )
    client.post(
        reverse("mfa_authenticate"), {"code": totp_code(staff_with_totp.totp_secret)}
    )

    first = MatchingWeights.objects.create()
    response = client.post(
        reverse("admin:matching_matchingweights_change", args=[first.pk]),
        {
            "skill_fit": 10,
            "level_gap": 4,
            "language": 5,
            "mode_place": 5,
            "time_overlap": 3,
            "capacity": 9,
            "responsiveness": 0,
            "must_language": "on",
            "must_mode_place": "on",
            "must_skill": "on",
        },
    )
    assert response.status_code == 302
    assert MatchingWeights.objects.count() == 2  # a new version; the old one kept
    assert MatchingWeights.objects.get(pk=first.pk).capacity == 2

    preview = client.get(
        reverse("admin:matching_matchingweights_preview"),
        {
            "learner": person.pk,
            **dict.fromkeys(MatchingWeights.CRITERIA, 0),
            "responsiveness": 10,
        },
    )
    assert preview.status_code == 200
    assert preview.context["proposed_top"][0]["name"] == "Bruno Lointain"
    assert {row["name"] for row in preview.context["current_top"]} == {
        "Alice Proche",
        "Bruno Lointain",
    }
    assert not MatchSuggestion.objects.exists()  # a preview writes nothing


@pytest.mark.django_db
def test_a_mentor_hides_and_shows_their_profile(client):
    from django.urls import reverse

    profile = mentor()
    client.force_login(profile.user)

    client.post(reverse("mentors:mentor-visibility"), {"published": "0"})
    client.logout()
    assert client.get(reverse("mentors:detail", args=[profile.pk])).status_code == 404

    client.force_login(profile.user)
    client.post(reverse("mentors:mentor-visibility"), {"published": "1"})
    client.logout()
    assert client.get(reverse("mentors:detail", args=[profile.pk])).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_slot_summary_reaches_a_warm_matrix_within_its_max_age(monkeypatch):
    # Slot summaries never move the version: the matrix's age bounds how long
    # a worker scores with the old availability.
    from matching.engine import data
    from mentors.services import mentor_profile_set_slot_summary

    profile = mentor()
    bump_mentor_data_version()
    clock = [1000.0]
    monkeypatch.setattr(data.time, "monotonic", lambda: clock[0])
    before = data.cached_mentors()
    row = list(before.profile_ids).index(profile.pk)
    assert not before.availability[row].any()

    mentor_profile_set_slot_summary(
        mentor_profile_id=profile.pk,
        next_free_slot_at=None,
        free_slots=(0, 0, 0),
        availability_bitmap=b"\xff" * 21,
    )
    clock[0] += data.MATRIX_MAX_AGE - 1
    assert data.cached_mentors() is before  # still within its age
    clock[0] += 2
    after = data.cached_mentors()

    assert after.availability[list(after.profile_ids).index(profile.pk)].all()
