from __future__ import annotations

from typing import Any

from django.urls import reverse

from mentors.services import mentor_profile_approve, mentor_profile_get_or_create


def formset_data(
    prefix: str, rows: list[dict[str, Any]], extra: int = 0
) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + extra),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def mentor_form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "headline": "Développeuse web, j'aide à démarrer en Python",
        "bio": "Vingt ans de métier dans le web. J'aime expliquer simplement, "
        "pas à pas, avec des exemples concrets.",
        "languages": ["fr", "en"],
        "region": "53",
        "city": "Rennes",
        "modes": ["video", "in_person"],
        "capacity": "3",
    }
    skills = overrides.pop("skills", [{"skill": "python", "level": "6", "years": "8"}])
    data.update(overrides)
    data.update(formset_data("skills", skills))
    return data


def learner_form_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "goals": "Trouver un emploi de développeuse web.",
        "situation": "reconversion",
        "target_occupation": "Développeuse web",
        "occupation_code": "M1805",
        "languages": ["fr"],
        "region": "53",
        "modes": ["video"],
        "time_windows": ["1-evening", "3-morning"],
    }
    skills = overrides.pop(
        "skills", [{"skill": "python", "current_level": "1", "target_level": "4"}]
    )
    data.update(overrides)
    data.update(formset_data("skills", skills))
    return data


def make_approved_mentor(client, user, staff, **overrides: Any):
    """Fill, submit and approve a mentor profile through the real paths."""
    client.force_login(user)
    response = client.post(
        reverse("mentors:mentor-profile"), mentor_form_data(**overrides)
    )
    assert response.status_code == 302, (
        response.context and response.context["form"].errors
    )
    client.post(reverse("mentors:mentor-profile-submit"), {"accept_charter": "on"})
    profile = mentor_profile_get_or_create(user=user)
    return mentor_profile_approve(profile=profile, staff=staff)
