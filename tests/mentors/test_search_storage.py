"""The search columns every directory page reads stay in the profile's row
(migrations 0021 and 0026): a heavy profile with a long bio has its bio moved
to the TOAST table, not its skills, document or terms (each read of those
would cost three more buffers: the window's ranking, the cards, the
filters)."""

from __future__ import annotations

import importlib
import random
import string

import pytest
from django.db import connection

from mentors.models import MentorProfile, Skill
from tests.mentors.test_directory import make_mentor

pytestmark = pytest.mark.django_db

COLUMNS = ("search_skills", "search_vector", "search_terms")
_MIGRATION = importlib.import_module(
    "mentors.migrations.0026_search_columns_kept_in_row"
)
_NEEDS_17 = pytest.mark.skipif(
    "connection.pg_version < 170000",
    reason="pg_column_toast_chunk_id needs PostgreSQL 17 (the embedded one is 18)",
)


def _heavy_profile() -> MentorProfile:
    """20 skills and a bio of 3,000 characters, as the bench's heaviest."""
    skills = list(Skill.objects.order_by("code")[:20])
    rng = random.Random(3)
    bio = " ".join(
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 11)))
        for _ in range(380)
    )[:3000]
    return make_mentor(
        "Profil Chargé",
        "Analyste de données et formatrice",
        skills=tuple((skill.code, 6) for skill in skills),
        bio=bio,
    )


def _outside(profile: MentorProfile) -> dict[str, bool]:
    """Which of the columns are out of the row (PostgreSQL 17 and later)."""
    checks = ", ".join(
        f"pg_column_toast_chunk_id({c}) IS NOT NULL" for c in (*COLUMNS, "bio")
    )
    sql = f"SELECT {checks} FROM mentors_mentorprofile WHERE id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [profile.pk])
        return dict(zip((*COLUMNS, "bio"), cursor.fetchone(), strict=True))


def _run(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def test_the_search_columns_are_stored_main():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute"
            " WHERE attrelid = 'mentors_mentorprofile'::regclass"
            " AND attname = ANY(%s)",
            [list(COLUMNS)],
        )
        assert dict(cursor.fetchall()) == dict.fromkeys(COLUMNS, "m")


@_NEEDS_17
def test_a_heavy_profile_keeps_its_search_columns_in_its_row():
    profile = _heavy_profile()
    assert _outside(profile) == {
        "search_skills": False,
        "search_vector": False,
        "search_terms": False,
        "bio": True,
    }


@_NEEDS_17
def test_the_migration_brings_back_into_the_rows_the_skills_out_of_them():
    # The storage before the migration; a low target makes PostgreSQL move
    # the skills out of a row as it did for the bench's heaviest profiles.
    _run(
        [
            *_MIGRATION.BACKWARD,
            "ALTER TABLE mentors_mentorprofile SET (toast_tuple_target = 128)",
        ]
    )
    profile = _heavy_profile()
    _run(
        [
            "UPDATE mentors_mentorprofile"
            " SET search_skills = search_skills || '{}'::text[]",
            # The deferred constraints' checks, pending since the writes
            # above, would stop the ALTER TABLE.
            "SET CONSTRAINTS ALL IMMEDIATE",
            "ALTER TABLE mentors_mentorprofile RESET (toast_tuple_target)",
        ]
    )
    assert _outside(profile)["search_skills"]

    _run(_MIGRATION.FORWARD)

    assert not _outside(profile)["search_skills"]
