"""The learner and mentor editors speak plain words: languages as boxes,
availability as a days × moments grid, skills by need without codes, levels
as sentences, the ROME/ESCO code tucked away."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from mentors import taxonomy
from mentors.forms import hours_to_windows, windows_to_hours
from mentors.levels import (
    LEARNER_CURRENT_STEPS,
    LEARNER_TARGET_STEPS,
    MENTOR_STEPS,
    PLAIN_STEPS,
)
from mentors.models import LearnerProfile, LearnerSkill, MentorProfile, Skill
from tests.mentors.helpers import learner_form_data, mentor_form_data

pytestmark = pytest.mark.django_db

LEARNER_URL = reverse("mentors:learner-profile")
MENTOR_URL = reverse("mentors:mentor-profile")
# "2.3 — S'engager…", or any DigComp code shown as text.
CODE_TEXT = re.compile(r">\s*\d\.\d\b|\b\d\.\d\s+—")


def _page(client, url: str = LEARNER_URL) -> str:
    return client.get(url).content.decode()


def _checkbox_values(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="checkbox" name="{name}" value="([^"]+)"', html)


def test_languages_are_common_boxes_french_first_and_no_multi_select(client, user):
    client.force_login(user)

    html = _page(client)

    boxes = _checkbox_values(html, "languages")
    assert boxes[0] == "fr"
    assert {"en", "ar", "es", "pt"} <= set(boxes)
    assert len(boxes) <= 10
    assert "multiple" not in html
    other = re.search(r'<select name="other_language".*?</select>', html, re.S)
    assert other
    assert 'value="ro"' in other.group(0)
    assert 'value="fr"' not in other.group(0)


def test_another_language_from_the_list_is_saved_then_shown_as_a_ticked_box(
    client, user
):
    client.force_login(user)

    response = client.post(
        LEARNER_URL, learner_form_data(languages=["fr"], other_language="ro")
    )

    assert response.status_code == 302
    assert LearnerProfile.objects.get(user=user).languages == ["fr", "ro"]
    html = _page(client)
    assert re.search(r'name="languages" value="ro"[^>]*checked', html)
    # One more can be added on the next save, the earlier one kept.
    client.post(
        LEARNER_URL, learner_form_data(languages=["fr", "ro"], other_language="pl")
    )
    assert LearnerProfile.objects.get(user=user).languages == ["fr", "ro", "pl"]


def test_no_language_at_all_is_explained(client, user):
    client.force_login(user)

    response = client.post(LEARNER_URL, learner_form_data(languages=[]))

    assert response.status_code == 200
    assert response.context["form"].errors["languages"] == [
        "Choisissez au moins une langue."
    ]


def test_the_grid_labels_each_box_with_its_day_and_moment(client, user):
    client.force_login(user)

    html = _page(client)

    grid = re.search(r'<table class="time-grid">.*?</table>', html, re.S)
    assert grid
    assert '<th scope="row">Mardi</th>' in grid.group(0)
    assert re.search(r'<th scope="col">Soir<span[^>]*>18\xa0h – 21\xa0h', grid.group(0))
    cell = re.search(
        r'<label class="time-grid-cell" for="([^"]+)">'
        r'<input type="checkbox" name="time_windows" value="1-evening" id="([^"]+)"'
        r'[^>]*>\s*<span class="visually-hidden">([^<]+)</span></label>',
        grid.group(0),
    )
    assert cell
    assert cell.group(1) == cell.group(2)
    assert cell.group(3) == "Mardi soir"
    assert len(_checkbox_values(grid.group(0), "time_windows")) == 28


def test_tuesday_evening_in_the_grid_saves_the_same_hours_as_before(client, user):
    client.force_login(user)

    client.post(LEARNER_URL, learner_form_data(time_windows=["1-evening"]))

    hours = LearnerProfile.objects.get(user=user).time_windows
    assert hours == [24 + 18, 24 + 19, 24 + 20] == windows_to_hours(["1-evening"])
    assert hours_to_windows(hours) == ["1-evening"]
    assert re.search(r'value="1-evening"[^>]*checked', _page(client))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_skills_show_in_plain_words_grouped_by_need_without_codes(
    client, user, language
):
    client.force_login(user)
    client.cookies["lang"] = language

    html = _page(client)

    select = re.search(r'<select name="skills-0-skill".*?</select>', html, re.S)
    assert select
    assert not CODE_TEXT.search(select.group(0))
    assert not CODE_TEXT.search(html)
    assert "Naviguer, rechercher et filtrer" not in html
    english = language == "en"
    need = taxonomy.NEEDS[0]
    assert f'<optgroup label="{need.name_en if english else need.name_fr}">' in (
        select.group(0)
    )
    plain = taxonomy.PLAIN_NAMES["2.3"][1 if english else 0]
    assert re.search(
        r'<option value="2.3">' + re.escape(plain.replace("'", "&#x27;")),
        select.group(0),
    )
    # Every skill is offered, each once.
    values = re.findall(r'<option value="([^"]+)"', select.group(0))
    assert sorted(values) == sorted(Skill.objects.values_list("code", flat=True))


def test_plain_learner_levels_map_to_the_stored_levels(client, user):
    client.force_login(user)
    skills = [{"skill": "2.3", "current_level": "0", "target_level": "3"}]

    client.post(LEARNER_URL, learner_form_data(skills=skills))

    [wanted] = LearnerSkill.objects.filter(profile__user=user)
    assert (wanted.skill.code, wanted.current_level, wanted.target_level) == (
        "2.3",
        0,
        3,
    )
    html = _page(client)
    assert re.search(r'value="3"[^>]*checked[^>]*>\s*Je me débrouille : ', html), (
        "the saved level is shown in its words"
    )
    with translation.override("fr"):
        assert str(PLAIN_STEPS[1]).startswith("Je débute")
        assert str(PLAIN_STEPS[3]).startswith("Je me débrouille")
        assert str(PLAIN_STEPS[4]).startswith("Je suis à l'aise")
    assert (LEARNER_CURRENT_STEPS, LEARNER_TARGET_STEPS) == ((0, 1, 3, 4), (1, 3, 4, 5))


def test_a_level_saved_between_steps_is_kept_on_an_unchanged_save(client, user):
    client.force_login(user)
    skills = [{"skill": "python", "current_level": "2", "target_level": "6"}]
    client.post(LEARNER_URL, learner_form_data(skills=skills))

    html = _page(client)

    assert re.search(r'name="skills-0-current_level" value="2"[^>]*checked', html)
    assert "0 —" not in html
    assert "2 —" not in html
    [wanted] = LearnerSkill.objects.filter(profile__user=user)
    assert (wanted.current_level, wanted.target_level) == (2, 6)


def test_plain_mentor_levels_map_to_the_stored_levels(client, user):
    client.force_login(user)

    response = client.post(
        MENTOR_URL,
        mentor_form_data(
            languages=["fr"],
            other_language="ro",
            skills=[{"skill": "4.1", "level": "6", "years": "5"}],
        ),
    )

    assert response.status_code == 302
    draft = MentorProfile.objects.get(user=user).draft
    assert [(e["code"], e["level"]) for e in draft["skills"]] == [("4.1", 6)]
    assert draft["languages"] == ["fr", "ro"]
    html = _page(client, MENTOR_URL)
    assert re.search(r'value="6"[^>]*checked[^>]*>\s*Je peux l&#x27;enseigner', html)
    assert not CODE_TEXT.search(html)
    assert "multiple" not in html
    with translation.override("fr"):
        assert str(PLAIN_STEPS[5]).startswith("Je maîtrise")
    assert MENTOR_STEPS == (4, 5, 6, 7)


def test_the_rome_or_esco_code_is_optional_inside_more_details(client, user):
    client.force_login(user)

    html = _page(client)

    details = re.search(r"<details>(.*?)</details>", html, re.S)
    assert details
    assert "Plus de précisions (facultatif)" in details.group(1)
    assert 'name="occupation_code"' in details.group(1)
    assert html.count('name="occupation_code"') == 1
    response = client.post(LEARNER_URL, learner_form_data(occupation_code=""))
    assert response.status_code == 302
    assert LearnerProfile.objects.get(user=user).occupation_code == ""
    client.post(LEARNER_URL, learner_form_data(occupation_code="M1805"))
    assert LearnerProfile.objects.get(user=user).occupation_code == "M1805"


def test_a_too_long_code_opens_the_details_with_its_error(client, user):
    client.force_login(user)

    response = client.post(LEARNER_URL, learner_form_data(occupation_code="x" * 201))

    assert response.status_code == 200
    assert "<details open>" in response.content.decode()
    assert response.context["code_form"].errors["occupation_code"]
