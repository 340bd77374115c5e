"""The public mentor directory: search, filters, sort, pages without COUNT(*).

Reads the stored search columns and lexicon (``mentors/search.py``) and the
availability summaries pushed down by the scheduling feature.

A text search first reads its words against the lexicon, in one query: a word
that no public profile holds is corrected to the nearest one that does. Then
its page is read tier by tier: the profiles that match every word, then all
words but one, and so on, each tier one indexed full-text query, until the page
is full. Nothing compares letters with whole profiles per request. Then one
query for the cards' skills.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from django.conf import settings
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

from accounts.models import User
from core.db import loaded_instances, prepared_cursor

from .data_version import VERSION_SQL
from .models import SEARCH_FILTER_COLUMNS, Block, MentorProfile, MentorSkill, Skill
from .search import (
    LISTED_COUNT_SQL,
    everyday_word_skills,
    everyday_words_split,
    query_word_terms,
    query_words,
    skill_levels,
)
from .selectors import mentor_profile_public_list

PAGE_SIZE = 20
SORTS = ("relevance", "soonest", "newest")
# Words of a query read against the lexicon, and distinct words searched: the
# tiers of n words hold up to C(n, n/2) alternatives (70 for 8 words).
MAX_QUERY_WORDS = 16
MAX_TERMS = 8

_MATCH = "mentors_mentorprofile.search_vector @@ %s::tsquery"
_RANK = "ts_rank(mentors_mentorprofile.search_vector, %s::tsquery)"
# A query with search syntax (quotes, "-word", "or") is read by PostgreSQL's
# websearch parser as a whole, without tiers or corrections.
_WEB_MATCH = (
    "mentors_mentorprofile.search_vector"
    " @@ websearch_to_tsquery('french', unaccent(%s))"
)
_WEB_RANK = (
    "ts_rank(mentors_mentorprofile.search_vector, "
    "websearch_to_tsquery('french', unaccent(%s)))"
)
# The skills everyday words mean, read once per statement (an InitPlan).
_SKILLS_MEANT = (
    "skill_id = ANY(ARRAY(SELECT id FROM mentors_skill WHERE code = ANY(%s)))"
)
_SYNTAX = re.compile(r'"|(?:^|\s)-\w|\bor\b', re.IGNORECASE)


@dataclass(frozen=True)
class Tier:
    """Profiles matching a number of the query's words."""

    match: str  # which profiles (a tsquery, or websearch text)
    rank: str  # how they rank among themselves
    websearch: bool = False
    # The share of the listed profiles it is likely to match (the words
    # taken as independent), or None when a word's share is unknown.
    share: float | None = None
    # The words (their full-text terms) whose postings hold every match: the
    # n - k + 1 rarest for k of the n words (the rarest alone for all of them,
    # every word for one); and the share of the profiles holding any of those
    # (None when unknown).
    lists: tuple[str, ...] = ()
    lists_share: float | None = None
    # All the words of several: the terms of the words other than the rarest,
    # rarest first, whose postings a walk of the rarest word's list may probe
    # before it reads a profile's row (``_postings_walk``). Exactly k of n
    # (``held`` k): every word, the ones an entry holds counted.
    probes: tuple[str, ...] = ()
    held: int = 0


@dataclass(frozen=True)
class SearchPlan:
    """What a query searches: the skills its everyday words mean, the tiers of
    its other words (best first), and the query as corrected ("" if no word
    was)."""

    meant: tuple[str, ...] = ()
    tiers: tuple[Tier, ...] = ()
    corrected: str = ""
    nothing: bool = False  # words were typed, none can be searched

    @property
    def any_tier(self) -> Tier | None:
        """Every profile matching at least one word (the last tier's ranking)."""
        if not self.tiers:
            return None
        last = self.tiers[-1]
        return Tier(last.rank, last.rank, last.websearch)


def search_plan(q: str, *, version: int | None = None) -> SearchPlan:
    """Read a query: its everyday words, then its other words against the
    lexicon (one query, none when the process's copy of the lexicon at this
    mentor-data ``version`` knows them all: ``query_word_terms``). Values are
    already validated."""
    meant, rest = everyday_words_split(q)
    if not rest.strip():
        return SearchPlan(meant=meant)
    if _SYNTAX.search(rest):
        text = _websearch_text(rest)
        return SearchPlan(meant=meant, tiers=(Tier(text, text, websearch=True),))
    words = query_words(rest)[:MAX_QUERY_WORDS]
    skills = list(meant)
    terms: list[str] = []
    shares: list[float | None] = []
    corrections: dict[str, str] = {}
    for read in query_word_terms(words, version=version):
        if read.correction:
            corrections[read.word] = read.correction
            # Corrected to an everyday word ("exel"): the skills it means.
            meant_now = everyday_word_skills(read.correction)
            if meant_now:
                skills += [code for code in meant_now if code not in skills]
                continue
        if read.term and read.term not in terms:
            terms.append(read.term)
            shares.append(read.share)
    return SearchPlan(
        meant=tuple(skills),
        tiers=_tiers(terms[:MAX_TERMS], shares[:MAX_TERMS]),
        corrected=_corrected(q, corrections) if corrections else "",
        nothing=not terms and not skills,
    )


def _tiers(
    terms: list[str], shares: list[float | None] | None = None
) -> tuple[Tier, ...]:
    """All n words, then exactly n - 1 of them, … then exactly one."""
    if not terms:
        return ()
    shares = shares or [None] * len(terms)
    exactly = _exactly(shares)
    every_known = all(share is not None for share in shares)
    # A profile holding k of the n words misses at most n - k of them, so it
    # holds one at least of any n - k + 1: every match of the tier is in the
    # postings of the n - k + 1 rarest words (the rarest alone for all the
    # words, every word for one). Any choice would be exact; the rarest read
    # the fewest entries ("biais back gestion programmation", three of the
    # four: the lists of "biais" and "back", not of "gestion" too).
    by_share = sorted(range(len(terms)), key=lambda i: shares[i] or 0.0)
    # Factored on the most common word first: the full-text index's scan of
    # two of "conseillère linux informations jira" at 200,000 mentors took
    # 6.6 ms so, 7.3 from the rarest (each order's median of five, in both
    # orders of measuring; 3.0 and 3.5 for "développement mobiles
    # cherbourg").
    common_first = [terms[i] for i in reversed(by_share)]
    at_least = {k: _at_least(k, common_first) for k in range(1, len(terms) + 1)}

    def lists(k: int) -> tuple[int, ...]:
        return tuple(sorted(by_share[: len(terms) - k + 1]))

    def lists_share(k: int) -> float | None:
        if not every_known:
            return None
        return 1.0 - math.prod(1.0 - (shares[i] or 0.0) for i in lists(k))

    return tuple(
        Tier(
            match=at_least[k]
            if k == len(terms)
            else f"({at_least[k]}) & !({at_least[k + 1]})",
            rank=at_least[k],
            share=exactly[k],
            lists=tuple(terms[i] for i in lists(k)),
            lists_share=lists_share(k),
            # All the words: the others, each held. Exactly k: every word, k
            # held (an entry of a list holds its own word; one holding more
            # is an earlier tier's).
            probes=tuple(
                terms[i] for i in (by_share[1:] if k == len(terms) else by_share)
            ),
            held=0 if k == len(terms) else k,
        )
        for k in range(len(terms), 0, -1)
    )


def _at_least(k: int, terms: Sequence[str]) -> str:
    """A tsquery true for a profile holding at least ``k`` of the ``terms``
    (1 <= k <= len(terms)), factored on each term in turn: the first term
    and k - 1 of the others, or k of the others. Its truth is the sum of
    products' (every choice of k terms, "(a & b) | (a & c) | (b & c)"), but
    a profile's check, and the full-text index's for each entry it reads,
    evaluates far fewer operators: at 200,000 mentors, two of "front
    boulogne lyon bureautique" took the index 7.8 ms to read factored, 10.9
    as a sum of products. ``ts_rank`` reads a query's distinct terms and its
    top operator only (an AND for every term, an OR for fewer), which both
    forms share: the ranking is the same."""
    if k == len(terms):
        return " & ".join(f"({term})" for term in terms)
    if k == 1:
        return " | ".join(f"({term})" for term in terms)
    head, rest = terms[0], terms[1:]
    return f"(({head}) & ({_at_least(k - 1, rest)})) | ({_at_least(k, rest)})"


def _exactly(shares: list[float | None]) -> dict[int, float | None]:
    """For each k, the share of profiles holding exactly k of the words
    (all of them for the last), the words taken as independent; None for
    every k when a word's share is unknown."""
    if any(share is None for share in shares):
        return dict.fromkeys(range(len(shares) + 1))
    # probability[k]: holding exactly k of the words seen so far.
    probability = [1.0]
    for share in shares:
        assert share is not None
        probability = [
            (probability[k] if k < len(probability) else 0.0) * (1 - share)
            + (probability[k - 1] * share if k > 0 else 0.0)
            for k in range(len(probability) + 1)
        ]
    return dict(enumerate(probability))


def _corrected(q: str, corrections: dict[str, str]) -> str:
    """The query as typed, its corrected words replaced."""

    def replace(match: re.Match[str]) -> str:
        words = query_words(match.group())
        if len(words) == 1 and words[0] in corrections:
            return corrections[words[0]]
        return match.group()

    return " ".join(re.sub(r"[^\W_]+", replace, q).split())


def _websearch_text(text: str) -> str:
    """Punctuation as spaces, as in the documents, except the syntax: quotes
    and a "-" before a word."""
    return re.sub(r'(?:(?<!\S)-(?=\w))|["]|[^\w\s"]|_', _keep_syntax, text)


def _keep_syntax(match: re.Match[str]) -> str:
    return match.group() if match.group() in ('"', "-") else " "


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
    corrected: str = ""  # the query with its misspelt words corrected, if any

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def _not_blocked(viewer_id: int | None) -> Q:
    if not viewer_id:
        return Q()
    return ~Q(Exists(Block.objects.between(viewer_id, OuterRef("user_id"))))


def _visible(viewer_id: int | None) -> QuerySet[MentorProfile]:
    """Public profiles nobody in a block with this viewer holds."""
    return (
        mentor_profile_public_list()
        .filter(_not_blocked(viewer_id))
        .select_related("user")
    )


def mentor_directory_queryset(
    *,
    viewer_id: int | None,
    query: DirectoryQuery,
    plan: SearchPlan | None = None,
    tier: Tier | None = None,
) -> QuerySet[MentorProfile]:
    """Public mentors matching the query, in order, visible to this viewer
    (nobody in a block with them). Values are already validated.

    With a ``tier``, the profiles of that tier of the query's words; without
    one, every profile matching one word at least, not in tiers (pages read
    tier by tier, ranking a window of each: ``mentor_directory_page``).

    The rule in the ORM's words: the page reads it through SQL statements
    composed once per shape of query (``_statement``), held to this by
    tests/mentors/test_directory_sql.py.
    """
    plan = plan or search_plan(query.q)
    tier = tier or plan.any_tier
    qs = _visible(viewer_id)
    if plan.nothing:
        return qs.none()
    return _ordered(
        _ranked(_matching(qs, query=query, plan=plan, tier=tier), plan=plan, tier=tier),
        query=query,
        plan=plan,
        tier=tier,
    )


