"""The directory's pages, read through SQL text composed once per shape of
query (``mentors.directory._statement``), against the same rule in the ORM's
words (``mentor_directory_queryset``): the same profiles, in the same order,
on every page, for queries of every shape (words, tiers, corrections, skills
meant by everyday words, search syntax, filters, sorts), for anybody and for
a viewer with blocks, with a window that holds every match and one that
fills up."""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.db.models import F
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mentors import directory
from mentors.directory import (
    DirectoryQuery,
    _matching,
    _sort,
    directory_state,
    mentor_directory_page,
    mentor_directory_queryset,
    search_plan,
)
from mentors.models import MentorProfile, MentorProfileQuerySet
from mentors.services import block_create
from tests.core.test_prepared import _prepared, _runs
from tests.factories import UserFactory
from tests.mentors.test_directory import make_mentor
from tests.mentors.test_search_relevance import BIO, DIRECTORY

pytestmark = pytest.mark.django_db

# The order of the ranking window (the weight index's).
WINDOW_ORDER = (F("search_weight").desc(), F("approved_at").desc(), F("pk").desc())


def orm_results(*, viewer_id: int | None, query: DirectoryQuery) -> list[int]:
    """Every result of the query, in order, read with the ORM: per tier, in
    relevance order its window's profiles the viewer may see, ranked, then
    (only if the window was full and showed one) the other matches by
    weight; in another order, the tier's matches in that order."""
    plan = search_plan(query.q)
    if plan.nothing:
        return []
    listed = MentorProfile.objects.filter(
        *MentorProfileQuerySet.listed_conditions().values()
    )
    ids: list[int] = []
    for tier in plan.tiers or (None,):
        whole = mentor_directory_queryset(
            viewer_id=viewer_id, query=query, plan=plan, tier=tier
        ).values_list("pk", flat=True)
        if _sort(query, meant=bool(plan.meant), text=tier is not None) != ("relevance"):
            ids += whole
            continue
        window = list(
            _matching(listed, query=query, plan=plan, tier=tier)
            .order_by(*WINDOW_ORDER)
            .values_list("pk", flat=True)[: directory.SEARCH_WINDOW]
        )
        shown = list(whole.filter(pk__in=window))
        ids += shown
        if shown and len(window) >= directory.SEARCH_WINDOW:
            ids += whole.exclude(pk__in=window).order_by(*WINDOW_ORDER)
    return ids


# Four hundred different words: search terms over SEARCH_TERMS_MAX_TEXT.
LONG_BIO = "J'aide en Python. " + " ".join(f"theme{n}" for n in range(400))
LANGUAGES = (("fr",), ("fr", "en"), ("fr", "ar"))
MODES = (("video",), ("phone",), ("video", "in_person"), ("in_person",))
FREE = ((0, 0, 0), (1, 2, 3), (0, 2, 2))


# Every part a page may read (``directory._statement``).
PARTS = (
    "window_ids",
    "window_ranked",
    "after_window",
    "soonest",
    "newest",
    "soonest_whole",
    "newest_whole",
)


