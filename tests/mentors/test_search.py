"""How the directory reads a query: words corrected against the search lexicon
(never compared letter by letter with whole profiles), tiers of words (all of
them first, then all but one…), pages that continue across tiers, and the
switch that turns off the caches keyed on a query."""

from __future__ import annotations

import random
import re
import string
import time
from dataclasses import replace
from datetime import timedelta
from itertools import combinations

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mentors import directory
from mentors import search as search_module
from mentors.directory import (
    PAGE_SIZE,
    DirectoryQuery,
    _cache_key,
    directory_state,
    mentor_directory_page,
    search_plan,
)
from mentors.models import MentorProfile, MentorSkill, Skill
from mentors.search import mentor_search_refresh, query_word_terms
from tests.mentors.test_directory import make_mentor, names, search

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "python": make_mentor(
            "Yasmine Haddad", "Développeuse Python", skills=(("python", 7),)
        ),
        "sheets": make_mentor(
            "Bernard Lefèvre", "Formateur tableurs", skills=(("spreadsheets", 6),)
        ),
        "withers": make_mentor(
            "Jane Withers", "Graphiste indépendante", skills=(("graphic-design", 6),)
        ),
    }


# --- correction ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("pyhton", "python"),  # two letters swapped
        ("pythn", "python"),  # one missing
        ("grafiste", "graphiste"),  # a sound spelt another way
        ("formatteur", "formateur"),  # one too many
    ],
)
def test_a_misspelt_word_finds_the_mentor_and_says_what_it_searched(
    client, people, typed, meant
):
    response = search(client, q=typed)

    assert names(response)
    assert response.context["page"].corrected == meant
    assert f'href="?q={meant}"' in response.content.decode()


def test_the_correction_is_offered_as_a_link_to_the_corrected_search(client, people):
    response = search(client, q="pyhton", language="fr")
    html = response.content.decode()

    assert "Vouliez-vous dire" in html
    link = re.search(r'id="did-you-mean">.*?href="\?([^"]+)"', html, re.S)
    assert link
    # The link keeps the other filters and searches the corrected words.
    assert sorted(link.group(1).replace("&amp;", "&").split("&")) == [
        "language=fr",
        "q=python",
    ]
    followed = client.get(reverse("mentors:directory") + "?" + link.group(1))
    assert names(followed) == names(response) == ["Yasmine Haddad"]
    assert "Vouliez-vous dire" not in followed.content.decode()


def test_the_api_says_which_search_it_answered(client, people):
    corrected = client.get("/api/v1/mentors/", {"search": "pyhton"}).json()
    exact = client.get("/api/v1/mentors/", {"search": "python"}).json()

    assert corrected["corrected_search"] == "python"
    assert exact["corrected_search"] is None
    assert corrected["results"] == exact["results"]


def test_only_the_misspelt_word_is_corrected_the_rest_kept_as_typed(client, people):
    response = search(client, q="Graphiste  TABLEURS pyhton")

    assert response.context["page"].corrected == "Graphiste TABLEURS python"


@pytest.mark.parametrize("q", ["pyt", "tab", "xyz", "cv"])
def test_a_word_under_four_letters_is_never_corrected(client, people, q):
    response = search(client, q=q)

    assert response.context["page"].corrected == ""
    assert "Vouliez-vous dire" not in response.content.decode()


@pytest.mark.parametrize("q", ["with", "avec", "pour"])
def test_a_stop_word_is_never_corrected(client, people, q):
    # "with" is as near to "withers" (a name in the lexicon) as a typo would be.
    assert query_word_terms(["withers"])[0].term  # a lexicon word

    response = search(client, q=q)

    assert response.context["page"].corrected == ""
    assert "Jane Withers" not in names(response)


def test_a_word_in_the_lexicon_is_never_corrected_even_if_another_is_near(
    client, people
):
    make_mentor("Hugo Pythonier", "Pythonier confirmé")

    read = query_word_terms(["python", "pythonier", "pytohnier"])

    assert [word.correction for word in read] == ["", "", "pythonier"]


def test_an_everyday_word_misspelt_means_its_skills_once_corrected(client, people):
    make_mentor("Claire Excel", "Comptable, Excel au quotidien", skills=())

    plan = search_plan("exel")

    assert plan.corrected == "excel"
    assert plan.meant == ("spreadsheets",)


def test_no_letter_comparison_with_whole_profiles_happens_in_a_request(client, people):
    with CaptureQueriesContext(connection) as queries:
        search(client, q="pyhton formatrice xylophone")

    profile_reads = [
        q["sql"] for q in queries if "mentors_mentorprofile" in q["sql"].lower()
    ]
    assert profile_reads
    for sql in profile_reads:
        assert "similarity" not in sql
        assert "<%" not in sql
        assert " % " not in sql


# --- tiers ----------------------------------------------------------------------


@pytest.fixture
def tiered():
    """Mentors matching three, two or one of "python", "lyon", "django"; the
    newest match fewest words, so recency alone would put them first."""
    return {
        "one": make_mentor("Un Mot", "Python", approved_days_ago=1),
        "two": make_mentor(
            "Deux Mots", "Python à Lyon", city="Lyon", approved_days_ago=2
        ),
        "three": make_mentor(
            "Trois Mots", "Python et Django", city="Lyon", approved_days_ago=3
        ),
        "other": make_mentor("Aucun Mot", "Tableurs", skills=(("spreadsheets", 5),)),
    }


def test_profiles_with_all_the_words_come_before_those_with_fewer(client, tiered):
    assert names(search(client, q="python lyon django")) == [
        "Trois Mots",
        "Deux Mots",
        "Un Mot",
    ]
    assert names(search(client, q="django lyon")) == ["Trois Mots", "Deux Mots"]


