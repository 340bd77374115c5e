"""The weight index holds each listed profile's search terms and skills in
one entry, which btree limits to 2,704 bytes: the largest profile the forms
allow (30 skills, the longest codes, at the highest level) with search terms
just under their cap is still written, and in the index."""

from __future__ import annotations

import random
import string

import pytest
from django.db import connection
from django.db.models.functions import Length

from mentors.models import SEARCH_TERMS_MAX_TEXT, MentorProfile, Skill
from mentors.search import mentor_search_refresh
from tests.mentors.test_directory import make_mentor

pytestmark = pytest.mark.django_db


def _terms_text_size(profile: MentorProfile) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT octet_length(strip(search_vector)::text)"
            " FROM mentors_mentorprofile WHERE id = %s",
            [profile.pk],
        )
        return cursor.fetchone()[0]


def test_the_largest_profile_still_fits_the_weight_index():
    longest = list(Skill.objects.order_by(Length("code").desc(), "code")[:30])
    assert len(longest) == 30
    profile = make_mentor(
        "Profil Très Complet",
        "Développeuse",
        skills=tuple((skill.code, 8) for skill in longest),
        bio="",
    )
    # Made-up words (each term's text: its letters and three characters) up
    # to just under the cap.
    room = SEARCH_TERMS_MAX_TEXT - _terms_text_size(profile) - 30
    rng = random.Random(5)
    words = [
        "".join(rng.choices(string.ascii_lowercase, k=9)) for _ in range(room // 12)
    ]
    MentorProfile.objects.filter(pk=profile.pk).update(bio=" ".join(words))
    # The refresh writes the terms and the skills: the index takes the entry.
    assert mentor_search_refresh(profile_ids=[profile.pk]) == 1

    profile.refresh_from_db()
    assert len(profile.search_skills) == 30
    assert (
        SEARCH_TERMS_MAX_TEXT - 60 < _terms_text_size(profile) <= SEARCH_TERMS_MAX_TEXT
    )
    assert profile.search_terms is not None  # in the weight index