@pytest.fixture
def viewer():
    """A viewer in two blocks (one made, one received), among the relevance
    set's thirty mentors (languages, modes and free slots varied), eight more
    developers (a window of three fills up) and heavy profiles each hidden by
    one condition of the public rule."""
    people = [
        *DIRECTORY,
        *(
            (
                f"Dev Numéro {index}",
                "Développeur Python" + " et Django" * (index % 2),
                (("python", 3 + index % 5), ("spreadsheets", 2 + index % 3)),
                "Lyon" if index % 2 else "Paris",
                "84" if index % 2 else "11",
            )
            for index in range(8)
        ),
        # Several stems of one prefix ("pyt": "python", "pytest", "pythonist").
        (
            "Paul Testeur",
            "Python, pytest et pythonistes",
            (("python", 8), ("spreadsheets", 8)),
            "Nantes",
            "52",
        ),
    ]
    profiles = {
        name: make_mentor(
            name,
            headline,
            skills=skills,
            bio=BIO,
            region=region,
            city=city,
            languages=LANGUAGES[index % 3],
            modes=MODES[index % 4],
            free=FREE[index % 3],
            approved_days_ago=index % 9 + 1,
        )
        for index, (name, headline, skills, city, region) in enumerate(people)
    }
    # Search terms too long for the weight index (read from their rows), one
    # heavy, one light.
    for name, level in (("Longue Lourde", 8), ("Longue Légère", 2)):
        long_text = make_mentor(
            name,
            "Développeur Python à Lyon",
            skills=(("python", level), ("spreadsheets", level)),
            bio=LONG_BIO,
            languages=("fr", "en"),
            modes=("video", "phone"),
            free=(1, 2, 3),
        )
        long_text.refresh_from_db()
        assert long_text.search_vector
        assert long_text.search_terms is None
    # Heavy, matching the frequent words, public but for one condition each.
    hidden = [
        make_mentor(
            f"Caché {condition}",
            "Développeur Python, data analyst à Lyon et Paris",
            skills=(("python", 8), ("spreadsheets", 8), ("office-suite", 8)),
            languages=("fr", "en"),
        )
        for condition in ("draft", "unpublished", "staff", "inactive", "unverified")
    ]
    now = timezone.now()
    MentorProfile.objects.filter(pk=hidden[0].pk).update(
        status="submitted", approved_at=None
    )
    MentorProfile.objects.filter(pk=hidden[1].pk).update(is_published=False)
    MentorProfile.objects.filter(pk=hidden[2].pk).update(hidden_by_staff_at=now)
    User.objects.filter(pk=hidden[3].user_id).update(is_active=False)
    EmailAddress.objects.filter(user_id=hidden[4].user_id).update(verified=False)
    # Two with the same approval time: the id decides between them.
    MentorProfile.objects.filter(
        pk__in=[profiles["Dev Numéro 1"].pk, profiles["Dev Numéro 3"].pk]
    ).update(approved_at=now - timedelta(days=3))

    person = UserFactory()
    block_create(blocker=person, blocked=profiles["Yasmine Haddad"].user)
    block_create(blocker=profiles["Dev Numéro 2"].user, blocked=person)
    return person


QUERIES = [
    DirectoryQuery(),
    DirectoryQuery(q="python"),
    DirectoryQuery(q="developpeur"),
    DirectoryQuery(q="pyhton"),
    DirectoryQuery(q="python lyon"),
    DirectoryQuery(q="developpeur python django lyon"),
    DirectoryQuery(q="data analyst paris python"),
    DirectoryQuery(q="excel"),
    DirectoryQuery(q="cv excel"),
    DirectoryQuery(q="excel python"),
    DirectoryQuery(q='"analyse de données"'),
    DirectoryQuery(q="developpeur -java"),
    DirectoryQuery(q="python", region="11"),
    # Several words in a region: the probes and the region's own walk.
    DirectoryQuery(q="developpeur python", region="11"),
    DirectoryQuery(q="developpeur", language="en", mode="video"),
    DirectoryQuery(q="developpeur", skill="python", min_level=5),
    DirectoryQuery(q="python lyon", skill="spreadsheets"),
    DirectoryQuery(min_level=7),
    DirectoryQuery(skill="python", language="fr"),
    DirectoryQuery(available_within_days=7),
    DirectoryQuery(q="developpeur", available_within_days=14),
    DirectoryQuery(q="developpeur", sort="soonest"),
    DirectoryQuery(q="python lyon", sort="newest"),
    DirectoryQuery(q="excel", sort="soonest"),
    DirectoryQuery(mode="phone", sort="soonest"),
    DirectoryQuery(q="excel", region="76"),
    DirectoryQuery(q="astrophysique"),
    # A word too short to correct, read as a prefix ("pyt":*), alone and
    # with others.
    DirectoryQuery(q="pyt"),
    DirectoryQuery(q="pyt lyon analyst"),
]
PAGE_SIZE = 3