def test_each_tier_is_two_queries_and_a_full_page_stops_the_tiers(client, tiered):
    def queries_for(q: str, page_size: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            page = mentor_directory_page(
                viewer_id=None, query=DirectoryQuery(q=q), page_size=page_size
            )
        assert page.results
        return len(queries)

    # version, lexicon, three tiers (each its window's ids, then their
    # ranking), the cards' skills
    assert queries_for("python lyon django", page_size=20) == 9
    # the first tier (one mentor) fills a page of one and tells of a next one:
    # the second tier is read for that, the third not
    assert queries_for("python lyon django", page_size=1) == 7


def test_pages_continue_across_tiers_without_repeats(client):
    for index in range(7):
        make_mentor(f"Tous {index}", "Python Django", approved_days_ago=index + 1)
    for index in range(6):
        make_mentor(f"Un {index}", "Python", approved_days_ago=index + 1)
    make_mentor("Aucun", "Tableurs", skills=(("spreadsheets", 5),))

    def read_pages(page_size: int) -> list[str]:
        shown, number = [], 1
        while True:
            page = mentor_directory_page(
                viewer_id=None,
                query=DirectoryQuery(q="python django", page=number),
                page_size=page_size,
            )
            shown += [profile.user.full_name for profile in page.results]
            if not page.has_next:
                return shown
            number += 1

    whole = read_pages(page_size=100)
    assert whole == [f"Tous {i}" for i in range(7)] + [f"Un {i}" for i in range(6)]
    for size in (1, 2, 3, 5, 7, 13):
        assert read_pages(page_size=size) == whole, size


def test_page_two_of_the_page_continues_where_page_one_stopped(client):
    for index in range(15):
        make_mentor(f"Tous {index:02}", "Python Django", approved_days_ago=index + 1)
    for index in range(10):
        make_mentor(f"Un {index:02}", "Python", approved_days_ago=index + 1)

    first = search(client, q="python django")
    second = search(client, q="python django", page="2")

    assert names(first) == [f"Tous {i:02}" for i in range(15)] + [
        f"Un {i:02}" for i in range(5)
    ]
    assert first.context["page"].has_next
    assert names(second) == [f"Un {i:02}" for i in range(5, 10)]
    assert not second.context["page"].has_next


def test_filters_and_sorts_apply_inside_every_tier(client, tiered):
    # Only the mentors free within 14 days, soonest first, still tier by tier.
    make_mentor("Libre Deux", "Python Lyon", free=(0, 1, 1), approved_days_ago=9)
    make_mentor("Libre Un", "Python", free=(1, 1, 1), approved_days_ago=8)

    response = search(
        client, q="python lyon", available_within_days="14", sort="soonest"
    )

    assert names(response) == ["Libre Deux", "Libre Un"]


def test_search_syntax_is_read_whole_without_tiers(client, tiered):
    assert names(search(client, q='"python et django"')) == ["Trois Mots"]
    assert names(search(client, q="python -lyon")) == ["Un Mot"]


# --- the ranking window ----------------------------------------------------------


@pytest.fixture
def weighted():
    """Five "python" profiles: the more skill levels, the heavier; the more
    times the word, the better the text match."""
    for name, level, headline in [
        ("Poids Huit", 8, "Python"),
        ("Poids Sept", 7, "Python, Python et Python"),
        ("Poids Six", 6, "Python Python"),
        ("Poids Cinq", 5, "Python Python Python Python"),
        ("Poids Quatre", 4, "Python"),
    ]:
        make_mentor(name, headline, skills=(("spreadsheets", level),))


def test_the_weight_is_the_sum_of_the_skill_levels_and_follows_approvals(client):
    profile = make_mentor(
        "Deux Compétences", "Python", skills=(("spreadsheets", 6), ("git", 3))
    )
    profile.refresh_from_db()
    assert profile.search_weight == 9

    MentorSkill.objects.filter(profile=profile, skill__code="git").delete()
    mentor_search_refresh(profile_ids=[profile.pk])
    profile.refresh_from_db()
    assert profile.search_weight == 6


def test_the_profile_row_holds_its_skills_and_levels_as_the_refresh_left_them():
    profile = make_mentor(
        "Trois Compétences", "Python", skills=(("spreadsheets", 6), ("git", 3))
    )
    profile.refresh_from_db()
    assert profile.search_skills == ["git:3", "spreadsheets:6"]

    # Levels swapped: the same weight and the same words, other skills held.
    MentorSkill.objects.filter(profile=profile, skill__code="git").update(level=6)
    MentorSkill.objects.filter(profile=profile, skill__code="spreadsheets").update(
        level=3
    )
    assert mentor_search_refresh(profile_ids=[profile.pk]) == 1
    profile.refresh_from_db()
    assert profile.search_weight == 9
    assert profile.search_skills == ["git:6", "spreadsheets:3"]

    MentorSkill.objects.filter(profile=profile).delete()
    mentor_search_refresh(profile_ids=[profile.pk])
    profile.refresh_from_db()
    assert profile.search_skills == []


def test_a_skill_filter_reads_the_levels_the_row_holds(client):
    make_mentor("Niveau Haut", "Tableurs", skills=(("spreadsheets", 6),))
    make_mentor("Niveau Bas", "Tableurs", skills=(("spreadsheets", 2),))
    make_mentor("Autre Compétence", "Tableurs", skills=(("git", 7),))
    assert search_module.skill_levels(["git"], min_level=7) == ["git:7", "git:8"]

    assert names(search(client, skill="spreadsheets", min_level=5)) == ["Niveau Haut"]
    assert sorted(names(search(client, q="tableurs", skill="spreadsheets"))) == [
        "Niveau Bas",
        "Niveau Haut",
    ]
    # "tableur" means the skill: every level of it, ranked by level.
    assert names(search(client, q="tableur")) == ["Niveau Haut", "Niveau Bas"]
    # A level alone: any skill at it or above, from the row's skills too (no
    # look-up of the skills' table per profile).
    with override_settings(SEARCH_QUERY_CACHES=False):
        for level, expected in (
            (6, ["Autre Compétence", "Niveau Haut"]),
            (7, ["Autre Compétence"]),
        ):
            for query in ({}, {"q": "compétence niveau"}, {"sort": "soonest"}):
                found = names(search(client, min_level=level, **query))
                assert sorted(found) == expected, (level, query)
    sql, _params = _window_statement(DirectoryQuery(q="niveau", min_level=6), wanted=3)
    assert "mentors_mentorskill" not in sql


def test_only_the_window_is_ranked_and_the_rest_follows_by_weight(
    client, weighted, monkeypatch
):
    monkeypatch.setattr(directory, "SEARCH_WINDOW", 3)

    # The three heaviest ranked by the text (three times the word, twice,
    # once), then the others by weight, however well their text matches.
    assert names(search(client, q="python")) == [
        "Poids Sept",
        "Poids Six",
        "Poids Huit",
        "Poids Cinq",
        "Poids Quatre",
    ]


def test_a_window_wide_enough_ranks_every_match(client, weighted):
    assert names(search(client, q="python"))[:2] == ["Poids Cinq", "Poids Sept"]


@pytest.mark.parametrize("page_size", [1, 2, 3, 4])
def test_pages_continue_from_the_window_to_the_rest_without_repeats(
    weighted, monkeypatch, page_size
):
    monkeypatch.setattr(directory, "SEARCH_WINDOW", 3)
    shown, number = [], 1
    while True:
        page = mentor_directory_page(
            viewer_id=None,
            query=DirectoryQuery(q="python", page=number),
            page_size=page_size,
        )
        shown += [profile.user.full_name for profile in page.results]
        if not page.has_next:
            break
        number += 1

    assert shown == [
        "Poids Sept",
        "Poids Six",
        "Poids Huit",
        "Poids Cinq",
        "Poids Quatre",
    ]


def test_a_profile_hidden_from_the_viewer_leaves_the_window_to_the_others(
    client, weighted, monkeypatch
):
    monkeypatch.setattr(directory, "SEARCH_WINDOW", 3)
    heaviest = MentorProfile.objects.get(user__full_name="Poids Huit")
    User.objects.filter(pk=heaviest.user_id).update(is_active=False)

    # Still a candidate of the window (its row is listed), never shown; the
    # window was full, so the rest follows it.
    assert names(search(client, q="python")) == [
        "Poids Sept",
        "Poids Six",
        "Poids Cinq",
        "Poids Quatre",
    ]


def test_one_statement_reads_the_window_and_one_ranks_it(client, weighted, monkeypatch):
    monkeypatch.setattr(directory, "SEARCH_WINDOW", 3)
    with CaptureQueriesContext(connection) as queries:
        page = mentor_directory_page(
            viewer_id=None, query=DirectoryQuery(q="python"), page_size=2
        )

    assert [p.user.full_name for p in page.results] == ["Poids Sept", "Poids Six"]
    assert page.has_next
    # version, lexicon, the window's ids, their ranking, the cards' skills:
    # no read of the rest
    assert len(queries) == 5
    assert sum("directory_window" in q["sql"] for q in queries) == 1
    assert sum("ts_rank(" in q["sql"] for q in queries) == 1


def test_a_full_window_whose_owners_are_all_hidden_goes_on_after_it(
    client, weighted, monkeypatch
):
    """The three heaviest matches fill the window, but their owners' accounts
    are closed: the page goes on with the matches after the window, rather
    than showing nothing."""
    monkeypatch.setattr(directory, "SEARCH_WINDOW", 3)
    User.objects.filter(full_name__in=["Poids Huit", "Poids Sept", "Poids Six"]).update(
        is_active=False
    )

    page = mentor_directory_page(
        viewer_id=None, query=DirectoryQuery(q="python"), page_size=5
    )

    assert [p.user.full_name for p in page.results] == ["Poids Cinq", "Poids Quatre"]
    assert not page.has_next


# --- the query-cache switch ----------------------------------------------------


def _tier_queries(queries) -> int:
    return sum("directory_window" in q["sql"] for q in queries)


def _lexicon_queries(queries) -> int:
    return sum("mentors_searchword" in q["sql"] for q in queries)


@pytest.mark.parametrize("caches_on", [True, False])
def test_the_query_caches_switch(client, people, caches_on):
    url = reverse("mentors:directory") + "?q=python"
    with override_settings(SEARCH_QUERY_CACHES=caches_on):
        with CaptureQueriesContext(connection) as first:
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as second:
            response = client.get(url)

    assert names(response) == ["Yasmine Haddad"]
    assert (_lexicon_queries(first), _tier_queries(first)) == (1, 1)
    if caches_on:
        # The second time, the results (and the drawn filters) come from caches.
        assert (_lexicon_queries(second), _tier_queries(second)) == (0, 0)
    else:
        # Off: the same query reaches the database again: its words, its tier.
        assert (_lexicon_queries(second), _tier_queries(second)) == (1, 1)
        # Only what is cached per entity is not read again: the skill list of
        # the filters (under the mentor-data version) and the card's skills
        # (its card is drawn already: the card cache, keyed on the mentor).
        assert len(second) == len(first) - 2


def test_with_the_query_caches_off_nothing_keyed_on_a_query_is_kept(client, people):
    with override_settings(SEARCH_QUERY_CACHES=False):
        search(client, q="python")
        search(client, q="python", sort="newest")

    # Neither the drawn filters nor the drawn results (per process)…
    assert not caches["queries"]._cache  # type: ignore[attr-defined]
    # …nor the page's ids (shared), under the key they would have had.
    version = directory_state(viewer_id=None).version
    for query in (
        DirectoryQuery(q="python"),
        DirectoryQuery(q="python", sort="newest"),
    ):
        assert cache.get(_cache_key(version, query, 0, PAGE_SIZE)) is None
    # On, they are kept.
    search(client, q="python")
    assert caches["queries"]._cache  # type: ignore[attr-defined]
    assert cache.get(_cache_key(version, DirectoryQuery(q="python"), 0, PAGE_SIZE))


def test_the_window_joins_only_the_profiles_a_page_shows():
    """The window's profiles are ranked from their ids; the cards' columns
    and the owners' accounts are read for the best ones only, in rank order,
    until the page is full: not for every profile of the window."""
    for number in range(40):
        make_mentor(f"Mentor Fenêtre {number}", "Python", skills=(("git", 3),))
    sql, params = _window_statement("python", wanted=3)
    ranked_sql, ranked_params, ids = _ranked_statement("python", sql, params)
    assert len(ids) > 3
    with connection.cursor() as cursor:
        # Every table the owners' check reads, or the plan depends on whether
        # autovacuum happened to analyse one of them during the run.
        cursor.execute(
            "ANALYZE accounts_user, mentors_mentorprofile, account_emailaddress"
        )
        # The plan of a real table's size: a few dozen people are read whole
        # (a scan of the table, once) more cheaply than by their ids.
        cursor.execute("SET LOCAL enable_hashjoin = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_material = off")
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {ranked_sql}", ranked_params)
        plan_json = cursor.fetchone()[0]

    owners_read = [
        node["Actual Rows"] * node["Actual Loops"]
        for node in _plan_nodes(plan_json[0]["Plan"])
        if node.get("Relation Name") == "accounts_user"
    ]
    assert owners_read
    assert sum(owners_read) <= 3


def test_a_profile_hidden_after_its_window_was_read_is_not_ranked_in():
    """The window's ids and their ranking are two statements: a profile
    unpublished in between (after its id was read) is not shown."""
    for number in range(5):
        make_mentor(f"Mentor Entre {number}", "Python", skills=(("git", 3),))
    sql, params = _window_statement("python", wanted=10)
    ranked_sql, ranked_params, ids = _ranked_statement("python", sql, params)
    gone = ids[0]
    MentorProfile.objects.filter(pk=gone).update(is_published=False)

    with connection.cursor() as cursor:
        cursor.execute(ranked_sql, ranked_params)
        shown = [row[0] for row in cursor.fetchall()]

    assert len(shown) == 4
    assert gone not in shown


def _ranked_statement(
    query: str, ids_sql: str, params: dict
) -> tuple[str, dict, list[int]]:
    """The ranking statement of a query's first tier, with the ids its window
    statement reads (as the array's text it passes on, and as a list)."""
    with connection.cursor() as cursor:
        cursor.execute(ids_sql, params)
        count, ids = cursor.fetchone()
    listed = [int(pk) for pk in ids.strip("{}").split(",")]
    assert count == len(listed)
    plan = directory.search_plan(query)
    shape = directory._shape(
        viewer_id=None,
        query=DirectoryQuery(q=query),
        plan=plan,
        tier=plan.tiers[0],
        split=([], []),  # no filter
    )
    statement = directory._statement(shape, "window_ranked")
    return statement, {**params, "ids": ids}, listed


def _plan_nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)