def _matching(
    qs: QuerySet[MentorProfile],
    *,
    query: DirectoryQuery,
    plan: SearchPlan,
    tier: Tier | None,
) -> QuerySet[MentorProfile]:
    """The profiles of ``qs`` that the query's words (of this tier), the
    skills its everyday words mean and its filters select."""
    # Everyday words ("cv", "e-mail") ask for the skills they mean; the rest
    # of the query is searched as text.
    if plan.meant:
        qs = qs.filter(
            Exists(
                MentorSkill.objects.filter(
                    profile_id=OuterRef("pk"), skill__code__in=plan.meant
                )
            )
        )
    if tier:
        # Fixed SQL; the searched words are passed as a parameter.
        sql = _WEB_MATCH if tier.websearch else _MATCH
        qs = qs.filter(RawSQL(sql, [tier.match], output_field=BooleanField()))  # noqa: S611
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
    return qs


def _ranked(
    qs: QuerySet[MentorProfile], *, plan: SearchPlan, tier: Tier | None
) -> QuerySet[MentorProfile]:
    """``qs`` with its relevance: ``skill_rank`` (the skills everyday words
    mean) and ``rank`` (the text of the tier)."""
    meant = plan.meant
    if meant:
        # The skills' ids read once per statement (not a join per profile).
        ids = {
            code: Subquery(Skill.objects.filter(code=code).order_by().values("pk")[:1])
            for code in meant
        }
        skilled = MentorSkill.objects.filter(
            RawSQL(  # noqa: S611 (fixed SQL, the codes a parameter)
                _SKILLS_MEANT,
                [list(meant)],
                output_field=BooleanField(),
            ),
            profile_id=OuterRef("pk"),
        )
        # The skill a word means first outranks the others; then the level.
        weight = Case(
            *(
                When(skill_id=ids[code], then=Value(10 * (len(meant) - position)))
                for position, code in enumerate(meant)
            ),
            output_field=IntegerField(),
        )
        best = skilled.annotate(score=weight + F("level")).order_by("-score")
        qs = qs.annotate(skill_rank=Subquery(best.values("score")[:1]))
    if tier:
        rank_sql = _WEB_RANK if tier.websearch else _RANK
        qs = qs.annotate(
            rank=RawSQL(rank_sql, [tier.rank], output_field=FloatField())  # noqa: S611
        )
    return qs


def _ordered(
    qs: QuerySet[MentorProfile],
    *,
    query: DirectoryQuery,
    plan: SearchPlan,
    tier: Tier | None,
) -> QuerySet[MentorProfile]:
    meant, text = bool(plan.meant), tier is not None
    sort = _sort(query, meant=meant, text=text)
    if sort == "relevance":
        by_relevance = [F("skill_rank").desc()] if meant else []
        by_relevance += [F("rank").desc()] if text else []
        return qs.order_by(*by_relevance, F("approved_at").desc(), "-pk")
    if sort == "soonest":
        return qs.order_by(F("next_free_slot_at").asc(nulls_last=True), "-pk")
    return qs.order_by(F("approved_at").desc(), "-pk")


def _sort(query: DirectoryQuery, *, meant: bool, text: bool) -> str:
    """The order of the results: by relevance only when there is something
    to be relevant to (words, or the skills everyday words mean)."""
    sort = query.sort or "relevance"
    if sort == "relevance" and not (meant or text):
        return "newest"
    return sort


# A frequent word matches a tenth of the profiles or more: ranking every match
# by ts_rank reads each one's vector, and that grows with the table. So
# the relevance order ranks a window: the first SEARCH_WINDOW matching profiles
# by ``search_weight`` (how much a profile offers; an index read that stops
# there), best match first; the matches after the window follow in that
# weight order. The page ranks the window's profiles it may show. A hundred:
# the first four pages of 20 (and the row that says a fifth follows) in
# relevance order, like a search engine's rescoring window; 200 ranked twice
# as many rows for pages few people reach (the mix's searches took ~0.7 ms
# more of the database's time each, docs/benchmarks.md).
SEARCH_WINDOW = 100
# The walk of the weight index reads at most this many entries (~0.4 µs
# each); words the lexicon says fewer than this share of the profiles hold
# skip it (their matches read from the full-text index at once).
WALK_ENTRIES = 10_000
WALK_MIN_SHARE = 0.02
WALK_UNKNOWN = 1_000
# What reading one match from the indexes costs (its row read, then sorted by
# weight) in walked entries: ~2.8 µs against ~0.4 (20,000 bench mentors). A
# walk longer than this many times the matches it stands for is left out.
MATCH_READ_ENTRIES = 7
# Words the lexicon says few profiles hold may go together (the shares of
# "sql", "bases" and "données" gave 626 matches among 170,000 listed
# profiles; 20,797 hold the three, and with the phone mode 7,209 rows were
# read for a window of 100: 24 ms). So where no walk is planned, the window's
# statement first reads the WALK_SAMPLE heaviest entries (index-only, ~0.1
# ms at 20,000 mentors, ~0.3-1 at 200,000): enough matches among them
# (``_sample_hits``), and the walk goes three times as far as their share
# says a window takes, at most WALK_ENTRIES, as far as a planned walk
# (there: 22 of 256, the window found after 1,396 entries, 5.7 ms from
# disk; "numériques" with WordPress and the phone mode, 6 of 256: 84 matches
# in 5,000 entries, 3.4 ms, then every match read from three bitmaps, 19
# ms); fewer, and every match is read as before.
WALK_SAMPLE = 256
WALK_SAMPLE_HITS = 4  # the fewest hits ``_sample_hits`` asks for


def _sample_hits(listed: float | None) -> int:
    """The matches among the WALK_SAMPLE heaviest entries from which the
    walk is taken: where, at the share they give, a walk long enough for
    three windows reads fewer entries than MATCH_READ_ENTRIES times the
    matches there would be to read (``_walk_entries``' rule): h hits give
    a walk of 3 w S / h entries and h L / S matches among L listed
    profiles, so h^2 > 3 w S^2 / (7 L). At 20,000 mentors 13 (the heaviest
    profiles hold more words than the rest: with 4, the walks that fell
    short cost more than they saved), at 200,000 5; WALK_SAMPLE_HITS at
    least."""
    if not listed:
        return WALK_SAMPLE_HITS
    needed = 3 * SEARCH_WINDOW * WALK_SAMPLE**2 / (MATCH_READ_ENTRIES * listed)
    return max(WALK_SAMPLE_HITS, math.ceil(math.sqrt(needed)))


def _sampled(tier: Tier, *, filtered: bool, listed: float | None) -> bool:
    """Whether a tier whose walk is left out samples the heaviest entries
    first: its share is a product of shares taken as independent (several
    words, or words and filters; one word's alone is the lexicon's count),
    and its rarest lists hold more profiles than a few windows (fewer, and
    reading every match costs less than the sample)."""
    if not (tier.probes or filtered):
        return False
    if tier.lists_share is None or not listed:
        return True
    return tier.lists_share * listed > 3 * SEARCH_WINDOW


Reader = Callable[[int], list[MentorProfile]]


def _page_rows(
    *,
    viewer_id: int | None,
    query: DirectoryQuery,
    plan: SearchPlan,
    start: int,
    count: int,
    long_texts: bool = True,
    listed: float | None = None,
) -> list[MentorProfile]:
    """Rows ``start`` to ``start + count`` of the results, part after part
    (tiers, each its window then what follows it): one query per part read,
    each asking for no more rows than the page still needs after skipping
    what earlier pages showed."""
    if plan.nothing:
        return []
    rows: list[MentorProfile] = []
    skip = start
    for read in _parts(
        viewer_id=viewer_id,
        query=query,
        plan=plan,
        long_texts=long_texts,
        listed=listed,
    ):
        found = read(skip + count - len(rows))
        if len(found) <= skip:
            skip -= len(found)  # a part shown whole on earlier pages
            continue
        rows += found[skip:]
        skip = 0
        if len(rows) >= count:
            break
    return rows


def _parts(
    *,
    viewer_id: int | None,
    query: DirectoryQuery,
    plan: SearchPlan,
    long_texts: bool = True,
    listed: float | None = None,
) -> Iterator[Reader]:
    """The readers of the results' parts, in order: per tier, its ranked
    window, then (only if the window was full) the matches after it; or, in
    another order than relevance, the tier's matches in that order."""
    # The filter values read through the index and those checked in the rows,
    # once for every part: the statements' text (``_shape``) and their values
    # (``_values``) must agree, or a filter would go unchecked (the
    # statistics they come from may be read again between two parts).
    split = _facets_split(query)
    values = _values(viewer_id=viewer_id, query=query, plan=plan, split=split)
    filters_share: float | None = None
    walk_share = region_share = 1.0
    together = 0.0
    for tier in plan.tiers or (None,):
        shape = _shape(
            viewer_id=viewer_id,
            query=query,
            plan=plan,
            tier=tier,
            long_texts=long_texts,
            split=split,
        )
        params = values
        sort = _sort(query, meant=shape.meant, text=bool(shape.text))
        if tier is not None:
            if filters_share is None:
                # A region's walk reads its own entries (``_window_with``):
                # counted among its profiles, with the other filters' share.
                region_share = _region_share(query)
                walk_share = _filters_share(query, plan, region=False)
                filters_share = walk_share * region_share
                if plan.meant and (
                    _filters_share(query, replace(plan, meant=()), region=False)
                    >= WALK_TOGETHER_FILTERS
                ):
                    together = _filter_stats().held(
                        "search_skills", values["meant_levels"]
                    )
            params = {
                **values,
                "match": tier.match,
                "rank": tier.rank,
                "walk": _walk_entries(
                    tier,
                    filters_share=walk_share,
                    listed=listed * region_share if listed else listed,
                    # All the words with the skills: typed together. Fewer
                    # of them ("messagerie nantes cloud", one of the two
                    # words with the skills: 280 matches, 10,000 entries
                    # walked for 28), not.
                    together=0.0 if tier.held else together,
                ),
            }
            if sort != "relevance":
                rare = _matches_first(tier, filters_share=filters_share, listed=listed)
                # Words that go together: walked as far as the sample's share
                # says (none on a page too deep for it: the matches first).
                together_share = (
                    _together_share(tier, filters_share=filters_share, listed=listed)
                    if rare
                    else None
                )
                shape = shape._replace(matches_first=rare and together_share is None)
                words_share = tier.share if together_share is None else together_share
                if not shape.matches_first and words_share is not None:
                    params["sort_share"] = words_share * filters_share
            elif shape.text == "tsquery":
                postings = _postings(tier, filters_share=filters_share, listed=listed)
                if postings:
                    lists, walk = postings
                    probes = _probe_stems(tier)
                    shape = shape._replace(
                        postings=tuple(p for _s, p in lists),
                        probes=len(probes),
                        counted=bool(probes and tier.held),
                    )
                    params = {**params, **_postings_values(lists, walk, probes)}
                    if shape.counted:
                        params["probe_held"] = tier.held
                elif not params["walk"]:
                    # Expected rare: the heaviest entries sampled first
                    # (in a region, its own: counted among its profiles).
                    walked = listed * region_share if listed else listed
                    if _sampled(tier, filtered=filters_share < 1.0, listed=walked):
                        shape = shape._replace(sampled=True)
                        params["sample"] = WALK_SAMPLE
                        params["sample_hits"] = _sample_hits(walked)
        if tier is None and sort == "newest" and _filtered(query, plan):
            # Filters alone, newest first: their index walked alone, a bounded
            # walk (``_statement``), then their matches read first.
            shape = shape._replace(newest_walk=True)
            share = _filters_share(query, plan)
            params = {
                **params,
                "sort_share": share,
                "sort_walk_max": _newest_walk_max(share, listed),
            }
        if sort != "relevance":
            # Words walked in the order's index, a bounded walk: when it falls
            # short, their matches read first (``_read_sorted``).
            first = shape._replace(matches_first=True, newest_walk=False)
            yield functools.partial(
                _read_sorted,
                _statement(shape, sort),
                _statement(shape, f"{sort}_whole"),
                params,
                matches_first=(
                    (_statement(first, sort), _statement(first, f"{sort}_whole"))
                    if (shape.text and not shape.matches_first) or shape.newest_walk
                    else None
                ),
            )
            continue
        full = [False]
        yield functools.partial(
            _read_window,
            _statement(shape, "window_ids"),
            _statement(shape, "window_ranked"),
            params,
            full,
            prepare_ids=_words_alone(shape),
        )
        if full[0]:
            yield functools.partial(_read, _statement(shape, "after_window"), params)


