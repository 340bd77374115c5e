"""The public mentor directory: search, filters, sort, pages without COUNT(*).

Reads the stored search columns (``mentors/search.py``) and the availability
summaries pushed down by the scheduling feature; one query for the page, one
for the cards' skills, whatever the number of mentors.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL

from .data_version import VERSION_SQL
from .models import Block, MentorProfile, MentorSkill
from .search import everyday_words_split, query_words
from .selectors import mentor_profile_public_list

PAGE_SIZE = 20
SORTS = ("relevance", "soonest", "newest")

# Full text first (indexed, cheap to rank); trigram word similarity (typos)
# only when full text finds nothing, since it costs ~40 µs a row.
_FULL_TEXT = (
    "mentors_mentorprofile.search_vector"
    " @@ websearch_to_tsquery('french', unaccent(%s))"
)
_FULL_TEXT_RANK = (
    "ts_rank_cd(mentors_mentorprofile.search_vector, "
    "websearch_to_tsquery('french', unaccent(%s)))"
)
_TYPO = "lower(unaccent(%s)) <%% mentors_mentorprofile.search_text"
_TYPO_RANK = "word_similarity(lower(unaccent(%s)), mentors_mentorprofile.search_text)"
# Under the word-similarity threshold (0.3), a word of up to five letters
# shares enough trigrams with any word that starts with the same two letters
# ("cv" with "conteneurs"): short queries look for words starting with them,
# from three letters on ("co" would start half the words).
_PREFIX = "mentors_mentorprofile.search_vector @@ to_tsquery('french', unaccent(%s))"
_PREFIX_RANK = (
    "ts_rank_cd(mentors_mentorprofile.search_vector, "
    "to_tsquery('french', unaccent(%s)))"
)
TYPO_MIN_LETTERS = 6
PREFIX_MIN_LETTERS = 3


@dataclass(frozen=True)
class DirectoryQuery:
    q: str = ""
    skill: str = ""
    min_level: int | None = None
    language: str = ""
    region: str = ""
    mode: str = ""
    available_within_days: int | None = None
    sort: str = ""
    page: int = 1


@dataclass(frozen=True)
class DirectoryPage:
    results: list[MentorProfile]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _not_blocked(viewer_id: int | None) -> Q:
    if not viewer_id:
        return Q()
    return ~Q(Exists(Block.objects.between(viewer_id, OuterRef("user_id"))))


def mentor_directory_queryset(
    *, viewer_id: int | None, query: DirectoryQuery, typos: bool = False
) -> QuerySet[MentorProfile]:
    """Public mentors matching the query, in order, visible to this viewer
    (nobody in a block with them). Values are already validated."""
    qs = (
        mentor_profile_public_list()
        .filter(_not_blocked(viewer_id))
        .select_related("user")
    )
    # Everyday words ("cv", "e-mail") ask for the skills they mean; the rest
    # of the query is searched as text.
    meant, text = everyday_words_split(query.q)
    if meant:
        skilled = MentorSkill.objects.filter(
            profile_id=OuterRef("pk"), skill__code__in=meant
        )
        # The skill a word means first outranks the others; then the level.
        weight = Case(
            *(
                When(skill__code=code, then=Value(10 * (len(meant) - position)))
                for position, code in enumerate(meant)
            ),
            output_field=IntegerField(),
        )
        best = skilled.annotate(score=weight + F("level")).order_by("-score")
        qs = qs.filter(Exists(skilled)).annotate(
            skill_rank=Subquery(best.values("score")[:1])
        )
    if text:
        # Fixed SQL; the searched text is passed as a parameter.
        sql, rank_sql = _FULL_TEXT, _FULL_TEXT_RANK
        if typos:
            words = query_words(text)
            if max(map(len, words), default=0) >= TYPO_MIN_LETTERS:
                sql, rank_sql = _TYPO, _TYPO_RANK
            else:
                sql, rank_sql = _PREFIX, _PREFIX_RANK
                text = " & ".join(
                    f"{word}:*" if len(word) >= PREFIX_MIN_LETTERS else word
                    for word in words
                )
        match = RawSQL(sql, [text], output_field=BooleanField())  # noqa: S611
        rank = RawSQL(rank_sql, [text], output_field=FloatField())  # noqa: S611
        qs = qs.filter(match).annotate(rank=rank)
    if query.skill or query.min_level:
        skills = MentorSkill.objects.filter(profile_id=OuterRef("pk"))
        if query.skill:
            skills = skills.filter(skill__code=query.skill)
        if query.min_level:
            skills = skills.filter(level__gte=query.min_level)
        qs = qs.filter(Exists(skills))
    if query.language:
        qs = qs.filter(languages__contains=[query.language])
    if query.region:
        qs = qs.filter(region=query.region)
    if query.mode:
        qs = qs.filter(modes__contains=[query.mode])
    if query.available_within_days == 7:
        qs = qs.filter(free_slots_7d__gt=0)
    elif query.available_within_days == 14:
        qs = qs.filter(free_slots_14d__gt=0)
    sort = query.sort or ("relevance" if meant or text else "newest")
    if sort == "relevance" and (meant or text):
        by_relevance = [F("skill_rank").desc()] if meant else []
        by_relevance += [F("rank").desc()] if text else []
        qs = qs.order_by(*by_relevance, F("approved_at").desc(), "-pk")
    elif sort == "soonest":
        qs = qs.order_by(F("next_free_slot_at").asc(nulls_last=True), "-pk")
    else:
        qs = qs.order_by(F("approved_at").desc(), "-pk")
    return qs


@dataclass(frozen=True)
class DirectoryState:
    """What a directory request's caching depends on."""

    version: int  # the mentor-data version: moves with any change to a card
    has_blocks: bool  # the viewer is in a block: nothing shared for them

    def results_key(self, query: DirectoryQuery, page_size: int = PAGE_SIZE) -> str:
        """The key of this page's results, shared by every viewer without a
        block ("" for a viewer with one)."""
        if self.has_blocks:
            return ""
        start = (max(query.page, 1) - 1) * page_size
        return _cache_key(self.version, query, start, page_size)