def test_only_the_window_is_ranked_when_every_match_is_read(monkeypatch):
    """A word matched by fewer profiles is read from the full-text index,
    every match, and sorted by weight, without ranking any: ts_rank runs
    on the window's rows only, read from their ids."""
    for number in range(40):
        make_mentor(f"Mentor Rang {number}", "Python", skills=(("git", 3),))
    monkeypatch.setattr(directory, "SEARCH_WINDOW", 3)
    sql, params = _window_statement("python", wanted=2)
    params["walk"] = 0  # as for a rare word: every match from the full-text index
    ranked_sql, ranked_params, ids = _ranked_statement("python", sql, params)
    plans = {}
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        for name, statement, values in (
            ("ids", sql, params),
            ("ranked", ranked_sql, ranked_params),
        ):
            cursor.execute(
                f"EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON) {statement}", values
            )
            plans[name] = list(_plan_nodes(cursor.fetchone()[0][0]["Plan"]))

    def ranking(nodes):
        return [
            node["Actual Rows"] * node["Actual Loops"]
            for node in nodes
            if any("ts_rank(" in column for column in node.get("Output", []))
        ]

    assert any(node.get("Node Type") == "Bitmap Heap Scan" for node in plans["ids"])
    assert not ranking(plans["ids"])
    assert len(ids) == 3
    assert ranking(plans["ranked"])
    assert max(ranking(plans["ranked"])) <= 3


def test_the_skills_index_may_be_anded_with_the_words_index():
    """The planner never ANDs the bitmaps of two indexes whose predicates
    hold the same conditions (``choose_bitmap_and`` takes the second for
    redundant): with a skills' index over the listed rows only, as the
    words' index is, a search of words with a skill filter read every
    holder of the words to check the skill in its row (20,000 bench
    mentors, "qualité développement api" with the product management
    skill: 1,382 rows read, none kept, 3.5 ms; ANDed, no row read, 1.1 ms,
    docs/benchmarks.md). So the skills' index holds every row, and the
    statements name what the words' index needs of the listed rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(i.indpred, i.indrelid)"
            " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE c.relname IN"
            " ('mentors_profile_terms_idx', 'mentors_profile_skills_all_idx')"
        )
        predicates = dict(cursor.fetchall())
    assert predicates["mentors_profile_skills_all_idx"] is None
    assert predicates["mentors_profile_terms_idx"] is not None
    sql, _params = _window_statement(
        DirectoryQuery(q="python", skill="spreadsheets"), wanted=3
    )
    assert directory._LISTED in sql
    assert "p.search_skills && %(skill_levels)s::text[]" in sql


def _window_statement(query: str | DirectoryQuery, *, wanted: int) -> tuple[str, dict]:
    """The window statement of a query's first tier, and its parameters."""
    if isinstance(query, str):
        query = DirectoryQuery(q=query)
    plan = directory.search_plan(query.q)
    split = directory._facets_split(query)
    shape = directory._shape(
        viewer_id=None, query=query, plan=plan, tier=plan.tiers[0], split=split
    )
    return directory._statement(shape, "window_ids"), {
        **directory._values(viewer_id=None, query=query, plan=plan, split=split),
        "walk": directory.WALK_ENTRIES,
        "match": plan.tiers[0].match,
        "rank": plan.tiers[0].rank,
        "wanted": wanted,
    }


def _walk_plan(query: DirectoryQuery, *, analyze: bool = False) -> list[dict]:
    """The plan nodes of the query's window statement, as on a large table
    (``_index_plan``)."""
    sql, params = _window_statement(query, wanted=3)
    return _index_plan(sql, params, analyze=analyze)


def _index_plan(sql: str, params=None, *, analyze: bool = True) -> list[dict]:
    """The plan nodes of a statement as on a large table: on a table this
    small, any plan will do, so the planner is left the indexes walked in
    their order only (no scan of the table, no bitmap, no sort), to see how
    it reads them."""
    with connection.cursor() as cursor:
        for path in ("seqscan", "bitmapscan", "sort"):
            cursor.execute(f"SET LOCAL enable_{path} = off")
        options = "ANALYZE, FORMAT JSON" if analyze else "FORMAT JSON"
        cursor.execute(f"EXPLAIN ({options}) {sql}", params)
        plan_json = cursor.fetchone()[0]
    return list(_plan_nodes(plan_json[0]["Plan"]))


@pytest.mark.parametrize(
    "query",
    [
        DirectoryQuery(q="python"),
        DirectoryQuery(
            q="python",
            region="11",
            language="fr",
            mode="video",
            available_within_days=7,
            skill="git",
            min_level=2,
        ),
        DirectoryQuery(q="python", available_within_days=14),
    ],
)
def test_the_window_walks_the_weight_index_alone(query):
    """The walk by weight reads the index's entries only (they hold the
    search terms and every filtered column), not the wide profile rows: an
    index-only scan. A filter on a column the index does not hold would
    make it read every row it passes. In a region, the region's own index
    by weight or the weight index (here every profile is in the region)."""
    for number in range(10):
        make_mentor(f"Mentor Index {number}", "Python", skills=(("git", 3),))
    nodes = _walk_plan(query)

    indexes = {"mentors_profile_weight_idx"} | (
        {"mentors_profile_reg_weight_idx"} if query.region else set()
    )
    walks = [node["Node Type"] for node in nodes if node.get("Index Name") in indexes]
    # The fallback arm (every match, sorted) may read the same index when the
    # planner has nothing cheaper: it too reads the entries alone.
    assert walks
    assert set(walks) == {"Index Only Scan"}


def test_a_walk_in_a_region_reads_the_regions_own_entries_by_weight():
    """In a region of a fifth of the profiles, the walk by weight reads that
    region's index (region, weight, approval, id), index-only, not every
    profile's entry in the weight index (20 times as many for a region of
    5 %)."""
    for number in range(8):
        make_mentor(f"Mentor Région {number}", "Python", region="11")
    for number in range(32):
        make_mentor(f"Mentor Ailleurs {number}", "Python", region="84")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE mentors_mentorprofile")
    nodes = _walk_plan(DirectoryQuery(q="python", region="11"), analyze=True)

    walks = [
        node
        for node in nodes
        if node.get("Index Name") == "mentors_profile_reg_weight_idx"
    ]
    assert walks
    assert {node["Node Type"] for node in walks} == {"Index Only Scan"}
    # The region's entries only.
    assert max(node["Actual Rows"] for node in walks) <= 8