# A window's profile read from its postings (a posting, then the profile's row
# by primary key: ~7 µs) costs about this many of those read with every match
# (the full-text index's bitmap, then the rows: ~1.5 µs each).
POSTING_COST = 5
# The postings' walk reads at least this many entries (~1.4 ms when each is
# checked), twice as many as a window is expected to take, at most
# POSTINGS_WALK_MAX (~3.5 ms); every match is read after a walk that did not
# fill the window.
POSTINGS_CHEAP = 2 * SEARCH_WINDOW
POSTINGS_WALK_MAX = 5 * SEARCH_WINDOW
# All the words of several, from the rarest word's list, the others probed in
# their postings first (~2 µs an entry, where a profile's row costs 9 µs at
# 20,000 mentors and up to 60 µs at 200,000 when it is not in memory): a walk
# of at most this many entries (~1 ms) is tried even where the words, taken
# as independent, are expected to fill the window only further on. Words
# typed together often go together ("devops services": expected 568 matches
# among 200,000 mentors, 5,509 found; "developpement end": 5,228 and 25,683),
# and their window is then found within a few hundred entries instead of
# every match read (31 and 148 ms).
POSTINGS_PROBE_WALK = 5 * SEARCH_WINDOW
# ... where the filters keep at least this share of the profiles (a row is
# read for each entry that holds every word, to check them).
POSTINGS_PROBE_FILTERS = 0.5
# ... and where, taken as independent, at least this share of the rarest
# word's holders hold the other words: the walk fills the window when they
# go together ten times as often as that says ("devops services": 10 times),
# not when they meet rarely ("formatrice professionnels systèmes" at 200,000
# mentors: 1.5 % expected, 500 entries probed for none, 4.4 ms, where the
# words' index then found none in 1.2 ms).
POSTINGS_PROBE_MIN_SHARE = SEARCH_WINDOW / (10 * POSTINGS_PROBE_WALK)
_TERM = re.compile(r"^'([^']+)'(:\*)?$")


def _postings(
    tier: Tier, *, filters_share: float = 1.0, listed: float | None = None
) -> tuple[list[tuple[str, bool]], int] | None:
    """The postings lists from which this tier's window is read first (each
    a stem, and whether it is a prefix), and how many of their entries the
    walk may read: when the lists are expected to fill the window within
    POSTINGS_CHEAP entries (most holders of the lists are matches, as for
    one word: "autonomie", 3,000 matches read when the weight index's walk
    found none among the heaviest), or when reading every match would cost
    more than the entries expected (at most POSTINGS_WALK_MAX are read). The
    filters (and the skills everyday words mean) are checked in each entry's
    row too: ``filters_share`` of the matches pass them. All the words of
    several, their other words probed in their postings (``_probe_stems``):
    a walk of POSTINGS_PROBE_WALK entries all the same, unless the filters
    are narrow or too few of the rarest word's holders are expected to hold
    the others (POSTINGS_PROBE_MIN_SHARE; words typed together often go
    together, which their shares do not say); a probe trusts the other
    word's postings as the walk trusts its list's, which the nightly repair
    keeps with the rows (``search_postings_repair``). Never when the lists
    hold at most a window of profiles (their matches are read at once,
    cheaper than planning the merge), when a share or the listed count is
    not known, or when a term of its lists is not one stem. An estimate,
    like the walk's: a wrong one costs time, never a result."""
    if tier.share is None or tier.lists_share is None or not listed:
        return None
    holders = tier.lists_share * listed
    if holders <= SEARCH_WINDOW:
        return None
    lists = _postings_lists(tier)
    if lists is None:
        return None
    # Entries read: until SEARCH_WINDOW matches, a share of the lists' holders.
    wanted = tier.share * filters_share
    read = SEARCH_WINDOW * tier.lists_share / wanted if wanted else math.inf
    if read <= POSTINGS_CHEAP:
        return lists, max(POSTINGS_CHEAP, math.ceil(2 * read))
    # Fewer matches than a window among the lists' holders: all of them read
    # (when that is cheaper than every match read with their words' index).
    # Not when the walk's bound comes first: a walk that neither fills the
    # window nor reads its lists to the end is followed by every match
    # ("messagerie numériques": a frequent word and the skills meant, which
    # 7 % of profiles hold: 500 entries walked for 91 matches, 3.6 ms, then
    # every match).
    read = min(read, holders)
    if read <= POSTINGS_WALK_MAX and read * POSTING_COST < tier.share * listed:
        return lists, min(POSTINGS_WALK_MAX, math.ceil(2 * read))
    # All the words of several, the others probed in their postings: a short
    # walk, in case the words go together more than their shares say. Not
    # from a prefix's list (its range of stems is read whole and sorted
    # before the walk's bound applies).
    # Only for all the words: a tier of fewer of them is not what was typed
    # together ("relation suite cloud", two of the three at 20,000 mentors:
    # 500 entries probed for a window they did not fill, 2.5 -> 5.5 ms).
    if (
        not tier.held
        and _probe_stems(tier)
        and not lists[0][1]
        and filters_share >= POSTINGS_PROBE_FILTERS
        and tier.share >= POSTINGS_PROBE_MIN_SHARE * tier.lists_share
    ):
        return lists, POSTINGS_PROBE_WALK
    return None


def _probe_stems(tier: Tier) -> list[str]:
    """The stems the walk of the tier's lists probes in their postings: its
    other words' (``Tier.probes``) that are one stem, not a prefix (a
    prefix's range is checked in the row); for a tier of exactly k words,
    every word's, or none when one is not a stem (the count would be
    wrong)."""
    stems = []
    for term in tier.probes:
        found = _TERM.match(term)
        if found is not None and not found.group(2):
            stems.append(found.group(1))
        elif tier.held:
            return []
    return stems


def _postings_lists(tier: Tier) -> list[tuple[str, bool]] | None:
    """The tier's postings lists, each a stem and whether it is a prefix;
    None when a term is not one stem (or the tier has no lists)."""
    lists = []
    for term in tier.lists:
        found = _TERM.match(term)
        if found is None:
            return None
        stem, prefix = found.group(1), bool(found.group(2))
        if prefix and _range_end(stem) is None:
            return None
        lists.append((stem, prefix))
    return lists or None


def _range_end(prefix: str) -> str | None:
    """The first string after every one that starts with ``prefix``, in byte
    order (UTF-8 keeps the code points' order); None when its last code
    point has no valid successor (a surrogate, or past the last)."""
    following = ord(prefix[-1]) + 1
    if 0xD800 <= following <= 0xDFFF or following > 0x10FFFF:
        return None
    return prefix[:-1] + chr(following)


def _postings_values(
    lists: list[tuple[str, bool]], walk: int, probes: Sequence[str] = ()
) -> dict[str, Any]:
    """The parameters of the postings' branches: each list's stem (a prefix:
    the range of stems it starts, in byte order), and the terms of the lists
    before it, whose holders those lists give already; ``walk``, the entries
    the walk may read; the stems it probes (``_probe_stems``)."""
    values: dict[str, Any] = {"posting_walk": walk}
    values.update((f"probe_{i}", stem) for i, stem in enumerate(probes))
    for i, (stem, prefix) in enumerate(lists):
        values[f"posting_{i}"] = stem
        if prefix:
            values[f"posting_end_{i}"] = _range_end(stem)
        if i:
            values[f"posting_seen_{i}"] = " | ".join(
                f"'{s}':*" if p else f"'{s}'" for s, p in lists[:i]
            )
    return values


def _values(
    *,
    viewer_id: int | None,
    query: DirectoryQuery,
    plan: SearchPlan,
    split: Split,
) -> dict[str, Any]:
    """The parameters of the parts' statements that no tier changes (the
    filter values as ``split``, ``_facets_split``'s)."""
    indexed, in_row = split
    return {
        "viewer": viewer_id,
        "meant": list(plan.meant),
        "meant_levels": skill_levels(plan.meant),
        "skill_levels": (
            skill_levels([query.skill], min_level=query.min_level)
            if query.skill
            else []
        ),
        "min_level": query.min_level,
        "language": query.language,
        "region": query.region,
        "mode": query.mode,
        # The filter values read through the index, and those checked in the
        # rows (``_facets_split``).
        "facets": indexed,
        "facets_row": in_row,
        "window": SEARCH_WINDOW,
        # The sampled walk's figures (``_window_with``): none unless a tier
        # sets ``sample``.
        "sample": 0,
        "sample_hits": WALK_SAMPLE_HITS,
        "sample_reach": 3 * SEARCH_WINDOW * WALK_SAMPLE,
        "sample_walk": WALK_ENTRIES,
    }


def _words_alone(shape: _Shape) -> bool:
    """Whether a tier is words alone, no filter nor skill meant: its window's
    plan is then the same whatever the words (the weight index walked, the
    full-text index for the rest), so its statement may be prepared."""
    return shape.text == "tsquery" and not any(
        (
            shape.meant,
            shape.skill,
            shape.min_level,
            shape.language,
            shape.region,
            shape.mode,
            shape.free_within,
        )
    )