_STATE_SQL = f"""
SELECT ({VERSION_SQL}),
       EXISTS (SELECT 1 FROM mentors_block
               WHERE blocker_id = %(viewer)s OR blocked_id = %(viewer)s)
"""  # noqa: S608 (a constant of ours; the viewer is a parameter)


def directory_state(*, viewer_id: int | None) -> DirectoryState:
    """The mentor-data version and the viewer's blocks, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_STATE_SQL, {"viewer": viewer_id or 0})
        version, has_blocks = cursor.fetchone()
    return DirectoryState(version=int(version or 0), has_blocks=bool(has_blocks))


def mentor_directory_page(
    *,
    viewer_id: int | None,
    query: DirectoryQuery,
    page_size: int = PAGE_SIZE,
    state: DirectoryState | None = None,
) -> DirectoryPage:
    """One page of the directory: fetches one row more than the page to know
    whether there is a next page, instead of counting every match."""
    start = (max(query.page, 1) - 1) * page_size
    top_skills = Prefetch(
        "skills",
        queryset=MentorSkill.objects.select_related("skill").order_by(
            "-level", "skill__code"
        ),
    )
    # The ids of a page are cached, keyed on the mentor-data version (bumped by
    # every change that matters), so a popular search is ranked once; viewers
    # with blocks are never served from the shared cache.
    state = state or directory_state(viewer_id=viewer_id)
    key = (
        None if state.has_blocks else _cache_key(state.version, query, start, page_size)
    )
    ids = cache.get(key) if key else None
    if ids is not None:
        by_id = {
            row.pk: row
            for row in mentor_profile_public_list()
            .filter(pk__in=ids)
            .select_related("user")
            .only(*CARD_FIELDS)
            .prefetch_related(top_skills)
        }
        rows = [by_id[pk] for pk in ids if pk in by_id]
    else:
        rows = list(
            mentor_directory_queryset(viewer_id=viewer_id, query=query).only(
                *CARD_FIELDS
            )[start : start + page_size + 1]
        )
        if not rows and everyday_words_split(query.q)[1]:
            # No exact match: look for near spellings (typos) instead.
            rows = list(
                mentor_directory_queryset(
                    viewer_id=viewer_id, query=query, typos=True
                ).only(*CARD_FIELDS)[start : start + page_size + 1]
            )
        prefetch_related_objects(rows, top_skills)
        if key:
            cache.set(key, [row.pk for row in rows], CACHE_SECONDS)
    shown = rows[:page_size]
    return DirectoryPage(
        results=shown,
        number=max(query.page, 1),
        has_next=len(rows) > page_size,
    )


CACHE_SECONDS = 30  # short: a deactivated account may not bump the version
CARD_FIELDS = MentorProfile.CARD_FIELDS


def _cache_key(version: int, query: DirectoryQuery, start: int, page_size: int) -> str:
    raw = f"{version}|{query!r}|{start}|{page_size}"
    return "directory:" + hashlib.sha256(raw.encode()).hexdigest()


def card_data(profile: MentorProfile) -> dict[str, Any]:
    """What a directory card shows (from prefetched rows: no query)."""
    skills = list(profile.skills.all())
    return {
        "profile": profile,
        "top_skills": skills[:3],
        "more_skills": max(len(skills) - 3, 0),
    }
