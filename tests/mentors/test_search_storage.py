"""The search columns every directory page reads stay in the profile's row
(migration 0026): a heavy profile with a long bio has its bio moved to the
TOAST table, not its skills, document or terms (each read of those would
cost three more buffers: the window's ranking, the cards, the filters)."""

from __future__ import annotations

import importlib
import random
import string

import pytest
from django.db import connection

from mentors.models import MentorProfile, Skill
from mentors.search import mentor_search_refresh
from tests.mentors.test_directory import make_mentor

pytestmark = pytest.mark.django_db

COLUMNS = ("search_skills", "search_vector", "search_terms")
_MIGRATION = importlib.import_module(
    "mentors.migrations.0026_search_columns_kept_in_row"
)


def _heavy_profile() -> MentorProfile:
    """20 skills and a bio of 3,000 characters, as the bench's heaviest."""
    skills = list(Skill.objects.order_by("code")[:20])
    rng = random.Random(3)
    bio = " ".join(
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 11)))
        for _ in range(380)
    )[:3000]
    profile = make_mentor(
        "Profil Chargé",
        "Analyste de données et formatrice",
        skills=tuple((skill.code, 6) for skill in skills),
        bio=bio,
    )
    assert mentor_search_refresh(profile_ids=[profile.pk]) in (0, 1)
    return profile


def _outside(profile: MentorProfile) -> dict[str, bool]:
    """Which of the columns are out of the row (PostgreSQL 17 and later)."""
    checks = ", ".join(
        f"pg_column_toast_chunk_id({c}) IS NOT NULL" for c in (*COLUMNS, "bio")
    )
    sql = f"SELECT {checks} FROM mentors_mentorprofile WHERE id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [profile.pk])
        return dict(zip((*COLUMNS, "bio"), cursor.fetchone(), strict=True))


def test_the_search_columns_are_stored_main():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute"
            " WHERE attrelid = 'mentors_mentorprofile'::regclass"
            " AND attname = ANY(%s)",
            [list(COLUMNS)],
        )
        assert dict(cursor.fetchall()) == dict.fromkeys(COLUMNS, "m")


@pytest.mark.skipif(
    "connection.pg_version < 170000",
    reason="pg_column_toast_chunk_id needs PostgreSQL 17 (the embedded one is 18)",
)
def test_a_heavy_profile_keeps_its_search_columns_in_its_row():
    profile = _heavy_profile()
    assert _outside(profile) == {
        "search_skills": False,
        "search_vector": False,
        "search_terms": False,
        "bio": True,
    }


@pytest.mark.skipif(
    "connection.pg_version < 170000",
    reason="pg_column_toast_chunk_id needs PostgreSQL 17 (the embedded one is 18)",
)
def test_the_migration_brings_back_into_the_rows_the_columns_out_of_them():
    with connection.cursor() as cursor:
        cursor.execute(_MIGRATION._storage("EXTENDED"))
        # What the default storage does with a row over ~2 KB: its largest
        # values out (a low target makes it move the skills too).
        cursor.execute(
            "ALTER TABLE mentors_mentorprofile SET (toast_tuple_target = 128)"
        )
    profile = _heavy_profile()
    MentorProfile.objects.filter(pk=profile.pk).update(search_weight=1)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE mentors_mentorprofile"
            " SET search_skills = search_skills || '{}'::text[] WHERE id = %s",
            [profile.pk],
        )
    assert _outside(profile)["search_skills"]
    with connection.cursor() as cursor:
        # The deferred constraints' checks, pending since the writes above,
        # would stop the ALTER TABLE.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE mentors_mentorprofile RESET (toast_tuple_target)")
        cursor.execute(_MIGRATION._storage("MAIN"))

    class _Editor:
        def __init__(self) -> None:
            self.connection = connection

        def execute(self, sql: str) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql)

    _MIGRATION._rewrite(None, _Editor())

    outside = _outside(profile)
    assert not outside["search_skills"]
    assert not outside["search_vector"]
    assert not outside["search_terms"]