# Everyday words' skills go with the words typed beside them ("messagerie
# agenda": the email and calendar skills and "agenda", 580 matches expected
# among 170,000 listed profiles, 9,804 found, every holder of "agenda" then
# read for its skills: 104 ms, now ~4 ms): where the other filters keep most
# profiles, the walk goes as many entries as every match's read would read
# rows (the holders of the words or of the skills, the fewer; an entry,
# index-only, costs 0.4 µs at 20,000 mentors and 1-2 at 200,000, a row read
# ~1.5 and ~3), at least WALK_TOGETHER (fewer are read at once: at 20,000
# mentors, "excel donnees" took 5.4 ms read at once, 7.3 with a walk tried
# first), at most WALK_TOGETHER_MAX (10-16 ms at 200,000 when not in memory,
# lost when the words and the skills do not meet: "calc informatique", no
# match, walked 10,000 entries in 33 ms before every holder was read).
WALK_TOGETHER = 3_000
WALK_TOGETHER_MAX = 5_000
WALK_TOGETHER_FILTERS = 0.5


def _walk_entries(
    tier: Tier,
    *,
    filters_share: float = 1.0,
    listed: float | None = None,
    together: float = 0.0,
) -> int:
    """How far the window's walk of the weight index may go for this tier:
    three times as far as the share of profiles its words and filters keep
    says a full window takes (the words may be rarer among the heaviest
    profiles), at most WALK_ENTRIES; not at all when they keep few (their
    matches are then read from the indexes at once); WALK_UNKNOWN when the
    words' share is not known (a prefix of a word nobody holds: usually
    rare). Nor when reading the matches from the indexes costs less: the
    walk's length goes with the inverse of the share, the matches with the
    share and the number of ``listed`` profiles (the weight index's entries
    as last counted; None when not known). Both shares are estimates (the
    lexicon's, ``_filters_share``): a wrong one costs time, never a result
    (a walk that does not fill the window is followed by the indexes' read).
    ``together``: the share of the profiles holding the skills meant by
    everyday words, the other filters wide (0 otherwise): as many entries as
    every match's read would read rows (the holders of the words or of the
    skills), between WALK_TOGETHER and WALK_TOGETHER_MAX."""
    if tier.share is None:
        return WALK_UNKNOWN
    share = tier.share * filters_share
    walk = 0 if share < WALK_MIN_SHARE else math.ceil(3 * SEARCH_WINDOW / share)
    if listed and walk > MATCH_READ_ENTRIES * share * listed:
        walk = 0
    walk = min(WALK_ENTRIES, walk)
    if together and listed:
        holders = min(tier.share, together) * listed
        worth = min(WALK_TOGETHER_MAX, math.floor(holders))
        if worth >= WALK_TOGETHER:
            walk = max(walk, worth)
    return walk


# A sorted page reads the matches of its words first, then sorts them, when
# they are expected to be at most this many (read ~2 µs each); more, and the
# order's index is walked, each row checked, until the page is full (a
# bounded walk for words: ``_sort_walk``).
SORT_MATCHES_FIRST = 2_000


def _matches_first(
    tier: Tier, *, filters_share: float = 1.0, listed: float | None = None
) -> bool:
    """Whether a sorted page of this tier reads its matches first: when its
    words and filters keep few profiles (the planner, walking the order's
    index, read 170,000 rows of 200,000 mentors for a tier that matched
    none). An estimate, like the walk's: it costs time, never a result."""
    if tier.share is None or not listed:
        return False
    return tier.share * filters_share * listed <= SORT_MATCHES_FIRST


# A sorted page of several words expected rare (their shares multiplied,
# ``_matches_first``) first counts their matches among the SORT_SAMPLE
# heaviest entries of the weight index (index-only, ~0.1 ms at 20,000
# mentors, ~0.3 at 200,000): words that go together show there, and the
# page walks its order's index instead of reading every match ("tests
# assurance" by the next free slot at 200,000 mentors: 836 matches expected,
# 11,725 read and sorted, 35-60 ms). The heaviest profiles hold more words
# than the rest: the sample must show SORT_SAMPLE_BIAS times the share from
# which the walk pays, and the walk's length takes their share divided by it.
SORT_SAMPLE = 256
SORT_SAMPLE_BIAS = 2


def _together_share(
    tier: Tier, *, filters_share: float, listed: float | None
) -> float | None:
    """The share of the profiles a sorted page's words, expected rare, are
    held by together, when enough of the heaviest profiles hold them that
    its order's index is walked (their hits over the sample, divided by
    SORT_SAMPLE_BIAS); None otherwise. All the words only: a tier of
    exactly k of them is not typed together."""
    if not tier.probes or tier.held or tier.websearch or not listed:
        return None
    needed = (
        SORT_SAMPLE_BIAS * SORT_SAMPLE * SORT_MATCHES_FIRST / (filters_share * listed)
    )
    if needed > SORT_SAMPLE:
        return None  # more than the sample holds: no statement
    with prepared_cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT p.search_terms"  # noqa: S608 - ours
            f" FROM mentors_mentorprofile p WHERE {_LISTED}"
            f" ORDER BY {_ORDER['window']} LIMIT %(sample)s) p"
            " WHERE p.search_terms @@ %(match)s::tsquery",
            {"sample": SORT_SAMPLE, "match": tier.match},
        )
        (hits,) = cursor.fetchone()
    return hits / (SORT_SAMPLE_BIAS * SORT_SAMPLE) if hits >= needed else None


# A sorted page of words not read matches first walks its order's index (each
# entry's row read, 5-17 µs at 200,000 mentors) at most this many entries
# (15-50 ms), then reads the matches first when the walk found too few: the
# estimate of the words' matches takes them as independent, and words that
# avoid each other match far fewer ("suite javascript client" by the next
# free slot, two of the three words: 2,548 expected among 200,000 mentors,
# none found, the whole index walked, twice: 2.6 s).
SORT_WALK_MAX = 3_000


# Filters alone, newest first, walk their own index (index-only, ~0.7 µs an
# entry at 200,000 mentors, where a sorted page of words reads each entry's
# row): up to this many entries.
NEWEST_WALK_MAX = 10_000


def _newest_walk_max(share: float, listed: float | None) -> int:
    """The longest walk of the newest index for filters keeping this
    share of the ``listed`` profiles: NEWEST_WALK_MAX, and no longer than
    MATCH_READ_ENTRIES times their matches (reading them all costs less:
    at 20,000 mentors, filters keeping 1 % walked 10,000 entries for the
    170 profiles they keep)."""
    if not listed:
        return NEWEST_WALK_MAX
    return min(NEWEST_WALK_MAX, math.floor(MATCH_READ_ENTRIES * share * listed))


def _filtered(query: DirectoryQuery, plan: SearchPlan) -> bool:
    """Whether the query has a filter (or skills meant)."""
    return bool(
        query.region
        or query.language
        or query.mode
        or query.skill
        or query.min_level
        or plan.meant
        or query.available_within_days in _FREE_WITHIN
    )


def _sort_walk(
    share: float | None, candidates: int, *, most: int = SORT_WALK_MAX
) -> int:
    """How far a sorted page may walk its order's index for ``candidates``
    matches: three times as far as the ``share`` of the profiles its words
    and filters keep says, at most ``most`` (SORT_WALK_MAX; filters alone,
    index-only, NEWEST_WALK_MAX); 0 (no walk: the matches read first) when
    even the entries expected exceed it (a later page, or a share just above
    ``_matches_first``'s); ``most``, or three times the candidates if more,
    when the share is not known."""
    if not share:
        return max(3 * candidates, most)
    if candidates / share > most:
        return 0
    return max(3 * candidates, min(most, math.ceil(3 * candidates / share)))


# The share of the profiles each filter's value keeps, from PostgreSQL's
# statistics of the profile table (``pg_stats``: the most common values and
# array elements that ANALYZE found), read once per process in this many
# seconds. The walks' lengths read it (``_walk_entries``), and the statements'
# text for words beside narrow filters (``_narrow_filters``) and which
# filter values are checked in the rows (``_facets_split``: read once for a
# page's statements and their values, which must agree): an estimate, which
# costs time when wrong, never a result.
FILTER_SHARES_SECONDS = 600
_FILTER_STATS_SQL = """
SELECT attname::text,
       coalesce(most_common_vals::text::text[], '{}'),
       coalesce(most_common_freqs, '{}'),
       coalesce(most_common_elems::text::text[], '{}'),
       coalesce(most_common_elem_freqs, '{}')
FROM pg_stats
WHERE schemaname = current_schema() AND tablename = 'mentors_mentorprofile'
  AND attname IN ('region', 'languages', 'modes', 'search_skills',
                  'free_slots_7d', 'free_slots_14d')
"""


_ARRAY_COLUMNS = ("languages", "modes", "search_skills")


@dataclass(frozen=True)
class _FilterStats:
    # column → {value or element: share of the rows}; a column ANALYZE has
    # not seen is missing.
    shares: dict[str, dict[str, float]]
    read_at: float

    def held(self, column: str, values: Sequence[str]) -> float:
        """The share of profiles holding one of ``values`` in ``column``
        (values that exclude each other: their shares add up); 1 when the
        column has no statistics. The values outside the most common ones
        count, together, half the least common one's share (PostgreSQL's
        guess for one value)."""
        known = self.shares.get(column)
        if not known:
            return 1.0
        listed = sum(known[value] for value in values if value in known)
        rest = min(known.values()) / 2 if set(values) - known.keys() else 0.0
        return min(1.0, listed + rest)


_FILTER_STATS: list[_FilterStats] = []


def _filter_stats() -> _FilterStats:
    now = time.monotonic()
    if _FILTER_STATS and now - _FILTER_STATS[0].read_at < FILTER_SHARES_SECONDS:
        return _FILTER_STATS[0]
    shares: dict[str, dict[str, float]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_FILTER_STATS_SQL)
        for column, values, freqs, elems, elem_freqs in cursor.fetchall():
            # An array's elements (its most common values are whole arrays);
            # the elements' frequencies end with three more figures.
            if column in _ARRAY_COLUMNS:
                shares[column] = dict(zip(elems, elem_freqs[: len(elems)], strict=True))
            else:
                shares[column] = dict(zip(values, freqs, strict=True))
    _FILTER_STATS[:] = [_FilterStats(shares=shares, read_at=now)]
    return _FILTER_STATS[0]


def _region_share(query: DirectoryQuery) -> float:
    """The share of the profiles in the query's region (1 without one)."""
    return _filter_stats().held("region", [query.region]) if query.region else 1.0


