from __future__ import annotations

import pytest
from django.utils import translation

from mentors import taxonomy
from mentors.levels import level_choices, level_label
from mentors.models import Skill, SkillArea

pytestmark = pytest.mark.django_db


def test_the_migration_loads_the_21_digcomp_competences_with_french_names():
    digcomp = Skill.objects.filter(area__framework="digcomp")

    assert digcomp.count() == 21
    assert sorted(digcomp.values_list("code", flat=True)) == sorted(
        taxonomy.DIGCOMP_COMPETENCE_CODES
    )
    assert SkillArea.objects.filter(framework="digcomp").count() == 5
    first = Skill.objects.get(code="1.1")
    assert first.name_fr.startswith("Naviguer")
    assert all(name for name in digcomp.values_list("name_fr", flat=True))


def test_at_least_30_job_skills_in_areas():
    jobs = Skill.objects.filter(area__framework="job")

    assert jobs.count() >= 30
    assert jobs.filter(area__isnull=True).count() == 0


def test_names_follow_the_language():
    skill = Skill.objects.get(code="1.1")
    with translation.override("en"):
        assert skill.name == skill.name_en
    with translation.override("fr"):
        assert skill.name == skill.name_fr


def test_eight_levels_each_with_a_plain_description_in_both_languages():
    with translation.override("fr"):
        french = level_choices()
    with translation.override("en"):
        english = level_choices()

    assert [level for level, _label in french] == list(range(1, 9))
    assert french != english
    assert "Fondamental" in level_label(1) or "Fondamental" in french[0][1]
    assert all(len(label) > 20 for _level, label in french + english)
