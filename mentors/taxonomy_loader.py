"""Load the skill taxonomy (``taxonomy.py``) into the database.

Used by the data migration and, since transactional tests flush every table, by
the test suite to reload it. Idempotent: existing codes are updated in place.
"""

from __future__ import annotations

from typing import Any

from . import taxonomy


def load_taxonomy(apps: Any = None) -> tuple[int, int]:
    if apps is None:
        from django.apps import apps as current_apps

        apps = current_apps
    skill_area = apps.get_model("mentors", "SkillArea")
    skill = apps.get_model("mentors", "Skill")
    taxonomy.validate()
    areas = {}
    for position, area in enumerate(taxonomy.AREAS):
        areas[area.code], _ = skill_area.objects.update_or_create(
            code=area.code,
            defaults={
                "framework": area.framework,
                "name_fr": area.name_fr,
                "name_en": area.name_en,
                "position": position,
            },
        )
    for position, spec in enumerate(taxonomy.SKILLS):
        skill.objects.update_or_create(
            code=spec.code,
            defaults={
                "area": areas[spec.area],
                "name_fr": spec.name_fr,
                "name_en": spec.name_en,
                "esco_uri": spec.esco_uri,
                "position": position,
            },
        )
    return len(taxonomy.AREAS), len(taxonomy.SKILLS)