def _filters_share(
    query: DirectoryQuery, plan: SearchPlan, *, region: bool = True
) -> float:
    """The share of the profiles that the query's filters and skills meant
    keep, as if they were independent (an estimate for the walk's length);
    without the region's when not ``region``."""
    if not _filtered(query, plan):
        return 1.0
    stats = _filter_stats()
    share = _region_share(query) if region else 1.0
    for facet in _facet_filters(query):
        if facet.column != "region":
            share *= stats.held(facet.column, facet.values)
    if plan.meant:
        share *= stats.held("search_skills", skill_levels(plan.meant))
    days = query.available_within_days
    if days in _FREE_WITHIN:
        # Kept: the profiles whose count of free slots is not 0.
        none_free = stats.shares.get(f"free_slots_{days}d", {}).get("0")
        if none_free is not None:
            share *= 1.0 - none_free
    return share


# --- the statements of the parts -------------------------------------------------
# Building them with the ORM took a third of the time a search spent on its
# statements. Their text depends only on the shape of the query (which filters
# are set, a tier of words or not, skills meant, a viewer with blocks) and on
# the part read, so it is composed once per shape from the fragments below;
# every value is a parameter. They are the ORM's ``mentor_directory_queryset``
# (and the public and block rules) written out: tests/mentors/
# test_directory_sql.py holds the pages they read to the ORM's. Not prepared
# (core/db.py), as the best plan of a search with filters depends on their
# values, but for the window's ranking (rows by primary key) and the window of
# words alone (``_words_alone``: the same plan whatever the words; prepared,
# the mix's windows took ~20 % less of the database's time).

# The rows the weight index holds (``listed_conditions``, the index's predicate).
_LISTED = (
    "p.approved_at IS NOT NULL AND p.is_published AND p.hidden_by_staff_at IS NULL"
)
# The rest of the public rule (``public_conditions``): the owner's account.
_OWNER_PUBLIC = (
    "u.is_active AND EXISTS (SELECT 1 FROM account_emailaddress e"
    " WHERE e.user_id = p.user_id AND e.verified)"
)
# No block between the viewer and the owner (``Block.objects.between``).
_NOT_BLOCKED = (
    "NOT EXISTS (SELECT 1 FROM mentors_block b"
    " WHERE (b.blocker_id = %(viewer)s AND b.blocked_id = p.user_id)"
    " OR (b.blocker_id = p.user_id AND b.blocked_id = %(viewer)s))"
)
# The skills are read from the profile's ``search_skills`` ("code:level",
# kept with the search columns): in the weight index for the window's walk,
# in an index of their own for the rest, never a join per profile.
_HAS_SKILL_MEANT = "p.search_skills && %(meant_levels)s::text[]"
# ``_ranked``'s skill_rank: the first skill meant weighs most, then the level.
_SKILL_RANK = (
    "(SELECT max(10 * (cardinality(%(meant)s::text[]) + 1"
    " - array_position(%(meant)s::text[], split_part(held, ':', 1)))"
    " + split_part(held, ':', 2)::integer)"
    " FROM unnest(p.search_skills) AS held"
    " WHERE split_part(held, ':', 1) = ANY(%(meant)s::text[]))"
)
# Search syntax's condition (``_text_match`` writes the tiers').
_WEBSEARCH_MATCH = (
    "p.search_vector @@ websearch_to_tsquery('french', unaccent(%(match)s))"
)
_TEXT_RANK = {
    "tsquery": "ts_rank(p.search_vector, %(rank)s::tsquery)",
    "websearch": (
        "ts_rank(p.search_vector, websearch_to_tsquery('french', unaccent(%(rank)s)))"
    ),
}
# What the walks of the weight index and of the newest index read of each
# entry (all in the index: ``SEARCH_FILTER_COLUMNS`` in their INCLUDE).
_FILTERED = ", ".join(f"p.{column}" for column in SEARCH_FILTER_COLUMNS)
_WALKED = f"p.id, p.search_weight, p.approved_at, p.search_terms, p.region, {_FILTERED}"
_NEWEST_WALKED = f"p.id, p.approved_at, p.region, {_FILTERED}"
_FREE_WITHIN = {7: "p.free_slots_7d > 0", 14: "p.free_slots_14d > 0"}
_ORDER = {
    # The weight index's order.
    "window": "p.search_weight DESC, p.approved_at DESC, p.id DESC",
    "soonest": "p.next_free_slot_at ASC NULLS LAST, p.id DESC",
    "newest": "p.approved_at DESC, p.id DESC",
}
# What a card shows: the card's columns of the profile (in the model's order,
# as ``from_db`` takes them), then its owner's name.
_CARD_COLUMNS = [
    field.attname
    for field in MentorProfile._meta.concrete_fields
    if field.attname in MentorProfile.CARD_FIELDS
]
_OWNER_COLUMNS = ["id", "full_name"]
_CARDS = ", ".join(f'p."{column}"' for column in _CARD_COLUMNS) + ", u.full_name"
_PROFILES = "mentors_mentorprofile p JOIN accounts_user u ON u.id = p.user_id"


class _Shape(NamedTuple):
    """What the text of a part's statement depends on (never a value)."""

    viewer: bool  # a viewer in a block: blocked profiles left out
    meant: bool  # skills meant by everyday words
    text: str  # "", or how the tier's words are read: "tsquery", "websearch"
    skill: bool
    min_level: bool
    language: bool
    region: bool
    mode: bool
    free_within: int  # 7 or 14 days, or 0
    # Listed profiles whose terms are too long for the weight index exist: the
    # window reads them apart (``_window_with``). Almost never: without them
    # the window's statement is shorter to plan and to run.
    long_texts: bool = True
    # A sorted page of words few profiles hold: their matches read first,
    # then sorted (``_matches_first``).
    matches_first: bool = False
    # Words alone whose matches a walk may not find: the window read from
    # their postings instead of every match (``_postings``), one list per
    # word of the tier's lists (the n - k + 1 rarest), True for a prefix.
    postings: tuple[bool, ...] = ()
    # How many stems the walk of all the words probes in their postings
    # before it reads an entry's row (``_probe_stems``); counted: a tier of
    # exactly k words, whose entries must hold k of the stems probed.
    probes: int = 0
    counted: bool = False
    # The tier's words beside narrow filters (``NARROW_FILTERS``): checked
    # in the rows, never through the words' index.
    wide_text: bool = False
    # Filter values read through ``search_facets``' index (``facets``), and
    # values most profiles hold, checked in the rows (``facets_row``; both
    # ``_facets_split``'s).
    facets_indexed: bool = False
    facets_in_row: bool = False
    # A tier of exactly k of the words (``Tier.held``): its indexes read the
    # profiles holding k at least (its ``rank``), its rows say which hold no
    # more (``_text_match``).
    exactly: bool = False
    # A tier whose walk is left out samples the heaviest entries first
    # (``_sampled``): the walk's length is then computed in the statement.
    sampled: bool = False
    # Filters alone, newest first: their index walked alone, ``sort_walk``
    # entries at most (``_parts``).
    newest_walk: bool = False


def _shape(
    *,
    viewer_id: int | None,
    query: DirectoryQuery,
    plan: SearchPlan,
    tier: Tier | None,
    split: Split,
    long_texts: bool = True,
) -> _Shape:
    days = query.available_within_days
    # Beside narrow filters, words whose lists are long beside them are
    # checked in the rows the filters' index gives (``NARROW_FILTERS``).
    narrow = _narrow_filters(query)
    indexed, in_row = split
    return _Shape(
        facets_indexed=bool(indexed),
        facets_in_row=bool(in_row),
        wide_text=narrow is not None
        and tier is not None
        and not tier.websearch
        and tier.lists_share is not None
        and tier.lists_share >= BESIDE_LISTS * narrow,
        viewer=bool(viewer_id),
        meant=bool(plan.meant),
        text="" if tier is None else "websearch" if tier.websearch else "tsquery",
        exactly=tier is not None and bool(tier.held),
        skill=bool(query.skill),
        min_level=bool(query.min_level),
        language=bool(query.language),
        region=bool(query.region),
        mode=bool(query.mode),
        free_within=days if days is not None and days in _FREE_WITHIN else 0,
        long_texts=long_texts,
    )


# A condition no index can answer (the same truth in the row).
_ROW_ONLY = "({}) IS TRUE"

# Filter values at least this share of the profiles hold (French, video:
# 85 % and 80 % of the bench mentors) are checked in each row read, never
# through their index: alone, one common value's whole list is read
# ("accessibilité" with French: 170,201 entries, 25 ms from disk at 200,000
# mentors, to leave out no row), where the words' own bitmap was the whole
# cost; beside a rarer value, the scan of both costs several times the rarer
# one's (``_facets_split``), and the rows it leaves to check are few.
WIDE_FILTER = 0.5


class _Facet(NamedTuple):
    """A filter of the query that ``search_facets`` holds."""

    column: str  # whose statistics say how many profiles hold it
    values: list[str]  # one of which a profile must hold in that column
    # Its value in ``search_facets``; "" for a skill at a level or above, one
    # of its levels' values (``skill_levels``), a condition of its own.
    key: str


def _facet_filters(query: DirectoryQuery) -> list[_Facet]:
    """The query's filters that ``search_facets`` holds (a skill: its levels,
    from the one asked for)."""
    facets = []
    if query.skill:
        levels = skill_levels([query.skill], min_level=query.min_level)
        key = "" if query.min_level else f"s:{query.skill}"
        facets.append(_Facet("search_skills", levels, key))
    if query.language:
        facets.append(_Facet("languages", [query.language], f"l:{query.language}"))
    if query.mode:
        facets.append(_Facet("modes", [query.mode], f"m:{query.mode}"))
    if query.region:
        facets.append(_Facet("region", [query.region], f"r:{query.region}"))
    return facets


Split = tuple[list[str], list[str]]


def _facets_split(query: DirectoryQuery) -> Split:
    """The values of the query's ``search_facets @>`` conditions (not a
    skill at a level: its own condition), as those read through the index and
    those checked in the rows: the values WIDE_FILTER of the profiles hold or
    more (statistics; none without them). Beside a rarer value, a common one
    is checked in the rows its index scan gives: a GIN scan of several keys
    does not skip through a long list cheaply (at 200,000 bench mentors
    ``{r:76}`` 2.4 ms, ``{m:video,r:76}`` 9 ms, each tier of a search
    reading it again)."""
    keyed = [facet for facet in _facet_filters(query) if facet.key]
    if not keyed:
        return [], []
    stats = _filter_stats()
    indexed: list[str] = []
    in_row: list[str] = []
    for facet in keyed:
        common = (
            facet.column in stats.shares
            and stats.held(facet.column, facet.values) >= WIDE_FILTER
        )
        (in_row if common else indexed).append(facet.key)
    return indexed, in_row