def test_the_pages_read_by_sql_are_those_of_the_orm(viewer, monkeypatch):
    composed = []
    lists_read = set()

    def statement(shape, part):
        composed.append((shape.viewer, part))
        lists_read.add(shape.postings)
        if shape.postings and (shape.region or shape.skill or shape.meant):
            lists_read.add("with filters")
        if shape.probes:
            lists_read.add("counted" if shape.counted else "probes")
        return statement_of(shape, part)

    statement_of = directory._statement
    monkeypatch.setattr(directory, "_statement", statement)

    def read_window(ids_sql, ranked_sql, params, full, wanted, **options):
        # A window holds each profile once (its parts never overlap).
        with connection.cursor() as cursor:
            cursor.execute(ids_sql, params)
            count, ids = cursor.fetchone()
        held = [int(i) for i in ids.strip("{}").split(",")] if count else []
        assert len(held) == len(set(held)) == count, (params, held)
        return read_window_of(ids_sql, ranked_sql, params, full, wanted, **options)

    read_window_of = directory._read_window
    monkeypatch.setattr(directory, "_read_window", read_window)
    # Sorted pages of words walked in their order's index: the walk gave the
    # candidates, or fell short and the matches were read first.
    sorted_walks = set()
    reads = [0]

    def read_sorted(sql, whole_sql, params, wanted, *, matches_first=None):
        reads[0] += 1
        before = reads[0]
        rows = read_sorted_of(
            sql, whole_sql, params, wanted, matches_first=matches_first
        )
        if matches_first is not None:
            sorted_walks.add("fell short" if reads[0] > before else "enough")
        return rows

    read_sorted_of = directory._read_sorted
    monkeypatch.setattr(directory, "_read_sorted", read_sorted)
    for query in QUERIES:
        found = 0
        # A window that fills up and one that holds every match; sorted
        # pages read with no room for hidden owners and with some.
        # The walk of the weight index: too short to fill the window (every
        # match then read from the full-text index), or long enough. Sorted
        # pages of words: their matches read first, or the planner's choice.
        # A window not filled by the walk: read from the postings of its
        # words (whenever a tier's terms are stems), or from every match.
        # The postings' walk (entries it may read): too short to fill the
        # window (every match then read), or long enough to fill it or to
        # read every entry of the lists; or no postings. A sorted page of
        # words walked in its order's index ten times as far as the walk of
        # the weight index goes.
        for window, slack, walk, first, postings in (
            (3, 0, 2, True, 2),
            (3, 0, 2, True, 4),
            (3, 0, 2, True, 1000),
            (3, 0, 2, True, None),
            (200, directory.SORT_SLACK, directory.WALK_ENTRIES, True, 1000),
            (3, directory.SORT_SLACK, directory.WALK_ENTRIES, False, None),
            (3, 0, 2, False, None),
            (3, 0, directory.WALK_ENTRIES, False, None),
        ):
            monkeypatch.setattr(directory, "SEARCH_WINDOW", window)
            monkeypatch.setattr(directory, "SORT_SLACK", slack)
            monkeypatch.setattr(directory, "WALK_ENTRIES", walk)
            monkeypatch.setattr(directory, "WALK_UNKNOWN", walk)
            monkeypatch.setattr(
                directory, "_matches_first", lambda tier, first=first, **e: first
            )
            # (Ten times as far: a walk that finds some of the candidates.)
            monkeypatch.setattr(
                directory,
                "_sort_walk",
                lambda share, candidates, most=0, walk=walk: 10 * walk,
            )
            monkeypatch.setattr(
                directory,
                "_postings",
                lambda tier, postings=postings, **e: (
                    (directory._postings_lists(tier), postings)
                    if postings and directory._postings_lists(tier)
                    else None
                ),
            )
            for viewer_id in (None, viewer.pk):
                expected = orm_results(viewer_id=viewer_id, query=query)
                for number in range(1, 6):
                    with override_settings(SEARCH_QUERY_CACHES=False):
                        page = mentor_directory_page(
                            viewer_id=viewer_id,
                            query=replace(query, page=number),
                            page_size=PAGE_SIZE,
                            with_skills=False,
                        )
                    start = (number - 1) * PAGE_SIZE
                    where = (
                        query,
                        window,
                        slack,
                        walk,
                        first,
                        postings,
                        viewer_id,
                        number,
                    )
                    assert [p.pk for p in page.results] == expected[
                        start : start + PAGE_SIZE
                    ], where
                    assert page.has_next == (len(expected) > start + PAGE_SIZE), where
                    found += len(page.results)
        assert found or query.q == "astrophysique", query

    # Every part was read, for anybody and for the viewer with blocks; the
    # sorts again without a bound when too many of their first matches were
    # hidden.
    assert {part for _viewer, part in composed} == set(PARTS)
    assert {viewer for viewer, part in composed if part == "after_window"} == {
        False,
        True,
    }
    assert sorted_walks == {"enough", "fell short"}
    # Windows were read from postings: of one word, of several, of a prefix,
    # with filters, with probes.
    assert "with filters" in lists_read
    lists_read.discard("with filters")
    # All the words of several: the rarest's list, the others probed; exactly
    # k of them: the rarest n - k + 1 lists, every word probed and counted.
    assert {"probes", "counted"} <= lists_read
    lists_read -= {"probes", "counted"}
    assert (False,) in lists_read
    assert any(len(lists) > 1 for lists in lists_read)
    assert any(True in lists for lists in lists_read)


