"""Directory search documents and the search lexicon: kept in columns and a
table, never computed per request.

``MentorProfile.search_vector``: French full text (``unaccent``, punctuation
read as spaces, then the French stemmer), the headline and skills weighted
first, the name second, the bio and city last. ``MentorProfile.search_weight``:
the sum of the profile's skill levels, the order in which the directory takes
the few hundred profiles it ranks among those a frequent word matches.
``MentorProfile.search_skills``: the profile's skills as ``"code:level"``
(``skill_levels`` names the ones a filter accepts), which the directory's
skill filters read from the row or an index instead of joining the skills.
``ProfileSearchWords``: the words of that document (unaccented, lower case)
that the profile counts in the lexicon, none while the profile is not public.
``SearchWord``: the lexicon, every word of the public profiles with its French
stem and the number of public profiles holding it, trigram-indexed: a query
word that is not in it is corrected to the nearest word that is (pg_trgm's
documentation describes this way of suggesting spellings).

Punctuation is a space in documents and queries alike ("UX/UI", "e-mail",
"Node.js" are two words each), so the lexicon holds exactly the words the full
text indexes, and a word whose stem is in the lexicon finds a profile.

A query is read first for the everyday words of ``taxonomy.EVERYDAY_WORDS``
("cv", "e-mail", "tableur"): they stand for skills, searched as such, and only
the rest of the query is searched as text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction

from core.db import prepared_cursor

from .choices import LEVEL_MAX, LEVEL_MIN
from .data_version import bump_mentor_data_version, mentor_data_pending
from .models import MentorProfile
from .taxonomy import EVERYDAY_WORDS

# Punctuation and symbols become spaces: what the full text and the lexicon read.
PLAIN = "regexp_replace(unaccent({}), '[^[:alnum:]]+', ' ', 'g')"
# Lexicon words: two letters at least ("ia", "ux"), with a letter (no bare
# numbers), not absurdly long (pasted links).
WORD_MIN, WORD_MAX = 2, 40

_REFRESH_SQL = """
WITH docs AS (
    SELECT p.id,
           ({public}) AS is_public,
           coalesce(u.full_name, '') AS name,
           coalesce(p.headline, '') AS headline,
           coalesce(p.bio, '') AS bio,
           coalesce(p.city, '') AS city,
           coalesce(string_agg(s.name_fr || ' ' || s.name_en || ' ' || s.code, ' '), '')
               AS skills,
           least(coalesce(sum(ms.level), 0), 32767)::smallint AS weight,
           coalesce(array_agg(s.code || ':' || ms.level ORDER BY s.code)
                    FILTER (WHERE ms.id IS NOT NULL), '{{}}') AS skills_held
    FROM mentors_mentorprofile p
    JOIN accounts_user u ON u.id = p.user_id
    LEFT JOIN mentors_mentorskill ms ON ms.profile_id = p.id
    LEFT JOIN mentors_skill s ON s.id = ms.skill_id
    WHERE {where}
    GROUP BY p.id, u.full_name
),
plain AS (
    -- Each part unaccented, its punctuation made spaces, once.
    SELECT docs.id, docs.is_public, docs.weight, docs.skills_held,
           {headline_skills} AS first, {name} AS second, {bio_city} AS third
    FROM docs
),
computed AS MATERIALIZED (  -- each document read once, however often used
    SELECT plain.id, plain.weight, plain.skills_held,
           setweight(to_tsvector('french', plain.first), 'A')
           || setweight(to_tsvector('french', plain.second), 'B')
           || setweight(to_tsvector('french', plain.third), 'C') AS vector,
           CASE WHEN plain.is_public THEN ARRAY(
               SELECT DISTINCT word
               FROM unnest(string_to_array(
                   lower(plain.first || ' ' || plain.second || ' ' || plain.third),
                   ' ')) AS word
               WHERE length(word) BETWEEN {word_min} AND {word_max}
                 AND word ~ '[[:alpha:]]'
               ORDER BY word
           ) ELSE '{{}}'::text[] END AS words
    FROM plain
),
changed AS (
    SELECT c.id, c.vector, c.weight, c.skills_held, c.words,
           coalesce(sw.words, '{{}}') AS old_words,
           (p.search_vector, p.search_weight, p.search_skills)
               IS DISTINCT FROM (c.vector, c.weight, c.skills_held) AS new_vector,
           coalesce(sw.words, '{{}}') IS DISTINCT FROM c.words AS new_words
    FROM computed c
    JOIN mentors_mentorprofile p ON p.id = c.id
    LEFT JOIN mentors_profilesearchwords sw ON sw.profile_id = c.id
),
vectors AS (
    UPDATE mentors_mentorprofile p
    SET search_vector = changed.vector, search_weight = changed.weight,
        search_skills = changed.skills_held
    FROM changed
    WHERE changed.id = p.id AND changed.new_vector
    RETURNING p.id
),
kept_words AS (
    INSERT INTO mentors_profilesearchwords (profile_id, words)
    SELECT id, words FROM changed WHERE new_words
    ON CONFLICT (profile_id) DO UPDATE SET words = EXCLUDED.words
    RETURNING profile_id
),
delta AS MATERIALIZED (  -- summed first, then each word stemmed once
    SELECT word, sum(change)::integer AS change
    FROM (
        SELECT unnest(words) AS word, 1 AS change FROM changed WHERE new_words
        UNION ALL
        SELECT unnest(old_words), -1 FROM changed WHERE new_words
    ) AS changes
    GROUP BY word
    HAVING sum(change) <> 0
),
stemmed AS (
    SELECT word, change, (tsvector_to_array(to_tsvector('french', word)))[1] AS stem
    FROM delta
),
counted AS (
    INSERT INTO mentors_searchword AS lexicon (word, stem, documents)
    SELECT word, stem, change FROM stemmed
    WHERE stem IS NOT NULL  -- French stop-words: the full text ignores them
    ORDER BY word  -- rows locked in one order: concurrent refreshes never deadlock
    ON CONFLICT (word) DO UPDATE SET documents = lexicon.documents + EXCLUDED.documents
    RETURNING lexicon.word, lexicon.documents
)
SELECT (SELECT count(*)
        FROM (SELECT id FROM vectors UNION SELECT profile_id FROM kept_words) AS ids),
       ARRAY(SELECT word FROM counted WHERE documents <= 0)