def test_the_search_terms_are_the_vector_without_positions_unless_too_long():
    short = make_mentor("Court Texte", "Python et données")
    long_text = make_mentor(
        "Long Texte", "Python", bio=" ".join(f"sujet{n}" for n in range(400))
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, search_terms = strip(search_vector), search_terms IS NULL"
            " FROM mentors_mentorprofile WHERE id IN (%s, %s)",
            [short.pk, long_text.pk],
        )
        rows = {pk: (same, missing) for pk, same, missing in cursor.fetchall()}
    assert rows[short.pk] == (True, False)
    assert rows[long_text.pk] == (None, True)


def test_the_lexicon_gives_each_word_its_share_of_the_listed_profiles():
    for number in range(3):
        make_mentor(f"Partage {number}", "Python")
    make_mentor("Partage Menuisier", "Menuiserie et Python")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE mentors_mentorprofile")  # counts the index's entries

    python, menuiserie, corrected, prefix, held = query_word_terms(
        ["python", "menuiserie", "menuiseire", "kub", "pyt"]
    )
    assert python.share == pytest.approx(1.0)
    assert menuiserie.share == pytest.approx(0.25)
    assert corrected.correction == "menuiserie"
    assert corrected.share == pytest.approx(0.25)
    # A prefix: its most frequent word's share, none when no word has it.
    assert (prefix.term, prefix.share) == ("'kub':*", 0)
    assert (held.term, held.share) == ("'pyt':*", pytest.approx(1.0))


def test_tiers_carry_the_share_they_are_likely_to_match():
    assert directory._exactly([0.5, 0.5]) == {0: 0.25, 1: 0.5, 2: 0.25}
    assert directory._exactly([0.1, None]) == {0: None, 1: None, 2: None}
    tiers = directory._tiers(["'a'", "'b'"], [0.5, 0.2])
    assert [tier.share for tier in tiers] == [pytest.approx(0.1), pytest.approx(0.5)]


def _sum_of_products(k: int, terms: list[str]) -> str:
    """At least k of the terms, every choice of k written out."""
    return " | ".join(
        "(" + " & ".join(chosen) + ")" for chosen in combinations(terms, k)
    )


def test_at_least_k_terms_holds_as_every_choice_of_k_and_ranks_the_same():
    """The tiers' queries, factored on each term in turn, are true for the
    same profiles as every choice of k terms written out, rank them the
    same (``ts_rank`` reads the distinct terms and the top operator), and
    hold fewer operators."""
    terms = ["a", "b", "c", "d", "e"]
    vectors = [
        " ".join(f"{t}:{i + 1}" for i, t in enumerate(held)) or "z:1"
        for size in range(len(terms) + 1)
        for held in combinations(terms, size)
    ]
    for k in range(1, len(terms) + 1):
        factored = directory._at_least(k, terms)
        written_out = _sum_of_products(k, terms)
        if 1 < k < len(terms):
            assert factored.count("&") + factored.count("|") < (
                written_out.count("&") + written_out.count("|")
            )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT v, v::tsvector @@ %s::tsquery, v::tsvector @@ %s::tsquery,"
                " ts_rank(v::tsvector, %s::tsquery), ts_rank(v::tsvector, %s::tsquery)"
                " FROM unnest(%s::text[]) AS v",
                [factored, written_out, factored, written_out, vectors],
            )
            rows = cursor.fetchall()
        for vector, holds, expected, rank, expected_rank in rows:
            held = [word for word in vector.split() if not word.startswith("z")]
            assert holds == expected == (len(held) >= k), (k, vector)
            assert rank == pytest.approx(expected_rank), (k, vector)


def test_the_tiers_are_factored_on_the_most_common_word_first():
    """The full-text index's scan of a tier factored on its most common
    word first is 5-15 % shorter than from the rarest (``_tiers``)."""
    _every, two, _one = directory._tiers(
        ["'rare'", "'common'", "'mid'"], [0.01, 0.5, 0.1]
    )
    assert two.rank == "(('common') & (('mid') | ('rare'))) | (('mid') & ('rare'))"


