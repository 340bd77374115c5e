"""Directory search documents: kept in columns, never computed per request.

``search_vector``: French full text (``unaccent`` then the French stemmer), the
headline and skills weighted first, the name second, the bio and city last.
``search_text``: name, headline, skills and city, unaccented and lower-cased,
for trigram word similarity (typos). Both come from the *published* content.

A query is read first for the everyday words of ``taxonomy.EVERYDAY_WORDS``
("cv", "e-mail", "tableur"): they stand for skills, searched as such, and only
the rest of the query is searched as text.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import connection

from .taxonomy import EVERYDAY_WORDS

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


def query_words(text: str) -> list[str]:
    """The words of a query as the search compares them: lower case, without
    accents, split on anything that is not a letter or a digit ("e-mail" is
    "e", "mail")."""
    plain = "".join(
        ch
        for ch in unicodedata.normalize("NFKD", text.lower())
        if not unicodedata.combining(ch)
    )
    return re.findall(r"[^\W_]+", plain)


_EVERYDAY: dict[tuple[str, ...], tuple[str, ...]] = {
    tuple(query_words(word)): entry.skills
    for entry in EVERYDAY_WORDS
    for word in entry.words
}
_LONGEST = max(len(phrase) for phrase in _EVERYDAY)


def everyday_words_split(text: str) -> tuple[tuple[str, ...], str]:
    """The skills meant by the everyday words of a query (in the order the
    words come), and what is left of the query to search as text.

    The longest phrase wins ("site internet" before "internet"). A query with
    no everyday word comes back whole, so its search syntax (quotes, "-") is
    kept.
    """
    words = query_words(text)
    skills: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(words):
        for size in range(min(_LONGEST, len(words) - index), 0, -1):
            meant = _EVERYDAY.get(tuple(words[index : index + size]))
            if meant:
                skills += [code for code in meant if code not in skills]
                index += size
                break
        else:
            rest.append(words[index])
            index += 1
    if not skills:
        return (), text.strip()
    return tuple(skills), " ".join(rest)