"""

_REFRESH_PARTS = {
    "headline_skills": PLAIN.format("docs.headline || ' ' || docs.skills"),
    "name": PLAIN.format("docs.name"),
    "bio_city": PLAIN.format("docs.bio || ' ' || docs.city"),
    "word_min": WORD_MIN,
    "word_max": WORD_MAX,
}

_LOCK_SQL = (
    "SELECT p.id FROM mentors_mentorprofile p WHERE {where} ORDER BY p.id FOR UPDATE"
)
_FORGET_SQL = "DELETE FROM mentors_searchword WHERE word = ANY(%s) AND documents <= 0"


def skill_levels(codes: Iterable[str], *, min_level: int | None = None) -> list[str]:
    """The ``search_skills`` entries of these skills at ``min_level`` or
    above (any level when None): a profile holds one of these skills, at such
    a level, exactly when its ``search_skills`` overlap them."""
    levels = range(min_level or LEVEL_MIN, LEVEL_MAX + 1)
    return [f"{code}:{level}" for code in codes for level in levels]


def mentor_search_refresh(
    *, profile_ids: list[int] | None = None, user_ids: list[int] | None = None
) -> int:
    """Recompute the search columns of some profiles (all when no id is given)
    and adjust the lexicon's counts by what changed; return how many profiles
    changed.

    Call in the transaction of any change to what a profile publishes (approval,
    a name, a skill's name) or to whether it is public (shown, hidden by staff,
    account turned on or off). Locks the profiles' rows (in id order), then the
    lexicon rows of the words that changed (in word order). Three statements
    whatever the number of profiles; a profile that did not change writes
    nothing.
    """
    return _refresh(profile_ids=profile_ids, user_ids=user_ids, public=True)


def mentor_search_withdraw(*, profile_ids: list[int]) -> int:
    """Take these profiles' words out of the lexicon, before the profiles are
    deleted. Same locks as ``mentor_search_refresh``."""
    return _refresh(profile_ids=profile_ids, user_ids=None, public=False)


def _refresh(
    *, profile_ids: list[int] | None, user_ids: list[int] | None, public: bool
) -> int:
    if profile_ids == [] or user_ids == []:
        return 0
    params: list[list[int]] = []
    public_rows = MentorProfile.objects.public()
    if profile_ids is not None:
        where, params = "p.id = ANY(%s)", [profile_ids]
        public_rows = public_rows.filter(pk__in=profile_ids)
    elif user_ids is not None:
        where, params = "p.user_id = ANY(%s)", [user_ids]
        public_rows = public_rows.filter(user_id__in=user_ids)
    else:
        where = "TRUE"
    # The visibility rule is the ORM's own (``MentorProfile.objects.public``),
    # compiled, not a copy of it.
    public_sql, public_params = public_rows.values("pk").query.sql_with_params()
    is_public = f"p.id IN ({public_sql})" if public else "FALSE"
    sql = _REFRESH_SQL.format(where=where, public=is_public, **_REFRESH_PARTS)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(_LOCK_SQL.format(where=where), params)
        cursor.execute(sql, [*(public_params if public else ()), *params])
        changed, emptied = cursor.fetchone()
        if emptied:
            cursor.execute(_FORGET_SQL, [emptied])
        if changed:
            # Whatever the caller moves besides: what is read of the search
            # columns and the lexicon is keyed on the version (the processes'
            # copies of the lexicon, cached pages).
            bump_mentor_data_version()
    return int(changed)


# The counts again from the profiles' words, and the stems from the words: what
# the incremental updates should have left. Returns how many rows it fixed.
_RECOUNT_SQL = """
WITH counted AS MATERIALIZED (  -- counted first, then each word stemmed once
    SELECT word, count(*)::integer AS documents
    FROM (SELECT unnest(words) AS word FROM mentors_profilesearchwords) AS counted
    GROUP BY word
),
stemmed AS (
    SELECT word, (tsvector_to_array(to_tsvector('french', word)))[1] AS stem, documents
    FROM counted
),
kept AS (SELECT * FROM stemmed WHERE stem IS NOT NULL),
removed AS (
    DELETE FROM mentors_searchword lexicon
    WHERE NOT EXISTS (SELECT 1 FROM kept WHERE kept.word = lexicon.word)
    RETURNING 1
),
written AS (
    INSERT INTO mentors_searchword AS lexicon (word, stem, documents)
    SELECT word, stem, documents FROM kept ORDER BY word
    ON CONFLICT (word) DO UPDATE
        SET documents = EXCLUDED.documents, stem = EXCLUDED.stem
        WHERE (lexicon.documents, lexicon.stem)
              IS DISTINCT FROM (EXCLUDED.documents, EXCLUDED.stem)
    RETURNING 1
)
SELECT (SELECT count(*) FROM removed) + (SELECT count(*) FROM written)
"""

REBUILD_BATCH = 2000

# Profiles counted in the lexicon as public when they are not, or the reverse
# (what no refresh was called for: an e-mail address verified or not, a row
# changed by hand).
_MISCOUNTED_SQL = """
SELECT p.id
FROM mentors_mentorprofile p
LEFT JOIN mentors_profilesearchwords sw ON sw.profile_id = p.id
WHERE (p.id IN ({public})) <> (coalesce(cardinality(sw.words), 0) > 0)
ORDER BY p.id
"""


def search_lexicon_rebuild(
    *, full: bool = False, batch: int = REBUILD_BATCH
) -> tuple[int, int]:
    """Refresh the profiles counted in the lexicon as public when they are not
    (or the reverse), or every profile with ``full``; then count the lexicon
    again from the profiles' words. Returns (profiles changed, lexicon rows
    fixed).

    The nightly job. Documents change only through ``mentor_search_refresh``,
    so it need not recompute them all (1–4 ms a profile): ``full`` is for a
    change in how documents are made (a migration). Profiles are refreshed
    ``batch`` at a time, each batch in its own transaction (their rows locked
    for that long only). The count runs under a lock on the lexicon that lets
    reads through but makes concurrent refreshes wait for it (one statement),
    so none of their changes is lost or counted twice. Call outside a
    transaction (or in one that may hold these locks that long).
    """
    if full:
        ids = list(MentorProfile.objects.order_by("pk").values_list("pk", flat=True))
    else:
        public_sql, public_params = (
            MentorProfile.objects.public().values("pk").query.sql_with_params()
        )
        with connection.cursor() as cursor:
            cursor.execute(_MISCOUNTED_SQL.format(public=public_sql), public_params)
            ids = [row[0] for row in cursor.fetchall()]
    changed = 0
    for start in range(0, len(ids), batch):
        changed += mentor_search_refresh(profile_ids=ids[start : start + batch])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("LOCK TABLE mentors_searchword IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(_RECOUNT_SQL)
        (fixed,) = cursor.fetchone()
    return changed, int(fixed)


# --- the postings' repair ------------------------------------------------------

# A listed profile's postings, as the row triggers write them (migration 0025):
# each stem of its terms with its weight, approval and id.
_POSTINGS_EXPECTED = """
SELECT s.stem COLLATE "C" AS stem, p.search_weight AS weight, p.approved_at,
       p.id AS profile_id
