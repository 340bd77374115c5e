"""Bad input gets a clear message on the form (in French, the default),
never a 500 nor a partial write."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mentors.models import LearnerProfile, MentorProfile
from tests.mentors.helpers import learner_form_data, mentor_form_data

pytestmark = pytest.mark.django_db


def _mentor_errors(client, **overrides) -> dict:
    response = client.post(
        reverse("mentors:mentor-profile"), mentor_form_data(**overrides)
    )
    assert response.status_code == 200
    errors = dict(response.context["form"].errors)
    for index, form_errors in enumerate(response.context["formset"].errors):
        for field, messages in form_errors.items():
            errors[f"skills-{index}-{field}"] = messages
    if response.context["formset"].non_form_errors():
        errors["skills"] = response.context["formset"].non_form_errors()
    return errors


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        (
            {"skills": [{"skill": "knitting", "level": "3", "years": "1"}]},
            "skills-0-skill",
            "compétence inconnue",
        ),
        (
            {"skills": [{"skill": "python", "level": "9", "years": "1"}]},
            "skills-0-level",
            "",
        ),
        (
            {"skills": [{"skill": "python", "level": "0", "years": "1"}]},
            "skills-0-level",
            "",
        ),
        (
            {"skills": [{"skill": "python", "level": "5", "years": "99"}]},
            "skills-0-years",
            "",
        ),
        (
            {
                "skills": [
                    {"skill": "python", "level": "5", "years": "1"},
                    {"skill": "python", "level": "6", "years": "2"},
                ]
            },
            "skills",
            "qu'une fois",
        ),
        ({"headline": "x" * 121}, "headline", "120"),
        ({"bio": "x" * 5001}, "bio", "5000"),
        ({"region": "99"}, "region", ""),
        ({"languages": ["xx"]}, "languages", ""),
        ({"modes": ["telepathy"]}, "modes", ""),
        ({"capacity": "0"}, "capacity", ""),
        (
            {
                "photo": SimpleUploadedFile(
                    "cat.jpg", b"not an image at all", "image/jpeg"
                )
            },
            "photo",
            "pas une photo",
        ),
        (
            {
                "photo": SimpleUploadedFile(
                    "huge.jpg", b"\xff\xd8" + b"0" * (2 * 1024 * 1024 + 1)
                )
            },
            "photo",
            "2 Mo",
        ),
    ],
)
def test_bad_mentor_profile_input_is_explained(client, user, overrides, field, words):
    client.force_login(user)

    errors = _mentor_errors(client, **overrides)

    assert field in errors, errors
    assert words.lower() in " ".join(str(m) for m in errors[field]).lower()
    profile = MentorProfile.objects.filter(user=user).first()
    assert profile is None or profile.draft is None


@pytest.mark.parametrize(
    ("skills", "field", "words"),
    [
        (
            [{"skill": "python", "current_level": "5", "target_level": "3"}],
            "target_level",
            "plus élevé",
        ),
        (
            [{"skill": "python", "current_level": "4", "target_level": "4"}],
            "target_level",
            "plus élevé",
        ),
        (
            [{"skill": "python", "current_level": "1", "target_level": "12"}],
            "target_level",
            "",
        ),
        (
            [{"skill": "nope", "current_level": "1", "target_level": "3"}],
            "skill",
            "compétence inconnue",
        ),
    ],
)
def test_bad_learner_skills_are_explained(client, user, skills, field, words):
    client.force_login(user)

    response = client.post(
        reverse("mentors:learner-profile"), learner_form_data(skills=skills)
    )

    assert response.status_code == 200
    errors = response.context["formset"].errors[0]
    assert field in errors
    assert words.lower() in " ".join(errors[field]).lower()
    assert not LearnerProfile.objects.filter(user=user, skills__isnull=False).exists()


def test_an_overlong_goal_and_unknown_region_are_explained(client, user):
    client.force_login(user)

    response = client.post(
        reverse("mentors:learner-profile"),
        learner_form_data(goals="x" * 3001, region="nowhere"),
    )

    assert response.status_code == 200
    assert {"goals", "region"} <= set(response.context["form"].errors)