def test_a_tier_of_exactly_k_words_reads_the_index_for_k_at_least(tiered):
    """A tier of exactly k of the words reads the full-text index for the
    profiles holding k at least (its ``rank``: no negation in the index's
    condition, which is evaluated for every entry of the words' lists), and
    its rows say which hold no more: "Trois Mots" holds the three words and
    is no match of two of them. (On a table this small the planner reads
    any index; the condition's text is what a large table's plan reads.)"""
    query = DirectoryQuery(q="python lyon django")
    plan = directory.search_plan(query.q)
    every, two, _one = plan.tiers
    no_filter = ([], [])
    shape = directory._shape(
        viewer_id=None, query=query, plan=plan, tier=two, split=no_filter
    )
    assert shape.exactly
    assert not directory._shape(
        viewer_id=None, query=query, plan=plan, tier=every, split=no_filter
    ).exactly
    sql = directory._statement(shape, "window_ids")
    indexed = (
        "p.search_terms @@ %(rank)s::tsquery"
        " AND (p.search_terms @@ %(match)s::tsquery) IS TRUE"
    )
    assert indexed in sql
    assert "!" not in two.rank
    params = {
        **directory._values(viewer_id=None, query=query, plan=plan, split=no_filter),
        "walk": 0,
        "match": two.match,
        "rank": two.rank,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count, ids = cursor.fetchone()
    assert count == 1
    assert ids == f"{{{tiered['two'].pk}}}"


@pytest.mark.parametrize(
    ("share", "walk"),
    [
        (None, directory.WALK_UNKNOWN),
        (0.5, 3 * directory.SEARCH_WINDOW * 2),  # three times 400 entries
        (0.03, directory.WALK_ENTRIES),  # at most
        (0.001, 0),
    ],
)
def test_the_walk_is_left_out_for_words_few_profiles_hold(share, walk):
    tier = directory.Tier("'a'", "'a'", share=share)
    assert directory._walk_entries(tier) == walk


@pytest.mark.parametrize(
    ("share", "filters_share", "listed", "walk"),
    [
        (0.5, 0.5, None, 3 * directory.SEARCH_WINDOW * 4),  # a quarter kept
        (0.5, 0.01, None, 0),  # a narrow filter: the indexes at once
        (None, 0.01, None, directory.WALK_UNKNOWN),
        (0.5, 1.0, 17_000, 3 * directory.SEARCH_WINDOW * 2),
        # 3 % of 17,000: the 510 matches cost less to read than 10,000 entries.
        (0.03, 1.0, 17_000, 0),
        # Of 170,000: 5,100 matches cost more than the walk.
        (0.03, 1.0, 170_000, directory.WALK_ENTRIES),
    ],
)
def test_the_walk_counts_what_the_filters_leave_and_what_reading_matches_costs(
    share, filters_share, listed, walk
):
    tier = directory.Tier("'a'", "'a'", share=share)
    assert (
        directory._walk_entries(tier, filters_share=filters_share, listed=listed)
        == walk
    )


@pytest.mark.parametrize(
    ("share", "skills_share", "together", "listed", "walk"),
    [
        # "messagerie agenda" among 170,000: 5.7 % hold "agenda", 6 % the
        # skills; independent, 0.34 %: no walk. Typed together: as many
        # entries as the 9,690 holders of the word read otherwise, at most
        # WALK_TOGETHER_MAX.
        (0.057, 0.06, 0.06, 170_000, directory.WALK_TOGETHER_MAX),
        (0.02, 0.06, 0.06, 170_000, 3_400),  # 3,400 holders of the word
        (0.2, 0.3, 0.3, 170_000, directory.WALK_TOGETHER_MAX),
        # Few holders (969 at 17,000): read at once, no walk.
        (0.057, 0.06, 0.06, 17_000, 0),
        # Not together (narrow filters beside the skills, or fewer words).
        (0.057, 0.06, 0.0, 170_000, 0),
    ],
)
def test_everyday_words_skills_walk_as_far_as_reading_their_holders(
    share, skills_share, together, listed, walk
):
    tier = directory.Tier("'a'", "'a'", share=share)
    assert (
        directory._walk_entries(
            tier, filters_share=skills_share, listed=listed, together=together
        )
        == walk
    )


def test_everyday_words_skills_walk_only_beside_wide_filters(monkeypatch):
    """The walk of words typed with an everyday word's skills is tried where
    the other filters keep half of the profiles at least."""
    walks = []
    monkeypatch.setattr(
        directory,
        "_walk_entries",
        lambda tier, **extra: walks.append(extra["together"]) or 0,
    )
    for number in range(40):
        make_mentor(
            f"Tableur {number}",
            "Comptable",
            skills=(("spreadsheets", 3),),
            languages=("fr", "ar") if number % 10 == 0 else ("fr",),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE mentors_mentorprofile")
    monkeypatch.setattr(directory, "_FILTER_STATS", [])  # read again, then put back
    for query in (
        DirectoryQuery(q="excel comptable"),
        DirectoryQuery(q="excel comptable", language="ar"),
        DirectoryQuery(q="comptable"),
        # No profile holds both words: the tier of one of them is read too.
        DirectoryQuery(q="excel comptable paris"),
    ):
        with override_settings(SEARCH_QUERY_CACHES=False):
            mentor_directory_page(viewer_id=None, query=query, with_skills=False)
    assert walks[0] == pytest.approx(1.0)  # the skills' share: every profile
    # Beside a language a tenth of the profiles speak; no everyday word.
    assert walks[1:3] == [0.0, 0.0]
    # All the words with the skills, then one of them: not typed together.
    assert walks[3:] == [pytest.approx(1.0), 0.0]


@pytest.mark.parametrize(
    ("share", "filters_share", "listed", "first"),
    [
        (0.001, 1.0, 200_000, True),  # 200 matches: read them, then sort
        (0.5, 0.01, 200_000, True),  # a narrow filter: 1,000
        (0.5, 1.0, 200_000, False),  # 100,000: walk the order's index
        (None, 1.0, 200_000, False),  # not known: the planner's choice
        (0.001, 1.0, None, False),  # never counted
    ],
)
def test_a_sorted_page_reads_few_matches_first(share, filters_share, listed, first):
    tier = directory.Tier("'a'", "'a'", share=share)
    assert (
        directory._matches_first(tier, filters_share=filters_share, listed=listed)
        is first
    )


@pytest.mark.parametrize(
    ("share", "candidates", "walk"),
    [
        (0.5, 41, 246),  # three times the entries the share says
        (0.02, 41, 3_000),  # 6,150: bounded
        (1.0, 41, 123),  # never fewer than three times the candidates
        (0.01, 41, 0),  # 4,100 expected: no walk, the matches read first
        (None, 41, 3_000),  # not known
        (None, 2_000, 6_000),
    ],
)
def test_a_sorted_page_of_words_walks_its_order_a_bounded_way(share, candidates, walk):
    assert directory._sort_walk(share, candidates) == walk


def test_a_sorted_page_of_words_that_avoid_each_other_stops_its_walk(monkeypatch):
    """Words expected to match many profiles (taken as independent) but that
    never meet: the sorted page's walk of its order's index stops after its
    bound, then the matches are read first (the whole index was walked, each
    row read, twice: 2.6 s at 200,000 mentors); the page is the same."""
    for number in range(30):
        make_mentor(f"Alpha {number}", "Astronome", approved_days_ago=number + 1)
        make_mentor(f"Beta {number}", "Botaniste", approved_days_ago=number + 40)
    monkeypatch.setattr(directory, "_matches_first", lambda tier, **extra: False)
    monkeypatch.setattr(directory, "_sort_walk", lambda share, candidates, most=0: 10)
    with CaptureQueriesContext(connection) as captured:
        page = mentor_directory_page(
            viewer_id=None,
            query=DirectoryQuery(q="astronome botaniste", sort="newest"),
            with_skills=False,
        )
    # No profile holds both words; the newest of those holding one.
    assert [p.user.full_name for p in page.results] == [
        f"Alpha {number}" for number in range(20)
    ]
    walks = [q["sql"] for q in captured.captured_queries if "LIMIT 10)" in q["sql"]]
    assert walks  # the all-words tier walked, then its matches read first
    for sql in walks:
        # As on a large table: the order's index walked, not the table read
        # and sorted (which any plan does on sixty rows).
        nodes = _index_plan(sql)
        read = [n for n in nodes if n.get("Relation Name") == "mentors_mentorprofile"]
        assert read
        # The walk's ten, and the one after, which the sort by approval
        # then id reads to close its last group.
        assert max(n["Actual Rows"] for n in read) <= 11, sql


@pytest.mark.parametrize("sort", ["soonest", "newest"])
def test_a_sorted_page_without_a_match_reads_its_matches_once(sort):
    """A sorted page whose statement finds no candidate says so (a row of
    NULLs and the count 0): the matches are not read again from the whole
    statement, which found the same none (3 ms at 200,000 mentors). With
    candidates whose owners are all hidden, they still are (no row tells)."""
    for number in range(3):
        make_mentor(f"Seul {number}", "Astronome", skills=(("python", 3),))
    query = DirectoryQuery(q="astronome", skill="git", sort=sort)
    with CaptureQueriesContext(connection) as captured:
        page = mentor_directory_page(viewer_id=None, query=query, with_skills=False)
    assert page.results == []

    def whole(captured):
        # The statements reading every match in the order, not candidates.
        return [
            q["sql"]
            for q in captured.captured_queries
            if "u.full_name" in q["sql"] and "directory_candidates" not in q["sql"]
        ]

    assert whole(captured) == []
    # Every owner hidden: the whole statement reads again, and finds none.
    User.objects.filter(full_name__startswith="Seul").update(is_active=False)
    with CaptureQueriesContext(connection) as captured:
        page = mentor_directory_page(
            viewer_id=None,
            query=DirectoryQuery(q="astronome", sort=sort),
            with_skills=False,
        )
    assert page.results == []
    assert len(whole(captured)) == 1


def test_a_page_by_the_next_free_slot_walks_that_order_without_sorting(monkeypatch):
    """The "soonest" order (the next free slot, then the id, descending) is
    one index: a sorted page walks it and stops after its walk. With the
    slot alone indexed, the profiles sharing a slot time (thousands at
    200,000 mentors: slots fall on round hours) were read whole and sorted
    (an incremental sort: 31 ms for a page); the page is the same."""
    slot = timezone.now() + timedelta(days=1)
    for number in range(30):
        profile = make_mentor(f"Creneau {number}", "Astronome")
        MentorProfile.objects.filter(pk=profile.pk).update(next_free_slot_at=slot)
    monkeypatch.setattr(directory, "_matches_first", lambda tier, **extra: False)
    monkeypatch.setattr(directory, "_sort_walk", lambda share, candidates, most=0: 25)
    with CaptureQueriesContext(connection) as captured:
        page = mentor_directory_page(
            viewer_id=None,
            query=DirectoryQuery(q="astronome", sort="soonest"),
            with_skills=False,
        )
    # The same slot for all: the highest ids first.
    assert [p.pk for p in page.results] == sorted(
        MentorProfile.objects.values_list("pk", flat=True), reverse=True
    )[:20]
    walks = [q["sql"] for q in captured.captured_queries if "LIMIT 25)" in q["sql"]]
    assert walks
    # As on a large table: the table neither read whole nor sorted whole (an
    # incremental sort, by the slot's index alone, stays allowed).
    nodes = _index_plan(walks[0])
    # Only the candidates are sorted (the walk's few rows), no profile read.
    sorts = [n for n in nodes if "Sort" in n["Node Type"]]
    assert not [
        n
        for sort in sorts
        for n in _plan_nodes(sort)
        if n.get("Relation Name") == "mentors_mentorprofile"
    ], sorts
    walked = [n for n in nodes if n.get("Index Name") == "mentors_profile_soonest_idx"]
    assert walked
    assert max(n["Actual Rows"] for n in walked) <= 25


def test_a_sorted_page_of_words_that_go_together_walks_its_order(monkeypatch):
    """All the words of a query, expected rare (their shares multiplied), but
    held together by the heaviest profiles: a sorted page walks its order's
    index as far as their share in the sample says, instead of reading every
    match first; words the heaviest profiles do not hold together, one word,
    a tier of exactly k words, and a page too deep for the walk read the
    matches first. The pages are the same either way."""
    for number in range(24):
        make_mentor(
            f"Ensemble {number}",
            ("Tests et assurance qualité", "Logiciels libres", "Cuisine")[number // 8],
            approved_days_ago=number + 1,
        )
    # Every page here is small enough to read first: as on a large table,
    # the matches read first only when at most 4 are expected.
    monkeypatch.setattr(directory, "SORT_MATCHES_FIRST", 4)
    monkeypatch.setattr(directory, "SORT_SAMPLE", 8)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE mentors_mentorprofile")
    listed = 24.0
    together = directory.search_plan("tests assurance").tiers[0]
    apart = directory.search_plan("logiciels assurance").tiers[0]
    one = directory.search_plan("assurance").tiers[0]
    exactly_one = directory.search_plan("tests assurance").tiers[1]
    # Each word held by a third: both pairs expected to match 24 / 9.
    assert directory._matches_first(together, listed=listed)
    assert directory._matches_first(apart, listed=listed)

    def share(tier, filters_share=1.0):
        return directory._together_share(
            tier, filters_share=filters_share, listed=listed
        )

    # The eight heaviest (the newest, here) hold "tests" and "assurance",
    # twice the share from which the walk pays (4 of 24) asked of them: 3
    # of 8; their share, 8 of 8 halved. None holds "logiciels" with
    # "assurance". One word: its share is the lexicon's count, no sample.
    assert share(together) == 0.5
    assert share(apart) is None
    assert share(one) is None
    assert share(exactly_one) is None
    # A filter that keeps a tenth: the walk would pay from 4 of 2.4 listed,
    # which no sample can show (no statement).
    with CaptureQueriesContext(connection) as captured:
        assert share(together, filters_share=0.1) is None
    assert not captured.captured_queries
    state = replace(directory_state(viewer_id=None), listed=listed)
    walk = "SELECT p.* FROM mentors_mentorprofile p"

    def page(q, number=1):
        with CaptureQueriesContext(connection) as captured:
            found = mentor_directory_page(
                viewer_id=None,
                query=DirectoryQuery(q=q, sort="newest", page=number),
                state=state,
                with_skills=False,
            )
        walks = [q for q in captured.captured_queries if walk in q["sql"]]
        return [p.user.full_name for p in found.results], walks

    walked, walks = page("tests assurance")
    # The order's index walked: 41 candidates at a share of a half, three
    # times as far as they take.
    assert [w for w in walks if "LIMIT 246)" in w["sql"]]
    assert walked == [f"Ensemble {number}" for number in range(8)]
    # Page 100: 2,020 candidates at a half, more than SORT_WALK_MAX entries.
    assert page("tests assurance", number=100) == ([], [])
    monkeypatch.setattr(directory, "_together_share", lambda tier, **extra: None)
    first, walks = page("tests assurance")
    assert not walks
    assert first == walked


def test_the_filters_share_is_read_from_the_table_statistics():
    for number in range(40):
        make_mentor(
            f"Statistique {number}",
            "Python",
            skills=(("git", 2 + number % 2),),
            region="11" if number % 4 else "84",
            languages=("fr", "en") if number % 2 else ("fr",),
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE mentors_mentorprofile")
    directory._FILTER_STATS.clear()
    # The weight index's entries as ANALYZE counted them.
    assert directory_state(viewer_id=None).listed == 40
    plan = directory.search_plan("python")

    def share(**filters):
        return directory._filters_share(DirectoryQuery(q="python", **filters), plan)

    assert share() == 1.0
    assert share(region="84") == pytest.approx(0.25, abs=0.05)
    assert share(language="en") == pytest.approx(0.5, abs=0.05)
    assert share(skill="git") == pytest.approx(1.0, abs=0.05)
    # Half hold it at level 3 (the other levels are not held: together, at
    # most half the rarest value listed).
    assert 0.45 <= share(skill="git", min_level=3) <= 0.8
    assert share(region="84", language="en") == pytest.approx(0.125, abs=0.05)
    # A value the statistics do not list: less than any they list.
    assert share(region="976") < 0.25
    # Read once per process for a while: no statement for the next search.
    with CaptureQueriesContext(connection) as captured:
        share(region="11")
    assert len(captured) == 0


def test_the_filters_values_are_kept_in_the_row_and_read_in_one_condition(
    client, monkeypatch, request
):
    """PostgreSQL keeps the values of a profile's filters in one array
    (``search_facets``): its languages, modes, region, each skill held at
    any level and at its own. A page's matches are read through it, one
    condition for every filter (one index scan); a skill at a level or
    above, one of its levels; the walks of indexes that hold the filtered
    columns check those. The pages are those of the columns' conditions."""
    profile = make_mentor(
        "Facettes",
        "Python",
        skills=(("python", 5), ("git", 2)),
        languages=("fr", "en"),
        modes=("phone",),
        region="84",
    )
    profile.refresh_from_db()
    assert sorted(profile.search_facets) == sorted(
        ["l:fr", "l:en", "m:phone", "r:84", "s:python", "python:5", "s:git", "git:2"]
        + [f"s:{code}" for code, _level in _group_levels(profile)]
        + [f"{code}:{level}" for code, level in _group_levels(profile)]
    )
    # The values' prefixes ("l:", "m:", "r:", "s:") never meet a skill's
    # level entry ("<code>:<level>"): no skill is coded "l", "m", "r" or "s".
    assert not Skill.objects.filter(code__in=["l", "m", "r", "s"]).exists()
    assert Skill.objects.exists()
    for number in range(12):
        make_mentor(
            f"Filtre {number}",
            "Python",
            skills=(("python", 1 + number % 8),),
            languages=("fr", "en") if number % 3 == 0 else ("fr",),
            modes=("phone",) if number % 2 else ("video",),
            region="84" if number % 4 == 0 else "11",
        )

    def statement(query):
        plan = directory.search_plan(query.q)
        tier = plan.tiers[0] if plan.tiers else None
        shape = directory._shape(
            viewer_id=None,
            query=query,
            plan=plan,
            tier=tier,
            split=directory._facets_split(query),
        )
        return directory._statement(shape, "window_ids" if tier else "newest_whole")

    faceted = statement(
        DirectoryQuery(q="python", skill="python", language="en", mode="phone")
    )
    assert "p.search_facets @> %(facets)s::text[]" in faceted
    # The walk of the weight index checks the columns its entries hold.
    assert "p.modes @> ARRAY[%(mode)s]::varchar(10)[]" in faceted
    assert "p.languages @> ARRAY[%(language)s]::varchar(2)[]" in faceted
    at_level = statement(DirectoryQuery(skill="python", min_level=4))
    assert "p.search_facets && %(skill_levels)s::text[]" in at_level
    assert "@>" not in at_level

    def keys(query):
        return [facet.key for facet in directory._facet_filters(query)]

    assert keys(
        DirectoryQuery(skill="python", language="en", mode="phone", region="84")
    ) == ["s:python", "l:en", "m:phone", "r:84"]
    # A skill at a level: one of its levels' values, a condition of its own.
    assert keys(DirectoryQuery(skill="python", min_level=4)) == [""]

    searches = [
        {"q": "python", "language": "en"},
        {"q": "python", "mode": "phone", "region": "84"},
        {"skill": "python", "min_level": 5},
        {"skill": "python", "min_level": 5, "mode": "video", "sort": "newest"},
        {"language": "en", "region": "11", "sort": "soonest"},
        {"q": "python", "skill": "python", "language": "en"},
    ]
    with override_settings(SEARCH_QUERY_CACHES=False):
        faceted_pages = [names(search(client, **query)) for query in searches]
        # The statements are kept per shape: composed again without facets.
        monkeypatch.setattr(directory, "_faceted", lambda shape: False)
        directory._statement.cache_clear()
        request.addfinalizer(directory._statement.cache_clear)
        with CaptureQueriesContext(connection) as captured:
            column_pages = [names(search(client, **query)) for query in searches]
    statements = " ".join(q["sql"] for q in captured.captured_queries)
    assert "search_facets" not in statements
    assert "p.languages @> ARRAY['en']" in statements
    assert faceted_pages == column_pages
    assert all(faceted_pages)
    assert "Facettes" in faceted_pages[0]


def test_filters_most_profiles_pass_are_checked_in_the_row(client, monkeypatch):
    """Filter values most profiles hold (French, video) are checked in each
    row read, never through their index, whose scan reads a common value's
    whole list for nothing; a rarer value beside them is read through the
    index alone (a scan of both costs several times the rarer one's: 2.4
    against 9 ms at 200,000 mentors), the common one checked in its rows.
    The pages are the same."""
    for number in range(8):
        make_mentor(
            f"Commun {number}",
            "Python",
            languages=("fr", "en") if number % 2 == 0 else ("fr",),
            # English speakers on the phone too (2, 6): the common value
            # checked in the rows leaves them out.
            modes=("phone",) if number % 4 in (1, 2) else ("video",),
        )
    with override_settings(SEARCH_QUERY_CACHES=False):
        expected = {
            filters: names(search(client, q="python", **dict(filters)))
            for filters in (
                (("language", "fr"),),
                (("language", "fr"), ("mode", "video")),
                (("language", "en"), ("mode", "video")),
                (("language", "en"), ("mode", "phone")),
                (("language", "en"),),
            )
        }
    # The common value keeps fewer than the rarer one alone.
    english = set(expected[(("language", "en"),)])
    by_video = set(expected[(("language", "en"), ("mode", "video"))])
    assert by_video
    assert by_video < english
    stats = directory._FilterStats(
        shares={
            "languages": {"fr": 0.9, "en": 0.25},
            "modes": {"video": 0.8, "phone": 0.25},
        },
        read_at=time.monotonic(),
    )
    monkeypatch.setattr(directory, "_filter_stats", lambda: stats)
    indexed = "p.search_facets @> %(facets)s::text[]"
    row_only = "(p.search_facets @> %(facets_row)s::text[]) IS TRUE"

    def statement(**filters):
        sql, _params = _window_statement(
            DirectoryQuery(q="python", **filters), wanted=3
        )
        return sql

    for common in ({"language": "fr"}, {"language": "fr", "mode": "video"}):
        assert row_only in statement(**common)
        assert indexed not in statement(**common)
    rarer = statement(language="en", mode="video")
    assert indexed in rarer
    assert row_only in rarer
    split = directory._facets_split
    assert split(DirectoryQuery(language="en", mode="video")) == (["l:en"], ["m:video"])
    assert split(DirectoryQuery(language="fr", mode="video")) == (
        [],
        ["l:fr", "m:video"],
    )
    assert split(DirectoryQuery(language="en", mode="phone")) == (
        ["l:en", "m:phone"],
        [],
    )
    # Only rare values: the index alone.
    assert row_only not in statement(language="en", mode="phone")
    with override_settings(SEARCH_QUERY_CACHES=False):
        for filters, names_before in expected.items():
            assert names(search(client, q="python", **dict(filters))) == names_before
    assert len(expected[(("language", "fr"),)]) == 8


def test_a_page_splits_its_filter_values_once(client, monkeypatch):
    """Which filter values are checked in the rows is read once for a page:
    its statements' text and their values agree even when the statistics
    behind the split change between two of its parts (a statement holding
    one value while its text checks the index for the other would leave a
    filter unchecked)."""
    for number in range(6):
        make_mentor(
            f"Partage {number}",
            "Python",
            languages=("fr", "en"),
            modes=("phone",) if number % 2 else ("video",),
        )
    with override_settings(SEARCH_QUERY_CACHES=False):
        expected = names(search(client, q="python", language="en", mode="video"))
    assert len(expected) == 3
    splits = iter([(["l:en"], ["m:video"])] + [(["l:en", "m:video"], [])] * 50)
    monkeypatch.setattr(directory, "_facets_split", lambda query: next(splits))
    directory._statement.cache_clear()
    with override_settings(SEARCH_QUERY_CACHES=False):
        found = names(search(client, q="python", language="en", mode="video"))
    assert found == expected


def _group_levels(profile):
    """The skill groups' entries of the profile's ``search_skills``."""
    return [
        tuple(entry.rsplit(":", 1))
        for entry in profile.search_skills
        if entry.rsplit(":", 1)[0] not in ("python", "git")
    ]


def test_beside_narrow_filters_words_with_long_lists_are_read_in_their_rows(
    client, monkeypatch
):
    """Filters few profiles pass together (a skill, a language, a mode, a
    region) give the rows (their index): beside them, words whose lists hold
    many times the profiles they keep are checked in those rows (``(...) IS
    TRUE``, which no index answers); beside common filters, or for words
    whose lists are short beside them, through their index. The pages are
    the same."""
    for number in range(8):
        make_mentor(
            f"Etroit {number}",
            "Python et Django",
            skills=(("spreadsheets" if number < 2 else "git", 4),),
            modes=("phone",) if number % 2 else ("video",),
        )
    with override_settings(SEARCH_QUERY_CACHES=False):
        expected = {
            q: names(search(client, q=q, skill="spreadsheets", mode="phone"))
            for q in ("python", "python django")
        }
    skill = dict.fromkeys(search_module.skill_levels(["spreadsheets"]), 0.02 / 8)
    stats = directory._FilterStats(
        shares={
            "search_skills": {**skill, "git:4": 0.9},
            "modes": {"phone": 0.3},
            "languages": {"fr": 0.9, "es": 0.01},
        },
        read_at=time.monotonic(),
    )
    monkeypatch.setattr(directory, "_filter_stats", lambda: stats)
    row_only_words = "(p.search_terms @@ %(match)s::tsquery) IS TRUE"

    def statement(share, **filters):
        query = DirectoryQuery(q="python", **filters)
        tier = directory.Tier("'python'", "'python'", share=share, lists_share=share)
        shape = directory._shape(
            viewer_id=None,
            query=query,
            plan=directory.SearchPlan(tiers=(tier,)),
            tier=tier,
            split=directory._facets_split(query),
        )
        return directory._statement(shape, "window_ids")

    # The skill and the phone: 0.6 % of the profiles.
    narrow = statement(0.3, skill="spreadsheets", mode="phone")
    assert row_only_words in narrow
    # Lists shorter than BESIDE_LISTS times the profiles kept: ANDed.
    rarer = statement(0.04, skill="spreadsheets", mode="phone")
    assert row_only_words not in rarer
    # Spanish and the phone, no skill: 0.3 %.
    assert row_only_words in statement(0.3, language="es", mode="phone")
    # A common skill (27 % with the phone), a common language (27 %).
    common = statement(0.3, skill="git", mode="phone")
    assert row_only_words not in common
    assert row_only_words not in statement(0.3, language="fr", mode="phone")
    with override_settings(SEARCH_QUERY_CACHES=False):
        for q, names_before in expected.items():
            found = names(search(client, q=q, skill="spreadsheets", mode="phone"))
            assert found == names_before
    assert expected["python"] == ["Etroit 1"]


def test_a_walk_left_out_or_cut_short_gives_the_same_pages(client, monkeypatch):
    for number in range(12):
        make_mentor(
            f"Marche {number}",
            "Python et données",
            skills=(("python", 1 + number % 8),),
            region="11" if number % 3 else "84",
        )
    query = {"q": "python", "region": "84"}
    with override_settings(SEARCH_QUERY_CACHES=False):
        expected = names(search(client, **query))
        for walk in (0, 1, 3, directory.WALK_ENTRIES):
            monkeypatch.setattr(
                directory,
                "_walk_entries",
                lambda tier, walk=walk, **estimates: walk,
            )
            assert names(search(client, **query)) == expected, walk
    assert len(expected) == 4


def _sampled_window(query: str, **params) -> tuple[list[int], list[dict]]:
    """The window's ids for the query's first tier, with no walk planned,
    and the plan it ran."""
    _sql, values = _window_statement(query, wanted=3)
    plan = directory.search_plan(query)
    shape = directory._shape(
        viewer_id=None,
        query=DirectoryQuery(q=query),
        plan=plan,
        tier=plan.tiers[0],
        split=([], []),  # no filter
    )
    sql = directory._statement(shape._replace(sampled=True), "window_ids")
    values = {**values, "walk": 0, **params}
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", values)
        nodes = list(_plan_nodes(cursor.fetchone()[0][0]["Plan"]))
        cursor.execute(sql, values)
        count, ids = cursor.fetchone()
    return ([int(i) for i in ids.strip("{}").split(",")] if count else []), nodes


def _walked(nodes: list[dict]) -> float:
    """The matches the walk of the weight index found (its CTE's rows)."""
    (walk,) = [n for n in nodes if n.get("Subplan Name") == "CTE directory_walk"]
    return walk["Actual Rows"]


def test_a_sample_of_the_heaviest_entries_lengthens_a_walk_left_out(monkeypatch):
    """Words taken for rare (no walk planned) that the heaviest profiles hold
    together: the sample of the heaviest entries finds enough of them, and
    the window is walked from the weight index, not read from every match;
    the same window either way. Too few in the sample: every match read."""
    monkeypatch.setattr(directory, "SEARCH_WINDOW", 3)
    for number in range(8):
        make_mentor(
            f"Lourd {number}",
            "Python et Django",
            skills=(("python", 8), ("git", 8), ("spreadsheets", 8)),
        )
    for number in range(8):
        make_mentor(f"Leger {number}", "Python et Django", skills=(("git", 1),))
    for number in range(8):
        make_mentor(f"Autre {number}", "Cuisine", skills=(("graphic-design", 1),))
    expected, nodes = _sampled_window("python django", sample=0)
    assert len(expected) == 3
    assert _walked(nodes) == 0

    sample = {"sample": 6, "sample_reach": 3 * 3 * 6, "sample_walk": 100}
    found, nodes = _sampled_window("python django", **sample, sample_hits=4)
    assert found == expected
    assert _walked(nodes) == 3

    # A walk the sample made too short: every match read after it.
    found, nodes = _sampled_window(
        "python django", **{**sample, "sample_walk": 2}, sample_hits=4
    )
    assert found == expected
    assert _walked(nodes) == 2

    # Fewer hits in the sample than asked for: no walk.
    found, nodes = _sampled_window("python django", **sample, sample_hits=7)
    assert found == expected
    assert _walked(nodes) == 0


def test_the_sample_asks_for_more_hits_where_reading_the_matches_is_cheap():
    """Its hits: where a walk long enough for three windows at their share
    reads fewer entries than the matches' reads would cost (13 among 17,000
    listed profiles, 5 among 170,000); the sample only where the share is
    a product taken as independent and the rarest list is long."""
    assert directory._sample_hits(17_000) == 13
    assert directory._sample_hits(170_000) == 5
    assert directory._sample_hits(None) == directory.WALK_SAMPLE_HITS
    one, two = (
        directory._tiers(["'python'", "'django'"], [0.1, 0.1])[1],
        (directory._tiers(["'python'", "'django'"], [0.1, 0.1])[0]),
    )
    word = directory._tiers(["'python'"], [0.1])[0]
    assert not directory._sampled(word, filtered=False, listed=17_000)
    assert directory._sampled(word, filtered=True, listed=17_000)
    assert directory._sampled(two, filtered=False, listed=17_000)
    assert directory._sampled(one, filtered=False, listed=17_000)
    # Its rarest list holds a few windows at most: every match read at once.
    assert not directory._sampled(two, filtered=False, listed=2_000)


def test_a_tier_whose_walk_is_left_out_is_sampled(monkeypatch):
    """The parts: two words expected rare in a region get a sampled
    statement, the hits sized by the region's profiles (the walk reads its
    own entries); words expected common get a walk, not a sample; alone,
    the rare words are read from their postings instead."""
    stats = directory._FilterStats(
        shares={"region": {"84": 0.1}}, read_at=time.monotonic()
    )
    monkeypatch.setattr(directory, "_filter_stats", lambda: stats)
    terms = ["'python'", "'django'"]

    def first(shares, **query):
        plan = directory.SearchPlan(tiers=directory._tiers(terms, shares))
        read = next(
            directory._parts(
                viewer_id=None,
                query=DirectoryQuery(q="python django", **query),
                plan=plan,
                listed=170_000,
            )
        )
        sql, params = read.args[0], read.args[2]
        return params["sample"], params["sample_hits"], "greatest(%(walk)s" in sql

    sampled = (directory.WALK_SAMPLE, directory._sample_hits(17_000), True)
    assert directory._sample_hits(17_000) != directory._sample_hits(170_000)
    assert first([0.05, 0.05], region="84") == sampled

    assert first([0.6, 0.6], region="84") == (0, directory.WALK_SAMPLE_HITS, False)
    assert first([0.05, 0.05]) == (0, directory.WALK_SAMPLE_HITS, False)


@pytest.mark.parametrize(
    "query",
    [
        DirectoryQuery(skill="git", language="en"),
        DirectoryQuery(region="84", mode="phone", available_within_days=14),
        DirectoryQuery(min_level=3),
    ],
)
def test_filters_alone_newest_first_walk_their_index_alone(query):
    """A page of filters alone, newest first, walks the listed profiles in
    that order from an index holding every filtered column: an index-only
    scan, not every profile of its filters read and sorted. With a walk
    that falls short, the matches are read first (pages: test_directory_sql)."""
    for number in range(6):
        make_mentor(f"Mentor Recent {number}", "Python", skills=(("git", 3),))
    parts = directory._parts(
        viewer_id=None, query=query, plan=directory.search_plan(""), listed=6.0
    )
    read = next(parts)
    sql, params = read.args[0], read.args[2]
    assert params["sort_walk_max"] == directory._newest_walk_max(
        params["sort_share"], 6.0
    )
    assert directory._newest_walk_max(0.01, 17_000) == 1_190
    assert directory._newest_walk_max(0.01, 170_000) == directory.NEWEST_WALK_MAX
    assert directory._newest_walk_max(0.01, None) == directory.NEWEST_WALK_MAX
    values = {**params, "wanted": 3, "candidates": 5, "sort_walk": 100}
    nodes = _index_plan(sql, values, analyze=False)
    walks = [
        node["Node Type"]
        for node in nodes
        if node.get("Index Name") == "mentors_profile_newest_idx"
    ]
    assert walks == ["Index Only Scan"]


def test_the_profiles_are_vacuumed_often_enough_for_index_only_walks():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class"
            " WHERE oid = 'mentors_mentorprofile'::regclass"
        )
        options = cursor.fetchone()[0]
    assert "autovacuum_vacuum_scale_factor=0.02" in options


def _out_of_row(pks: list[int], column: str) -> dict[int, bool]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, pg_column_toast_chunk_id({column}) IS NOT NULL"  # noqa: S608
            " FROM mentors_mentorprofile WHERE id = ANY(%s)",
            [pks],
        )
        return dict(cursor.fetchall())


def test_the_search_vector_stays_in_its_row_while_the_long_texts_can_leave():
    """Ranking reads the window's vectors: one moved out of its row costs a
    TOAST read each (mentors.0021). Profiles whose rows grow over the TOAST
    threshold with bios of words that do not compress: their bios leave the
    rows, their vectors stay."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute"
            " WHERE attrelid = 'mentors_mentorprofile'::regclass"
            " AND attname IN ('search_vector', 'search_terms')"
        )
        storage = dict(cursor.fetchall())
        assert storage == {"search_vector": "m", "search_terms": "m"}
        cursor.execute("SHOW server_version_num")
        if int(cursor.fetchone()[0]) < 170000:
            return  # pg_column_toast_chunk_id is PostgreSQL 17's: the catalog above
    rng = random.Random(13)
    pks = []
    for count in range(30, 130, 8):
        words = (
            "".join(rng.choice(string.ascii_lowercase) for _ in range(9))
            for _ in range(count)
        )
        pks.append(make_mentor(f"Texte {count}", "Python", bio=" ".join(words)).pk)
    vectors, bios = _out_of_row(pks, "search_vector"), _out_of_row(pks, "bio")
    assert [pk for pk in pks if vectors[pk]] == []
    assert any(bios.values())  # the rows were over the threshold


# --- the process's copy of the lexicon ---------------------------------------
# Committed changes (a transactional test): the copy is keyed on the
# mentor-data version, which moves once a change commits.

_WORDS = ["python", "menuiserie", "menuiseire", "kub", "avec", "with", "zzzz"]


@pytest.mark.django_db(transaction=True)
def test_known_words_are_read_from_the_process_copy_as_the_lexicon_reads_them():
    make_mentor("Partage Menuisier", "Menuiserie et Python")
    make_mentor("Jane Withers", "Graphiste")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE mentors_mentorprofile")  # counts: shares known
    version = directory_state(viewer_id=None).version

    from_copy = query_word_terms(_WORDS, version=version)

    assert from_copy == query_word_terms(_WORDS)  # the database's reading
    assert from_copy[1].share == pytest.approx(0.5)  # menuiserie: 1 of 2
    expected = query_word_terms(["python", "menuiserie"])
    with CaptureQueriesContext(connection) as known_only:
        assert query_word_terms(["python", "menuiserie"], version=version) == expected
    assert not known_only.captured_queries
    with CaptureQueriesContext(connection) as some_unknown:
        query_word_terms(["python", "menuiseire"], version=version)
    assert len(some_unknown) == 1  # the unknown word only
    assert "menuiseire" in some_unknown[0]["sql"]
    assert "'{python" not in some_unknown[0]["sql"]


@pytest.mark.django_db(transaction=True)
def test_a_signed_in_search_of_known_words_reads_no_lexicon(client):
    make_mentor("Partage Menuisier", "Menuiserie et Python")
    search(client, q="python")  # the copy read once

    with CaptureQueriesContext(connection) as known:
        response = search(client, q="menuiserie python")
    with CaptureQueriesContext(connection) as misspelt:
        search(client, q="menuiseire")

    assert names(response) == ["Partage Menuisier"]
    assert not [q for q in known if "mentors_searchword" in q["sql"]]
    assert [q for q in misspelt if "mentors_searchword" in q["sql"]]


@pytest.mark.django_db(transaction=True)
def test_the_copy_follows_the_lexicon_when_a_word_leaves_it(client):
    carpenter = make_mentor("Partage Menuisier", "Menuiserie et Python")
    make_mentor("Yasmine Haddad", "Développeuse Python")
    assert names(search(client, q="menuiserie")) == ["Partage Menuisier"]

    MentorProfile.objects.filter(pk=carpenter.pk).update(is_published=False)
    mentor_search_refresh(profile_ids=[carpenter.pk])  # commits, moves the version

    version = directory_state(viewer_id=None).version
    (read,) = query_word_terms(["menuiserie"], version=version)
    assert read == query_word_terms(["menuiserie"])[0]
    assert not read.share  # no longer a known word with its share
    assert names(search(client, q="menuiserie")) == []


def test_the_copy_is_left_alone_while_this_transaction_changed_mentor_data(
    django_capture_on_commit_callbacks,
):
    make_mentor("Partage Menuisier", "Menuiserie et Python")  # a move pending
    version = directory_state(viewer_id=None).version

    read = query_word_terms(["menuiserie"], version=version)

    assert read == query_word_terms(["menuiserie"])
    assert not search_module._COPY  # not read: it would not hold this change