FROM mentors_mentorprofile p, unnest(tsvector_to_array(p.search_terms)) AS s(stem)
WHERE p.approved_at IS NOT NULL AND p.is_published
  AND p.hidden_by_staff_at IS NULL AND p.search_terms IS NOT NULL
"""
_SAME_POSTING = (
    "e.stem = x.stem AND e.weight = x.weight"
    " AND e.approved_at = x.approved_at AND e.profile_id = x.profile_id"
)
# The profiles whose postings differ from their rows, in one snapshot (one
# statement), so that a change committed meanwhile (rows and postings written
# together) is seen whole or not at all.
_POSTINGS_DRIFTED_SQL = f"""
WITH e AS MATERIALIZED ({_POSTINGS_EXPECTED})
SELECT DISTINCT coalesce(e.profile_id, x.profile_id)
FROM e FULL JOIN mentors_searchposting x ON {_SAME_POSTING}
WHERE e.profile_id IS NULL OR x.profile_id IS NULL
ORDER BY 1
"""  # noqa: S608 (constants only)
# FOR NO KEY UPDATE: what an update or a delete of the row waits for (so no
# trigger writes its postings meanwhile), not what a new row pointing to the
# profile (a booking, a request) takes.
_POSTINGS_LOCK_SQL = (
    "SELECT p.id FROM mentors_mentorprofile p"
    " WHERE p.id = ANY(%(ids)s) ORDER BY p.id FOR NO KEY UPDATE"
)
# These profiles' postings written again from their rows, once they are
# locked (``_POSTINGS_LOCK_SQL``; this statement's snapshot, taken after the
# lock, holds their last version). Both parts see the postings as they were
# before the statement: the rows taken back are no rows written. A deleted
# profile has no row to lock, and no trigger writes its postings again (ids
# are not reused).
_POSTINGS_REPAIR_SQL = f"""
WITH e AS MATERIALIZED (
    SELECT * FROM ({_POSTINGS_EXPECTED}) e WHERE e.profile_id = ANY(%(ids)s)
),
taken_back AS (
    DELETE FROM mentors_searchposting x
    WHERE x.profile_id = ANY(%(ids)s)
      AND NOT EXISTS (SELECT 1 FROM e WHERE {_SAME_POSTING})
    RETURNING 1
),
written AS (
    INSERT INTO mentors_searchposting (stem, weight, approved_at, profile_id)
    SELECT e.stem, e.weight, e.approved_at, e.profile_id FROM e
    WHERE NOT EXISTS (
        SELECT 1 FROM mentors_searchposting x WHERE {_SAME_POSTING}
    )
    ORDER BY 1, 2, 3, 4
    RETURNING 1
)
SELECT (SELECT count(*) FROM taken_back) + (SELECT count(*) FROM written)
"""  # noqa: S608 (constants only)
POSTINGS_REPAIR_BATCH = 1000


def search_postings_repair(*, batch: int = POSTINGS_REPAIR_BATCH) -> int:
    """Write again the search postings (``SearchPosting``) of every profile
    whose postings differ from its row; returns the postings taken back or
    written. Part of the nightly job.

    The row triggers keep the postings with every change to a profile; what
    goes around them does not (a ``TRUNCATE``, triggers switched off by a
    replica or a bulk load, a migration that rewrites the terms with them
    disabled). A first statement compares every posting with the rows (no
    lock: ~1.5 s at 20,000 mentors); only the profiles that differ are then
    locked and written again, ``batch`` at a time, each batch in its own
    transaction, which moves the mentor-data version when it changed a
    posting (cached pages and results move on, even if a later batch fails).
    Each batch reads the postings table whole for the profiles' stale
    postings (no index leads with the profile: the triggers need none), ~0.1
    s at 20,000 mentors; batches run only for postings that drifted, none in
    normal use. Call outside a transaction."""
    with connection.cursor() as cursor:
        cursor.execute(_POSTINGS_DRIFTED_SQL)
        ids = [row[0] for row in cursor.fetchall()]
    fixed = 0
    for start in range(0, len(ids), batch):
        some = {"ids": ids[start : start + batch]}
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(_POSTINGS_LOCK_SQL, some)
            cursor.execute(_POSTINGS_REPAIR_SQL, some)
            (count,) = cursor.fetchone()
            if count:
                bump_mentor_data_version()
            fixed += int(count)
    return fixed


# --- reading a query ---------------------------------------------------------

# Query words of fewer letters are never corrected ("cv" is not "conteneurs").
CORRECT_MIN_LETTERS = 4
# Words the lexicon does not know, too short to correct: their prefix ("kub").
PREFIX_MIN_LETTERS = 3

# The listed profiles as last counted (the weight index's entries, as VACUUM
# or ANALYZE last counted them; NULL before the first count: shares are
# unknown then). The denominator of every share, and the directory's state.
LISTED_COUNT_SQL = (
    "SELECT nullif(greatest(c.reltuples, 0), 0) FROM pg_class c"
    " WHERE c.oid = 'mentors_profile_weight_idx'::regclass"
)

# One statement for every word of a query: the full-text query of the word,
# whether it is a stop-word, whether the lexicon knows its stem, and for a word
# it does not know, the nearest lexicon word (``mentors_nearest_word``, from
# migration 0015: first a word with two neighbouring letters swapped, "pyhton",
# as trigrams see little of that in a short word; then by trigram similarity
# over pg_trgm's threshold, through the trigram index; then the more frequent).
_LOOKUP_SQL = """
WITH typed AS MATERIALIZED (
    SELECT t.position, lower(unaccent(t.word)) AS word, t.correctable, t.prefixable
    FROM unnest(%(words)s::text[], %(correctable)s::boolean[],
                %(prefixable)s::boolean[])
         WITH ORDINALITY AS t(word, correctable, prefixable, position)
),
read AS MATERIALIZED (
    SELECT typed.*,
           word ~ '^[[:alnum:]]+$' AS plain,
           plainto_tsquery('french', word) AS query,
           (tsvector_to_array(to_tsvector('french', word)))[1] AS stem,
           to_tsvector('english', word) = ''::tsvector AS english_stop
    FROM typed
),
known AS MATERIALIZED (
    SELECT read.*,
           EXISTS (SELECT 1 FROM mentors_searchword k WHERE k.stem = read.stem) AS known
    FROM read
),
counted AS (SELECT (LISTED_COUNT) AS listed),
nearest AS MATERIALIZED (
    SELECT known.*,
           CASE WHEN correctable AND plain AND NOT known AND stem IS NOT NULL
                     AND NOT english_stop
                THEN mentors_nearest_word(word, ARRAY(
                    SELECT overlay(word PLACING substr(word, i + 1, 1)
                                   || substr(word, i, 1) FROM i FOR 2)
                    FROM generate_series(1, length(word) - 1) AS i))
           END AS nearest
    FROM known
)
SELECT query::text,
       stem IS NULL,
       english_stop,
       known,
       nearest,
       plainto_tsquery('french', nearest)::text,
       CASE WHEN prefixable AND plain THEN to_tsquery('french', word || ':*')::text END,
       -- The share of the listed profiles holding the word searched (as
       -- typed, or its correction): the lexicon's documents over the weight
       -- index's entries as last counted (NULL when unknown: no count yet).
       -- For a prefix, its most frequent lexicon word's (at least that many
       -- hold the prefix; 0 when no word starts with it), read through the
       -- trigram index.
       least(CASE WHEN known THEN (SELECT max(k.documents)
                                   FROM mentors_searchword k
                                   WHERE k.stem = nearest.stem)
                  WHEN nearest IS NOT NULL
                  THEN (SELECT k.documents FROM mentors_searchword k
                        WHERE k.word = nearest.nearest)
                  WHEN prefixable AND plain AND stem IS NOT NULL
                  THEN (SELECT coalesce(max(k.documents), 0)
                        FROM mentors_searchword k
                        WHERE k.word LIKE nearest.stem || '%%') END,
             (SELECT listed FROM counted))
       / (SELECT listed FROM counted)