def test_the_cards_read_by_sql_hold_what_the_orm_reads(viewer):
    query = DirectoryQuery(q="developpeur")
    page = mentor_directory_page(viewer_id=None, query=query, with_skills=False)
    by_orm = {
        p.pk: p
        for p in mentor_directory_queryset(viewer_id=None, query=query)
        .select_related("user")
        .only(*MentorProfile.CARD_FIELDS)
    }

    assert page.results
    for profile in page.results:
        orm = by_orm[profile.pk]
        assert profile.user.full_name == orm.user.full_name
        for field in MentorProfile.CARD_FIELDS:
            if "__" not in field:
                assert getattr(profile, field) == getattr(orm, field), field
        # The others are deferred, as with ``only``.
        assert profile.get_deferred_fields() == orm.get_deferred_fields()


def test_a_statement_is_composed_once_per_shape_of_query(viewer):
    def read(region: str) -> None:
        with override_settings(SEARCH_QUERY_CACHES=False):
            mentor_directory_page(
                viewer_id=None,
                query=DirectoryQuery(q="excel python", region=region),
                with_skills=False,
            )

    directory._statement.cache_clear()
    read("11")
    composed = directory._statement.cache_info().misses
    read("76")
    read("84")
    info = directory._statement.cache_info()

    # Other values, the same shape: the statements composed for the first.
    assert composed
    assert (info.misses, info.hits) == (composed, 2 * composed)


PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.mark.parametrize("part", PARTS)
def test_no_value_is_ever_written_into_a_statement(part):
    # Every shape: its text holds placeholders and our own constants only.
    for flags in itertools.product((False, True), repeat=7):
        for (
            text,
            free_within,
            postings,
            probes,
            counted,
            indexed,
            sampled,
            newest_walk,
            in_row,
        ) in itertools.product(
            ("", "tsquery", "websearch"),
            (0, 7, 14),
            ((), (False, True, False), (True,)),
            (0, 2),
            (False, True),
            (False, True),
            (False, True),
            (False, True),
            (False, True),
        ):
            if (
                (newest_walk and text)
                or (postings and text != "tsquery")
                or (probes and not postings)
                or (counted and not probes)
                or (sampled and (text != "tsquery" or postings))
            ):
                continue
            viewer, meant, skill, min_level, language, region, mode = flags
            shape = directory._Shape(
                viewer,
                meant,
                text,
                skill,
                min_level,
                language,
                region,
                mode,
                free_within,
                postings=postings,
                probes=probes,
                counted=counted,
                wide_text=in_row and text == "tsquery",
                facets_indexed=indexed,
                facets_in_row=in_row,
                sampled=sampled,
                newest_walk=newest_walk,
            )
            sql = directory._statement(shape, part)
            names = set(PLACEHOLDER.findall(sql))
            assert names <= {
                "viewer",
                "meant",
                "meant_levels",
                "match",
                "rank",
                "skill_levels",
                "min_level",
                "language",
                "region",
                "mode",
                "facets",
                *(["facets_row"] if in_row else []),
                "window",
                "wanted",
                "candidates",
                "walk",
                "ids",
                # The window's sampled walk (``_sampled``).
                *(
                    ["sample", "sample_hits", "sample_reach", "sample_walk"]
                    if sampled and part in ("window_ids", "after_window")
                    else []
                ),
                # A sorted page of words walked in its order (``_sort_walk``).
                *(
                    ["sort_walk"]
                    if (text and part in ("soonest", "newest"))
                    or (newest_walk and part == "newest")
                    else []
                ),
                # The postings' lists (``_postings_values``).
                *(["posting_walk"] if postings else []),
                *(f"posting_{i}" for i in range(len(postings))),
                *(f"posting_end_{i}" for i, p in enumerate(postings) if p),
                *(f"posting_seen_{i}" for i in range(1, len(postings))),
                *(f"probe_{i}" for i in range(probes)),
                *(["probe_held"] if counted else []),
            }
            # The facets' values only where the shape says they go
            # (``_facets_split``): never ``@> '{}'``, which every row passes.
            faceted = skill or language or region or mode
            assert ("facets" in names) <= bool(faceted and indexed)
            assert ("facets_row" in names) <= bool(faceted and in_row)
            assert "%" not in PLACEHOLDER.sub("", sql)
            # Our constants: the text search configuration, the separator of
            # a skill's code and level (``search_skills``).
            constants = PLACEHOLDER.sub("", sql).replace("'french'", "")
            assert constants.replace("':'", "").count("'") == 0
            # The window's ids are read from the profile rows alone; its
            # owners are checked with the ranking.
            assert ("viewer" in names) == (viewer and part != "window_ids")
            # The ranking of the window reads its ids, and ranks by the words.
            assert ("ids" in names) == (part == "window_ranked")
            words = "rank" if part == "window_ranked" else "match"
            assert (words in names) == bool(text)


