"""Directory search documents: kept in columns, never computed per request.

``search_vector``: French full text (``unaccent`` then the French stemmer), the
headline and skills weighted first, the name second, the bio and city last.
``search_text``: name, headline, skills and city, unaccented and lower-cased,
for trigram word similarity (typos). Both come from the *published* content.
"""

from __future__ import annotations

from django.db import connection

_REFRESH_SQL = """
WITH docs AS (
    SELECT p.id,
           coalesce(u.full_name, '') AS name,
           coalesce(p.headline, '') AS headline,
           coalesce(p.bio, '') AS bio,
           coalesce(p.city, '') AS city,
           coalesce(string_agg(s.name_fr || ' ' || s.name_en || ' ' || s.code, ' '), '')
               AS skills
    FROM mentors_mentorprofile p
    JOIN accounts_user u ON u.id = p.user_id
    LEFT JOIN mentors_mentorskill ms ON ms.profile_id = p.id
    LEFT JOIN mentors_skill s ON s.id = ms.skill_id
    WHERE {where}
    GROUP BY p.id, u.full_name
)
UPDATE mentors_mentorprofile p SET
    search_vector =
        setweight(
            to_tsvector('french', unaccent(docs.headline || ' ' || docs.skills)), 'A'
        )
        || setweight(to_tsvector('french', unaccent(docs.name)), 'B')
        || setweight(
            to_tsvector('french', unaccent(docs.bio || ' ' || docs.city)), 'C'
        ),
    search_text = lower(unaccent(concat_ws(' ', docs.name, docs.headline, docs.skills,
                                           docs.city)))
FROM docs
WHERE docs.id = p.id
"""


def mentor_search_refresh(
    *, profile_ids: list[int] | None = None, user_ids: list[int] | None = None
) -> int:
    """Recompute the search columns of some profiles (all when no id is given).

    Call in the transaction that changes the published content (approval) or a
    mentor's name; one SQL statement whatever the number of profiles.
    """
    params: list[list[int]] = []
    if profile_ids is not None:
        where, params = "p.id = ANY(%s)", [profile_ids]
    elif user_ids is not None:
        where, params = "p.user_id = ANY(%s)", [user_ids]
    else:
        where = "TRUE"
    with connection.cursor() as cursor:
        cursor.execute(_REFRESH_SQL.format(where=where), params)
        return cursor.rowcount