FROM nearest
ORDER BY position
""".replace("LISTED_COUNT", LISTED_COUNT_SQL)


@dataclass(frozen=True)
class QueryWord:
    """A word of a query as the search reads it."""

    word: str  # as typed, lower case and unaccented
    term: str  # the full-text query searched for it; "" when it is ignored
    correction: str = ""  # the lexicon word searched instead, if any
    # The share of the listed profiles holding it, from the lexicon (for a
    # prefix, at least its most frequent word's; None when unknown: a word
    # too short for a prefix that nobody holds, no count yet).
    share: float | None = None


# The lexicon's words as each process keeps them (``_lexicon_copy``): how a
# word spelt as the lexicon holds it is searched, without a query. At most
# this many, the most frequent (the others are read from the database).
LEXICON_COPY_MAX = 20_000

# For each lexicon word: its full-text query and its share, as ``_LOOKUP_SQL``
# computes them for a word it knows (the same expressions).
_COPY_SQL = """
SELECT k.word,
       plainto_tsquery('french', k.word)::text,
       least(k.stem_documents, counted.listed) / counted.listed
FROM (SELECT word, documents,
             max(documents) OVER (PARTITION BY stem) AS stem_documents
      FROM mentors_searchword) k,
     (SELECT (LISTED_COUNT) AS listed) counted