# Filters of ``search_facets`` (a skill, a language, a mode, a region) that
# at most this share of the profiles pass together: their index gives the
# rows, and the words whose index would read BESIDE_LISTS times as many
# entries as the filters keep (their lists' share: what the full-text index
# goes through for the tier) are checked in those rows, never through their
# index. The planner, its costs of large GIN bitmaps far too low, ANDed them
# ("produit sites expérience javascript" with a skill group held by 2 % at
# 200,000 mentors: the bitmap of two of the four words, 50,479 entries, 21
# ms, of three of them 16,975 entries, 24 ms, beside the skill's 3,327;
# "création sites html end" with Spanish and the phone at 20,000: 103
# profiles, the words' bitmap of each of the four tiers 1-3 ms). Words whose
# lists are shorter are ANDed ("conception interfaces utilisateur" with
# content writing, 4.8 %: 8,180 rows read for none, 22-30 ms, where the
# bitmaps cost less).
NARROW_FILTERS = 0.05
BESIDE_LISTS = 8


def _narrow_filters(query: DirectoryQuery) -> float | None:
    """The share of the profiles the query's filters of ``search_facets``
    keep together (statistics, taken as independent) when it is at most
    NARROW_FILTERS; None otherwise, or without statistics."""
    held = _facet_filters(query)
    if not held:
        return None
    stats = _filter_stats()
    if not any(facet.column in stats.shares for facet in held):
        return None
    share = math.prod(stats.held(facet.column, facet.values) for facet in held)
    return share if share <= NARROW_FILTERS else None


def _matching_sql(shape: _Shape, *, walked: bool = False) -> list[str]:
    """``_matching``'s conditions: the words of the tier, the skills meant,
    the filters. The filters' values from the row's ``search_facets`` (their
    index: one scan for them all), or ``walked``, in an index-only walk, from
    the columns its entries hold (``SEARCH_FILTER_COLUMNS``)."""
    conditions: list[str] = []
    if shape.meant:
        conditions.append(_HAS_SKILL_MEANT)
    if shape.text:
        conditions.append(_text_match(shape, "search_vector"))
    if not walked and _faceted(shape):
        # Every value asked for (``_facets_split``: not a skill at a level or
        # above, which is one of its levels' values, the third condition).
        if shape.facets_indexed:
            conditions.append("p.search_facets @> %(facets)s::text[]")
        if shape.facets_in_row:
            conditions.append(
                _ROW_ONLY.format("p.search_facets @> %(facets_row)s::text[]")
            )
        if shape.skill and shape.min_level:
            conditions.append("p.search_facets && %(skill_levels)s::text[]")
    elif shape.skill:
        # The skill at the level asked for, or above.
        conditions.append("p.search_skills && %(skill_levels)s::text[]")
    if shape.min_level and not shape.skill:
        # Any skill at that level or above, from the row's (or the weight
        # index's entry's) skills, not a look-up of the skills' table per
        # profile ("technicien support" at level 3, sorted, at 200,000
        # mentors: 9,020 look-ups).
        conditions.append(
            "EXISTS (SELECT 1 FROM unnest(p.search_skills) AS held"
            " WHERE split_part(held, ':', 2)::integer >= %(min_level)s)"
        )
    if walked or not _faceted(shape):
        if shape.language:
            conditions.append("p.languages @> ARRAY[%(language)s]::varchar(2)[]")
        if shape.region:
            conditions.append("p.region = %(region)s")
        if shape.mode:
            conditions.append("p.modes @> ARRAY[%(mode)s]::varchar(10)[]")
    if shape.free_within:
        conditions.append(_FREE_WITHIN[shape.free_within])
    return conditions


def _text_match(shape: _Shape, column: str) -> str:
    """The condition of the tier's words on ``column`` (``search_vector``,
    or ``search_terms``, which the weight index's entries hold too). Beside
    narrow filters (``wide_text``), checked in the rows only. A tier of
    exactly k words (``exactly``): the index reads the profiles holding k at
    least (the tier's ``rank``, ``_at_least``), and each of their rows
    says whether it holds no more. Those holding more are the earlier
    tiers', fewer than the pages before (a later tier is read only when the
    earlier ones did not fill them), where a negation in the index's
    condition is evaluated for every entry of its lists: two of "front
    boulogne lyon bureautique" at 200,000 mentors, 12-15 ms of the index's
    time with it, 7.8 without."""
    if shape.text == "websearch":
        text = _WEBSEARCH_MATCH
    else:
        text = f"p.{column} @@ %(match)s::tsquery"
    if shape.wide_text:
        return _ROW_ONLY.format(text)
    if shape.exactly:
        return f"p.{column} @@ %(rank)s::tsquery AND {_ROW_ONLY.format(text)}"
    return text


def _faceted(shape: _Shape) -> bool:
    """Whether a filter of the shape is one of ``search_facets``' values."""
    return shape.skill or shape.language or shape.region or shape.mode


@functools.lru_cache(maxsize=512)
def _statement(shape: _Shape, part: str) -> str:
    """The statement of a part: ``"window_ids"`` (one row: how many ids the
    window holds, and the ids as an array's text),
    ``"window_ranked"`` (the cards of the window's best profiles, ranked, from
    its ids: prepared), ``"after_window"`` (the matches after a full window,
    by weight) or a sort (``"soonest"``, ``"newest"``: the first
    ``candidates`` matches in that order, with their count in a last column,
    for words among the first ``sort_walk`` listed profiles in that order;
    without any candidate, one row of NULLs and the count 0;
    ``"soonest_whole"``, ``"newest_whole"``: every match). Its parameters:
    ``wanted`` (rows at most), those of the shape's fragments, ``candidates``
    and ``sort_walk`` in a bounded sort, ``window`` (its size) and ``walk``
    (the entries the walk may read, ``_walk_entries``; in a sampled shape
    ``sample``, ``sample_hits``, ``sample_reach`` and ``sample_walk``,
    ``_values``) in the window's parts,
    the postings' (``_postings_values``, and ``probe_held`` when counted),
    and ``ids`` (the window's) in ``"window_ranked"``."""
    # Our fragments only: every value is a placeholder (a test checks each
    # shape).
    matching = _matching_sql(shape)
    owner = [_OWNER_PUBLIC] + ([_NOT_BLOCKED] if shape.viewer else [])
    visible = [_LISTED, *owner]
    if part.endswith("_whole"):
        # One statement, unbounded: the planner may walk an index in this
        # order and stop at the LIMIT, which a sorted subquery would hide.
        order = _ORDER[part.removesuffix("_whole")]
        every = (
            f"SELECT {_CARDS} FROM {_PROFILES}"  # noqa: S608
            f" WHERE {' AND '.join(visible + matching)}"
        )
        if shape.matches_first:
            # Few matches (``_matches_first``): read, then sorted.
            every = f"SELECT * FROM ({every} OFFSET 0) p"  # noqa: S608
        return f"{every} ORDER BY {order} LIMIT %(wanted)s"
    if part not in ("window_ids", "window_ranked", "after_window"):
        # The first ``candidates`` matches in this order, from the profile
        # rows alone; their owners checked in that order until the page has
        # its rows (not every match's owner before sorting them).
        source = (
            "SELECT p.id, p.approved_at, p.next_free_slot_at"  # noqa: S608
            " FROM mentors_mentorprofile p"
            f" WHERE {' AND '.join([_LISTED, *matching])}"
        )
        if shape.text and not shape.matches_first:
            # Words: the first ``sort_walk`` listed profiles in this order,
            # then their matches (``_sort_walk``; too few, and the caller
            # reads the matches first).
            source = (
                "SELECT p.id, p.approved_at, p.next_free_slot_at"  # noqa: S608
                f" FROM (SELECT p.* FROM mentors_mentorprofile p WHERE {_LISTED}"
                f" ORDER BY {_ORDER[part]} LIMIT %(sort_walk)s) p"
                f" WHERE {' AND '.join(matching) or 'true'}"
            )
        elif shape.newest_walk and part == "newest":
            # Filters alone: the first ``sort_walk`` entries of their index,
            # newest first, which holds every filtered column (index-only),
            # then their matches (too few, and the caller reads the matches
            # first). The next free slot is not in it, nor needed here.
            source = (
                "SELECT p.id, p.approved_at,"  # noqa: S608
                " NULL::timestamptz AS next_free_slot_at"
                f" FROM (SELECT {_NEWEST_WALKED} FROM mentors_mentorprofile p"
                f" WHERE {_LISTED} ORDER BY {_ORDER[part]}"
                " LIMIT %(sort_walk)s) p"
                f" WHERE {' AND '.join(_matching_sql(shape, walked=True)) or 'true'}"
            )
        elif shape.matches_first:
            # Few matches: read them (the indexes of their words and filters),
            # then sort them; OFFSET 0 keeps the planner from walking the
            # order's index instead, row after row, in search of them.
            source = f"SELECT * FROM ({source} OFFSET 0) p"  # noqa: S608
        candidates = (
            f"WITH directory_candidates AS MATERIALIZED ({source}"
            f" ORDER BY {_ORDER[part]} LIMIT %(candidates)s)"
        )
        checked = _owners_checked(
            f"SELECT * FROM directory_candidates p ORDER BY {_ORDER[part]}",  # noqa: S608
            order=_ORDER[part],
            owner=owner,
            extra=", (SELECT count(*) FROM directory_candidates)",
        )
        # No candidate at all: one row of NULLs and the count 0, so that the
        # caller knows there is nothing to read again (without it, no row
        # says whether there was no match or every owner was hidden). Never
        # beside the cards' rows: it is there only when no candidate is.
        nothing = ", ".join(["NULL"] * (len(_CARD_COLUMNS) + 1))
        return (
            f"{candidates} ({checked}) UNION ALL SELECT {nothing}, 0"  # noqa: S608
            " WHERE NOT EXISTS (SELECT 1 FROM directory_candidates)"
        )
    if part == "window_ranked":
        return _window_ranked(shape, owner)
    # The window: what the profile rows hold (approved, shown, not hidden);
    # the owners are checked on the rows read from it.
    window = _window_with(shape)
    if part == "window_ids":
        # One row: how many, and the ids as an array's text, which the ranking
        # takes as its parameter as is (~0.1 ms of Python less than 200 rows
        # read and a list of 200 sent back).
        return (
            f"{window} SELECT count(*), array_agg(id)::text"  # noqa: S608
            " FROM directory_window"
        )
    if part == "after_window":
        return (
            f"{window} SELECT {_CARDS} FROM {_PROFILES}"  # noqa: S608
            f" WHERE {' AND '.join(visible + matching)}"
            " AND p.id NOT IN (SELECT id FROM directory_window)"
            f" ORDER BY {_ORDER['window']} LIMIT %(wanted)s"
        )
    raise ValueError(f"no such part: {part}")