def test_the_state_ranking_and_lexicon_reads_are_prepared_and_a_filtered_window_is_not(
    client, viewer
):
    """The version-and-blocks read has one plan for every viewer, and so have
    the ranking of a window's ids (rows by primary key), the words' read of
    the lexicon (by stem and spelling) and the window of words alone (the
    weight index walked, the full-text index for the rest): all prepared. With
    a filter, the best plan of the window depends on the values (which index
    reads the filter): never prepared."""
    client.force_login(viewer)
    url = reverse("mentors:directory")
    with override_settings(SEARCH_QUERY_CACHES=False):
        assert client.get(url, {"q": "developpeur"}).status_code == 200
        before = _prepared()
        for q in ("developpeur", "lyon", "django"):
            assert client.get(url, {"q": q}).status_code == 200
    after = _prepared()

    state = "mentors_data_version_seq"
    assert _runs(state, after) - _runs(state, before) == 3
    assert len([s for s in after if state in s]) == 1
    ranking = "::bigint[]) AS w(id)"
    assert _runs(ranking, after) - _runs(ranking, before) == 3
    assert len([s for s in after if ranking in s]) == 1
    lexicon = "mentors_searchword"
    assert _runs(lexicon, after) - _runs(lexicon, before) == 3
    window = "directory_walk"
    assert _runs(window, after) - _runs(window, before) == 3
    assert len([s for s in after if window in s]) == 1

    with override_settings(SEARCH_QUERY_CACHES=False):
        for region in ("84", "11"):
            response = client.get(url, {"q": "developpeur", "region": region})
            assert response.status_code == 200
    filtered = [s for s in _prepared() if window in s and "p.region =" in s]
    assert filtered == []
    assert _runs(window, _prepared()) == _runs(window, after)


def test_the_window_reads_long_texts_apart_only_while_some_are_listed(client, settings):
    settings.SEARCH_QUERY_CACHES = False  # the version moves on commit only
    make_mentor("Court Texte", "Développeur Python")
    windows: list[str] = []

    def window_statements(execute, sql, params, many, context):
        if "directory_window" in sql and "count(*)" in sql:
            windows.append(sql)
        return execute(sql, params, many, context)

    def names_found() -> list[str]:
        response = client.get(reverse("mentors:directory"), {"q": "python"})
        return [p.user.full_name for p in response.context["page"].results]

    with connection.execute_wrapper(window_statements):
        assert names_found() == ["Court Texte"]
        long_text = make_mentor("Long Texte", "Développeur Python", bio=LONG_BIO)
        long_text.refresh_from_db()
        assert long_text.search_terms is None
        assert sorted(names_found()) == ["Court Texte", "Long Texte"]

    without, with_long = windows
    assert "search_terms IS NULL" not in without
    assert "search_terms IS NULL" in with_long
    assert directory_state(viewer_id=None).long_texts