-- A word the lookup would read as another (lower case and unaccented first)
-- stays out: the lookup reads it.
WHERE lower(unaccent(k.word)) = k.word
ORDER BY k.documents DESC, k.word
LIMIT %s
""".replace("LISTED_COUNT", LISTED_COUNT_SQL)


@dataclass(frozen=True)
class _LexiconCopy:
    version: int  # the mentor-data version it was read at (or after)
    words: dict[str, tuple[str, float | None]]  # word: (term, share)


_COPY: list[_LexiconCopy] = []


def _lexicon_copy(version: int) -> _LexiconCopy:
    """The lexicon's most frequent words, read once per mentor-data version
    (which every change to the lexicon moves) and process: an entity cache of
    the lexicon, not of queries (docs/caches.md). The shares are those of the
    moment it is read (the profiles' count as last analysed)."""
    if _COPY and _COPY[0].version >= version:
        return _COPY[0]  # as new as this request's version, or newer
    with connection.cursor() as cursor:
        cursor.execute(_COPY_SQL, [LEXICON_COPY_MAX])
        copy = _LexiconCopy(
            version, {word: (term, share) for word, term, share in cursor.fetchall()}
        )
    _COPY[:] = [copy]
    return copy


def query_word_terms(
    words: list[str], *, version: int | None = None
) -> list[QueryWord]:
    """How each word of a query is searched, in one query on the lexicon.

    A word whose French stem is in the lexicon is searched as typed. One that
    is not: corrected to the nearest lexicon word when it has 4 letters or more
    and is no stop-word; else its prefix from 3 letters ("kub"); else as typed
    (it finds nothing). French stop-words are ignored, and English ones the
    lexicon does not know.

    With the mentor-data ``version`` (read by this request), the words spelt as
    the lexicon holds them are read from this process's copy of it
    (``_lexicon_copy``), only the others from the database: a query of known
    words makes no query at all. Not while this transaction changed mentor
    data (the copy does not hold its changes yet).
    """
    if not words:
        return []
    if version is not None and not mentor_data_pending():
        known = _lexicon_copy(version).words
        unread = [word for word in words if word not in known]
        read_now = iter(_lookup(unread) if unread else [])
        return [
            QueryWord(word, known[word][0], share=known[word][1])
            if word in known
            else next(read_now)
            for word in words
        ]
    return _lookup(words)


def _lookup(words: list[str]) -> list[QueryWord]:
    """``query_word_terms`` from the database: one statement."""
    # Prepared: its plan reads the lexicon by each word's stem and spelling
    # (indexes), however frequent the words are; planning it took a fifth of
    # its time.
    with prepared_cursor() as cursor:
        cursor.execute(
            _LOOKUP_SQL,
            {
                "words": words,
                "correctable": [_letters(w) >= CORRECT_MIN_LETTERS for w in words],
                "prefixable": [len(w) >= PREFIX_MIN_LETTERS for w in words],
            },
        )
        rows = cursor.fetchall()
    read = []
    for word, row in zip(words, rows, strict=True):
        term, french_stop, english_stop, known, nearest, nearest_term, prefix, share = (
            row
        )
        if french_stop or (english_stop and not known):
            read.append(QueryWord(word, ""))
        elif known:
            read.append(QueryWord(word, term, share=share))
        elif nearest:
            read.append(QueryWord(word, nearest_term, correction=nearest, share=share))
        elif prefix:
            read.append(QueryWord(word, prefix, share=share))
        else:
            read.append(QueryWord(word, term))
    return read


def _letters(word: str) -> int:
    return sum(ch.isalpha() for ch in word)


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


def everyday_word_skills(word: str) -> tuple[str, ...]:
    """The skills one everyday word stands for (none for another word)."""
    return _EVERYDAY.get((word,), ())