def _window_ranked(shape: _Shape, owner: list[str]) -> str:
    """The window's profiles (``ids``) ranked, their vectors read from their
    rows, best first; only then are the cards' columns read and the owners
    checked, in that order, until the page has its rows: a page of 20 reads
    ~21 cards and owners, not the window's 200.

    Apart from the window's ids, and prepared: its plan does not depend on
    the words (the ids' rows by primary key, ranked), so PostgreSQL plans it
    once per connection instead of at every search (planning the window in
    one statement with it took ~0.9 ms, its ids alone ~0.3 ms)."""
    ranks = [f"{_SKILL_RANK} AS skill_rank"] if shape.meant else []
    ranks += [f"{_TEXT_RANK[shape.text]} AS text_rank"] if shape.text else []
    relevance = ["p.skill_rank DESC"] if shape.meant else []
    relevance += ["p.text_rank DESC"] if shape.text else []
    relevance += ["p.approved_at DESC", "p.id DESC"]
    columns = ", ".join(["p.id", "p.approved_at", *ranks])
    return _owners_checked(
        f"SELECT * FROM (SELECT {columns}"  # noqa: S608
        " FROM unnest(%(ids)s::bigint[]) AS w(id)"
        " JOIN mentors_mentorprofile p ON p.id = w.id"
        # The profile rule again: a profile hidden since its id was read (two
        # statements, two snapshots) is not shown.
        f" WHERE {_LISTED}) p"
        # The LIMIT (never reached: the window holds no more) keeps the ranked
        # rows a subquery of their own, sorted before the joins: planned as
        # one, the owners of every profile of the window were sometimes read
        # before the sort.
        f" ORDER BY {', '.join(relevance)} LIMIT %(window)s",
        order=", ".join(relevance),
        owner=owner,
    )


def _window_with(shape: _Shape) -> str:
    """The WITH clause of the window's ids (``directory_window``): the first
    SEARCH_WINDOW matches by weight (``_ORDER["window"]``).

    For words (a tsquery), first a walk of the weight index alone, at most
    ``walk`` entries (in a sampled shape, more where a sample of the
    heaviest entries says so: ``_sampled``), an index-only scan (the entries
    hold the search terms and every filtered column) that stops once the
    window is full; the
    window is then exact, as the entries after the walk weigh less. Only if
    it is not full (few matches among the heaviest profiles, or ``walk`` 0
    for words the lexicon says are rare), every match is read from the
    full-text index and sorted by weight: a walk never goes through the
    whole index for words that match few profiles. The profiles whose terms
    are too long for the index (``search_terms`` NULL) are read from their
    rows, apart, when any is listed (``shape.long_texts``)."""
    rest = _matching_sql(shape._replace(text=""))
    # What the walk checks in the entries it reads.
    walked_rest = _matching_sql(shape._replace(text=""), walked=True)
    if shape.text != "tsquery":
        # Search syntax (a phrase needs the words' positions), or no words.
        return (
            "WITH directory_window AS MATERIALIZED ("  # noqa: S608
            "SELECT p.id FROM mentors_mentorprofile p"
            f" WHERE {' AND '.join([_LISTED, *_matching_sql(shape)])}"
            f" ORDER BY {_ORDER['window']} LIMIT %(window)s)"
        )
    terms = _text_match(shape, "search_terms")
    # What the walks check in each entry they read (no index: as is).
    walked_terms = "p.search_terms @@ %(match)s::tsquery"
    # In a region, its own entries (its weight index): the walk's length is
    # counted among them (``_parts``).
    walked_rows = " AND ".join(
        [_LISTED] + (["p.region = %(region)s"] if shape.region else [])
    )

    # The walk's length: ``walk``, or in a sampled shape, where the ``sample``
    # heaviest entries (WALK_SAMPLE) hold ``sample_hits`` matches or more,
    # three times as far as their share says a window takes
    # (``sample_reach`` over the matches), at most ``sample_walk``.
    def heaviest(limit: str) -> str:
        # The matches among the first ``limit`` entries by weight.
        return (
            f"(SELECT {_WALKED} FROM mentors_mentorprofile p WHERE {walked_rows}"  # noqa: S608
            f" ORDER BY {_ORDER['window']} LIMIT {limit}) p"
            f" WHERE {' AND '.join([walked_terms, *walked_rest])}"
        )

    sampled = (
        "(SELECT CASE WHEN count(*) >= %(sample_hits)s"  # noqa: S608
        " THEN least(%(sample_walk)s,"
        " ceil(%(sample_reach)s::float8 / greatest(count(*), 1)))::integer"
        f" ELSE 0 END FROM {heaviest('%(sample)s')})"
    )
    length = f"greatest(%(walk)s, {sampled})" if shape.sampled else "%(walk)s"
    walk = (
        "directory_walk AS MATERIALIZED ("  # noqa: S608
        f"SELECT p.id, p.search_weight, p.approved_at FROM {heaviest(length)}"
        f" ORDER BY {_ORDER['window']} LIMIT %(window)s)"
    )
    walked = "(SELECT count(*) FROM directory_walk)"
    walks = [walk]
    postings_part: tuple[str, ...] = ()
    # Every match is read when the walks fell short.
    short = [f"{walked} < %(window)s"]
    if shape.postings:
        # The postings' walk (``_postings_walk``): its window when it filled
        # one or read every entry of its lists; every match read otherwise.
        cte, entries = _postings_walk(
            shape.postings, walked, rest, shape.probes, counted=shape.counted
        )
        walks.append(cte)
        found = "(SELECT count(*) FROM directory_postings)"
        postings_part = (
            "SELECT id, search_weight, approved_at FROM directory_postings"  # noqa: S608
            f" WHERE {found} >= %(window)s"
            # Its entries counted only when the weight index's walk fell short.
            f" OR ({walked} < %(window)s AND {entries} < %(posting_walk)s)",
        )
        short += [f"{found} < %(window)s", f"{entries} >= %(posting_walk)s"]
    # Sorted by an expression, so that the planner does not walk the weight
    # index again: it reads the full-text index.
    every_match = (
        f"SELECT p.id, p.search_weight, p.approved_at"  # noqa: S608
        f" FROM mentors_mentorprofile p"
        f" WHERE {' AND '.join([_LISTED, terms, *rest, *short])}"
        " ORDER BY p.search_weight + 0 DESC, p.approved_at DESC, p.id DESC"
        " LIMIT %(window)s"
    )
    # Read from their own index first (OFFSET 0: a subquery the planner keeps
    # apart), then matched: planned as one, with a skill filter the planner
    # read every profile of the skill (~1.6 ms for 1,500) to find none.
    long_text = (
        "SELECT p.id, p.search_weight, p.approved_at"  # noqa: S608
        " FROM (SELECT p.id FROM mentors_mentorprofile p WHERE "
        + " AND ".join(
            [_LISTED, "p.search_terms IS NULL", "p.search_vector IS NOT NULL"]
        )
        + " OFFSET 0) l JOIN mentors_mentorprofile p ON p.id = l.id WHERE "
        + " AND ".join([_text_match(shape, "search_vector"), *rest])
        + f" ORDER BY {_ORDER['window']} LIMIT %(window)s"
    )
    full_walk = (
        "SELECT id, search_weight, approved_at FROM directory_walk"  # noqa: S608
        f" WHERE {walked} >= %(window)s"
    )
    parts = (full_walk, *postings_part, every_match) + (
        (long_text,) if shape.long_texts else ()
    )
    union = " UNION ALL ".join(f"({part})" for part in parts)
    return (
        f"WITH {', '.join(walks)}, directory_window AS MATERIALIZED ("  # noqa: S608
        f"SELECT p.id FROM ({union}) p"
        f" ORDER BY {_ORDER['window']} LIMIT %(window)s)"
    )


def _postings_walk(
    prefixes: tuple[bool, ...],
    walked: str,
    rest: list[str],
    probes: int = 0,
    *,
    counted: bool = False,
) -> tuple[str, str]:
    """The postings' walk (``directory_postings``) and the count of the
    entries it may read, at most ``posting_walk`` (``_postings``).

    The tier's words' postings (``_postings_lists``), each list in weight
    order (the primary key's B-tree read backwards; a prefix's range of stems
    sorted), merged in that order (a Merge Append), their first
    ``posting_walk`` entries; each entry's profile checked in its row (listed,
    the tier's terms, the filters ``rest``; a profile holding the words of an
    earlier list is that list's) until the window is full. Every match holds
    a word of the lists, so the matches among the first entries are the
    first matches: the window is exact when they fill it, or when the lists
    held no more entries. The check is a subquery per entry, not a join, so
    that the planner keeps the order and stops at the window.

    All the words of several (one list, the rarest word's): the stems of the
    others (``probes``, ``_probe_stems``) are first looked up in their
    postings, by the entry's whole key (an index-only probe), and only an
    entry that holds them all has its row read. Each a scalar subquery with
    a LIMIT: an EXISTS would be planned as a hash of the other word's whole
    list (12,000 entries read at 200,000 mentors for a walk of 1,000).

    Exactly k of the words (``counted``): every word is probed, and only an
    entry holding k of them at least (``probe_held``) has its row read: those
    holding fewer are no match; one holding more is an earlier tier's, which
    its row says (a stale posting the nightly repair has not yet removed
    cannot drop a match of exactly k, as an equality would)."""
    order = "x.weight DESC, x.approved_at DESC, x.profile_id DESC"
    sources = []
    for i, prefix in enumerate(prefixes):
        if prefix:
            # A profile holding several stems of the range ("python",
            # "pytest") once: its weight and approval are the same in each.
            stems = f"x.stem >= %(posting_{i})s AND x.stem < %(posting_end_{i})s"
            sources.append(
                "FROM (SELECT DISTINCT x.profile_id, x.weight, x.approved_at"  # noqa: S608
                f" FROM mentors_searchposting x WHERE {stems}) x"
            )
        else:
            stems = f"x.stem = %(posting_{i})s"
            sources.append(f"FROM mentors_searchposting x WHERE {stems}")
    branches = " UNION ALL ".join(
        f"(SELECT x.profile_id AS id, x.weight, x.approved_at, {i} AS list"
        f" {source} ORDER BY {order})"
        for i, source in enumerate(sources)
    )
    seen = "".join(
        f" WHEN {i} THEN NOT p.search_terms @@ %(posting_seen_{i})s::tsquery"
        for i in range(1, len(prefixes))
    )
    check = " AND ".join(
        ["p.search_terms @@ %(match)s::tsquery", *rest]
        + ([f"CASE c.list{seen} ELSE true END"] if seen else [])
    )
    row = (
        f"(SELECT {check} FROM mentors_mentorprofile p"  # noqa: S608
        f" WHERE p.id = c.id AND {_LISTED})"
    )
    probe = (
        "coalesce((SELECT {found} FROM mentors_searchposting y"
        " WHERE y.stem = %(probe_{i})s AND y.weight = c.weight"
        " AND y.approved_at = c.approved_at AND y.profile_id = c.id LIMIT 1),"
        " {missing})"
    )
    if probes and counted:
        held = (
            "("
            + " + ".join(probe.format(found=1, missing=0, i=i) for i in range(probes))
            + ") >= %(probe_held)s"
        )
    elif probes:
        # coalesce: a probe that finds nothing is false, not NULL, so that
        # the AND stops at the first word missing.
        held = " AND ".join(
            probe.format(found="true", missing="false", i=i) for i in range(probes)
        )
    if probes:
        # CASE: the row is read only once the probes found the words.
        row = f"CASE WHEN {held} THEN {row} ELSE false END"
    cte = (
        "directory_postings AS MATERIALIZED ("  # noqa: S608
        "SELECT c.id, c.weight AS search_weight, c.approved_at"
        f" FROM (SELECT * FROM ({branches}) m"
        " ORDER BY m.weight DESC, m.approved_at DESC, m.id DESC"
        " LIMIT %(posting_walk)s) c"
        f" WHERE {walked} < %(window)s AND {row}"
        " ORDER BY c.weight DESC, c.approved_at DESC, c.id DESC LIMIT %(window)s)"
    )
    every_entry = " UNION ALL ".join(f"(SELECT 1 {source})" for source in sources)
    entries = (
        f"(SELECT count(*) FROM (SELECT 1 FROM ({every_entry}) e"  # noqa: S608
        " LIMIT %(posting_walk)s) e)"
    )
    return cte, entries


def _owners_checked(
    candidates: str, *, order: str, owner: list[str], extra: str = ""
) -> str:
    """The cards of ``candidates`` (profile ids with the columns of
    ``order``, in that order, a bounded set) whose owners may be shown, in
    that order, at most ``wanted``. The candidates are sorted apart (a
    subquery with its ORDER BY), so that the joins keep their order and stop
    at the LIMIT: a page reads ~21 profiles' cards and owners, not every
    candidate's."""
    return (
        f"SELECT {_CARDS}{extra} FROM ({candidates}) c"  # noqa: S608
        " JOIN mentors_mentorprofile p ON p.id = c.id"
        " JOIN accounts_user u ON u.id = p.user_id"
        f" WHERE {' AND '.join(owner)}"
        f" ORDER BY {order.replace('p.', 'c.')} LIMIT %(wanted)s"
    )


# The profile's one-to-one to its owner, whose two sides a card's row sets.
_OWNER_FIELD: Any = MentorProfile._meta.get_field("user")


def _cards(rows: Sequence[Sequence[Any]]) -> list[MentorProfile]:
    """Profiles with the card's columns (the others deferred), each with its
    owner and their name, from rows of ``_CARDS``."""
    profiles = loaded_instances(MentorProfile, _CARD_COLUMNS, [r[:-1] for r in rows])
    owners = loaded_instances(
        User,
        _OWNER_COLUMNS,
        [(p.user_id, r[-1]) for p, r in zip(profiles, rows, strict=True)],
    )
    for profile, owner in zip(profiles, owners, strict=True):
        # The owner as ``select_related`` sets it: both sides of the one-to-one.
        _OWNER_FIELD.set_cached_value(profile, owner)
        _OWNER_FIELD.remote_field.set_cached_value(owner, profile)
    return profiles


def _read(sql: str, params: dict[str, Any], wanted: int) -> list[MentorProfile]:
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "wanted": wanted})
        return _cards(cursor.fetchall())


# Candidates read beyond the rows a sorted page wants, for owners who may not
# be shown (closed accounts, unverified addresses, blocks): when more are
# missing than this, the page is read again without a bound.
SORT_SLACK = 20


def _read_sorted(
    sql: str,
    whole_sql: str,
    params: dict[str, Any],
    wanted: int,
    *,
    matches_first: tuple[str, str] | None = None,
) -> list[MentorProfile]:
    """The first ``wanted`` matches in a sort's order whose owners may be
    shown: from the first ``wanted + SORT_SLACK`` matches (one statement), or,
    when too many of those are hidden, from every match. Words walked in the
    order's index (``matches_first``: the statements that read their matches
    first instead): a walk of ``_sort_walk`` entries, and when it gave fewer
    candidates than asked (the walk or the matches ended: which, it does not
    say), the matches read first."""
    candidates = wanted + SORT_SLACK
    bound = {"candidates": candidates}
    if matches_first is not None:
        bound["sort_walk"] = _sort_walk(
            params.get("sort_share"),
            candidates,
            most=params.get("sort_walk_max", SORT_WALK_MAX),
        )
        if not bound["sort_walk"]:
            return _read_sorted(*matches_first, params, wanted)
    with connection.cursor() as cursor:
        cursor.execute(sql, {**params, "wanted": wanted, **bound})
        fetched = cursor.fetchall()
    # The candidates' count, in every row; a row of NULLs and 0 when there
    # was none; no row when every candidate's owner was hidden (unknown).
    count = fetched[0][-1] if fetched else None
    rows = [row for row in fetched if row[0] is not None]
    if matches_first is not None and (count is None or count < candidates):
        return _read_sorted(*matches_first, params, wanted)
    if len(rows) < wanted and (count is None or count >= candidates):
        return _read(whole_sql, params, wanted)
    return _cards([row[:-1] for row in rows])


def _read_window(
    ids_sql: str,
    ranked_sql: str,
    params: dict[str, Any],
    full: list[bool],
    wanted: int,
    *,
    prepare_ids: bool = False,
) -> list[MentorProfile]:
    """The best ``wanted`` profiles of the window that the page may show: its
    ids (a statement planned for its words and filters, or prepared for words
    alone: ``prepare_ids``, ``_words_alone``), then their cards, ranked (a
    prepared one). Sets ``full[0]`` to whether the window was full (matches
    follow it)."""
    with prepared_cursor() if prepare_ids else connection.cursor() as cursor:
        cursor.execute(ids_sql, params)
        count, ids = cursor.fetchone()
    full[0] = count >= params["window"]
    if not count:
        return []
    with prepared_cursor() as cursor:
        cursor.execute(ranked_sql, {**params, "ids": ids, "wanted": wanted})
        return _cards(cursor.fetchall())


@dataclass(frozen=True)
class DirectoryState:
    """What a directory request's caching depends on."""

    version: int  # the mentor-data version: moves with any change to a card
    has_blocks: bool  # the viewer is in a block: nothing shared for them
    # Some listed profile's terms are too long for the weight index (``_Shape``).
    long_texts: bool = True
    # The listed profiles as last counted (None: not yet), for the walk's
    # length (``_walk_entries``).
    listed: float | None = None

    def results_key(self, query: DirectoryQuery, page_size: int = PAGE_SIZE) -> str:
        """The key of this page's results, shared by every viewer without a
        block ("" for a viewer with one, or with the query caches off)."""
        if self.has_blocks or not settings.SEARCH_QUERY_CACHES:
            return ""
        start = (max(query.page, 1) - 1) * page_size
        return _cache_key(self.version, query, start, page_size)


_STATE_SQL = f"""
SELECT ({VERSION_SQL}),
       EXISTS (SELECT 1 FROM mentors_block
               WHERE blocker_id = %(viewer)s OR blocked_id = %(viewer)s),
       (SELECT p.id FROM mentors_mentorprofile p
        WHERE {_LISTED} AND p.search_terms IS NULL
          AND p.search_vector IS NOT NULL
        ORDER BY {_ORDER["window"]} LIMIT 1) IS NOT NULL,
       ({LISTED_COUNT_SQL})
"""  # noqa: S608 (a constant of ours; the viewer is a parameter)
# The long texts' first entry in their index's order: the first entry of
# ``mentors_profile_long_text_idx``, whatever the statistics say. As an
# EXISTS, the planner, taking "terms NULL" and "vector not NULL" as
# independent (the profiles not yet listed have neither), expected 21,426
# such rows among 200,000 and read the table for the first (150 ms, none).


def directory_state(*, viewer_id: int | None) -> DirectoryState:
    """The mentor-data version, the viewer's blocks, whether profiles with
    too-long terms are listed (the long-text index's first entry) and how
    many are listed (as last counted), in one query, prepared (its plan is
    the same whoever the viewer)."""
    with prepared_cursor() as cursor:
        cursor.execute(_STATE_SQL, {"viewer": viewer_id or 0})
        version, has_blocks, long_texts, listed = cursor.fetchone()
    return DirectoryState(
        version=int(version or 0),
        has_blocks=bool(has_blocks),
        long_texts=bool(long_texts),
        listed=listed,
    )


def mentor_directory_page(
    *,
    viewer_id: int | None,
    query: DirectoryQuery,
    page_size: int = PAGE_SIZE,
    state: DirectoryState | None = None,
    with_skills: bool = True,
) -> DirectoryPage:
    """One page of the directory: fetches one row more than the page to know
    whether there is a next page, instead of counting every match.

    ``with_skills``: the cards' skills read too (one query); without, the
    caller reads those it needs (``card_skills_read``)."""
    start = (max(query.page, 1) - 1) * page_size
    # The ids of a page are cached, keyed on the mentor-data version (bumped by
    # every change that matters, the lexicon's included), so a popular search
    # is read once; viewers with blocks are never served from the shared cache,
    # nor anybody with the query caches off (settings.SEARCH_QUERY_CACHES).
    state = state or directory_state(viewer_id=viewer_id)
    key = state.results_key(query, page_size)
    cached = cache.get(key) if key else None
    if cached is not None:
        ids, corrected = cached
        by_id = {
            row.pk: row
            for row in mentor_profile_public_list()
            .filter(pk__in=ids)
            .select_related("user")
            .only(*CARD_FIELDS)
        }
        rows = [by_id[pk] for pk in ids if pk in by_id]
    else:
        plan = search_plan(query.q, version=state.version)
        corrected = plan.corrected
        rows = _page_rows(
            # Without a block, nothing to hide from this viewer: no check per row.
            viewer_id=viewer_id if state.has_blocks else None,
            query=query,
            plan=plan,
            start=start,
            count=page_size + 1,
            long_texts=state.long_texts,
            listed=state.listed,
        )
        if key:
            cache.set(key, ([row.pk for row in rows], corrected), CACHE_SECONDS)
    shown = rows[:page_size]
    if with_skills:
        card_skills_read(shown)
    return DirectoryPage(
        results=shown,
        number=max(query.page, 1),
        has_next=len(rows) > page_size,
        corrected=corrected,
    )


CACHE_SECONDS = 30  # short: a deactivated account may not bump the version
CARD_FIELDS = MentorProfile.CARD_FIELDS


def _cache_key(version: int, query: DirectoryQuery, start: int, page_size: int) -> str:
    # The window's size too: processes of two releases ranking different
    # windows never share pages.
    raw = f"{version}|{query!r}|{start}|{page_size}|{SEARCH_WINDOW}"
    # "2": its value holds the corrected query too (ids alone before).
    return "directory2:" + hashlib.sha256(raw.encode()).hexdigest()


def card_skills_read(profiles: list[MentorProfile]) -> None:
    """The published skills of these profiles, strongest first, onto each
    (``profile.skills.all()``): one query."""
    prefetch_related_objects(
        profiles,
        Prefetch(
            "skills",
            queryset=MentorSkill.objects.select_related("skill").order_by(
                "-level", "skill__code"
            ),
        ),
    )
