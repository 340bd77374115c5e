"""The search postings (``SearchPosting``, migration 0024) hold exactly the
stems of the listed profiles' terms, each with its profile's weight and
approval: the triggers on the profile table keep them so through every change
the services make (approval, a skill renamed, shown or hidden, deleted), and
an update that changes none of that writes none."""

from __future__ import annotations

import importlib
from dataclasses import replace

import pytest
from django.db import connection
from django.utils import timezone

from mentors.models import MentorProfile, SearchPosting, Skill
from mentors.search import mentor_search_refresh, search_postings_repair
from mentors.services import (
    mentor_profile_set_published,
    mentor_profile_visibility_changed,
    skill_save,
)
from tests.mentors.test_directory import make_mentor

pytestmark = pytest.mark.django_db

# What the postings must hold, computed from the profile rows.
EXPECTED = """
SELECT s.stem, p.search_weight, p.approved_at, p.id
FROM mentors_mentorprofile p, unnest(tsvector_to_array(p.search_terms)) AS s(stem)
WHERE p.approved_at IS NOT NULL AND p.is_published
  AND p.hidden_by_staff_at IS NULL AND p.search_terms IS NOT NULL
"""
HELD = "SELECT stem, weight, approved_at, profile_id FROM mentors_searchposting"


def differences() -> tuple[list[tuple], list[tuple]]:
    """(missing from the postings, in them but not expected)."""
    with connection.cursor() as cursor:
        cursor.execute(f"({EXPECTED}) EXCEPT ({HELD})")
        missing = cursor.fetchall()
        cursor.execute(f"({HELD}) EXCEPT ({EXPECTED})")
        extra = cursor.fetchall()
    return missing, extra


def stems_of(profile: MentorProfile) -> set[str]:
    return set(
        SearchPosting.objects.filter(profile_id=profile.pk).values_list(
            "stem", flat=True
        )
    )


def test_the_postings_follow_every_change_to_what_a_profile_lists():
    web = make_mentor("Élodie Garnier", "Développement web pour débutants")
    sheets = make_mentor(
        "Bernard Lefèvre", "Tableurs sans stress", skills=(("spreadsheets", 6),)
    )
    draft = make_mentor("Camille Roux", "Brouillon", status="draft")
    assert differences() == ([], [])
    assert {"developp", "web", "debut"} <= stems_of(web)
    assert stems_of(draft) == set()
    weight = SearchPosting.objects.filter(profile_id=web.pk).values_list(
        "weight", flat=True
    )
    assert set(weight) == {6}

    # Hidden by the mentor, then shown again.
    mentor_profile_set_published(user=web.user, published=False)
    assert stems_of(web) == set()
    assert differences() == ([], [])
    mentor_profile_set_published(user=web.user, published=True)
    assert "developp" in stems_of(web)

    # Hidden by staff.
    MentorProfile.objects.filter(pk=sheets.pk).update(hidden_by_staff_at=timezone.now())
    mentor_profile_visibility_changed(profile_id=sheets.pk)
    assert stems_of(sheets) == set()
    assert differences() == ([], [])

    # A skill renamed in the admin: the terms of the profiles that list it.
    python = Skill.objects.get(code="python")
    python.name_fr = "Serpentologie appliquée"
    skill_save(skill=python)
    assert "serpentolog" in stems_of(web)
    assert differences() == ([], [])

    # A new weight (the skills' levels) moves every posting of the profile.
    web.skills.update(level=8)
    mentor_search_refresh(profile_ids=[web.pk])
    assert set(
        SearchPosting.objects.filter(profile_id=web.pk).values_list("weight", flat=True)
    ) == {8}
    assert differences() == ([], [])

    # Deleted.
    MentorProfile.objects.filter(pk=web.pk).delete()
    assert stems_of(web) == set()
    assert differences() == ([], [])


def test_an_update_that_changes_no_listing_writes_no_posting():
    profile = make_mentor("Élodie Garnier", "Développement web pour débutants")

    def versions() -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT xmin::text FROM mentors_searchposting"
                " WHERE profile_id = %s ORDER BY stem",
                [profile.pk],
            )
            return [row[0] for row in cursor.fetchall()]

    before = versions()
    # The slot summary and a pause: written often, listed the same.
    MentorProfile.objects.filter(pk=profile.pk).update(
        free_slots_7d=1, free_slots_14d=2, free_slots_28d=3, is_paused=True
    )
    assert versions() == before
    assert before


def test_the_migration_fills_the_postings_of_the_profiles_already_listed():
    make_mentor("Élodie Garnier", "Développement web pour débutants")
    make_mentor("Bernard Lefèvre", "Tableurs sans stress")
    migration = importlib.import_module("mentors.migrations.0024_search_postings")
    SearchPosting.objects.all().delete()
    assert differences()[0]

    with connection.cursor() as cursor:
        cursor.execute(migration.FILL)

    assert differences() == ([], [])


def written(profile: MentorProfile) -> list[tuple[str, str]]:
    """A profile's postings, each with the transaction that wrote it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stem, xmin::text FROM mentors_searchposting"
            " WHERE profile_id = %s ORDER BY stem",
            [profile.pk],
        )
        return cursor.fetchall()


def _around_the_triggers(sql: str, params: list) -> None:
    """An update of the profile table that no trigger sees (as a replica, or a
    bulk load with its triggers off, would write it)."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute(sql, params)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.mark.parametrize("batch", [1, 5000])
def test_the_repair_writes_again_the_postings_that_went_around_the_triggers(batch):
    web = make_mentor("Élodie Garnier", "Développement web pour débutants")
    sheets = make_mentor("Bernard Lefèvre", "Tableurs sans stress")
    kept = make_mentor("Camille Roux", "Photographie et retouche")
    hidden = make_mentor("Denis Petit", "Montage vidéo")
    kept_postings = written(kept)
    # A new weight, and a profile hidden by staff, that the triggers did not see.
    _around_the_triggers(
        "UPDATE mentors_mentorprofile SET search_weight = search_weight + 1"
        " WHERE id = %s",
        [web.pk],
    )
    _around_the_triggers(
        "UPDATE mentors_mentorprofile SET hidden_by_staff_at = now() WHERE id = %s",
        [hidden.pk],
    )
    with connection.cursor() as cursor:
        # A profile's postings lost, and postings of no profile at all.
        cursor.execute(
            "DELETE FROM mentors_searchposting WHERE profile_id = %s", [sheets.pk]
        )
        cursor.execute(
            "INSERT INTO mentors_searchposting (stem, weight, approved_at, profile_id)"
            " VALUES ('fantom', 3, now(), %s)",
            [hidden.pk + 1000],
        )
    missing, extra = differences()
    assert missing
    assert extra

    assert search_postings_repair(batch=batch) == len(missing) + len(extra)

    assert differences() == ([], [])
    assert stems_of(hidden) == set()
    assert "tableur" in stems_of(sheets)
    # A profile whose postings were right is not written again.
    assert written(kept) == kept_postings
    assert search_postings_repair(batch=batch) == 0


def test_the_repair_finds_every_posting_gone_after_a_truncate():
    make_mentor("Élodie Garnier", "Développement web pour débutants")
    make_mentor("Bernard Lefèvre", "Tableurs sans stress")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE mentors_searchposting")
    missing, _extra = differences()

    assert search_postings_repair() == len(missing) > 10
    assert differences() == ([], [])


def test_a_window_is_read_from_postings_only_where_that_reads_less():
    from mentors.directory import Tier, _postings

    listed = 20_000.0
    word = Tier("('autonom')", "('autonom')", share=0.18, lists=("'autonom'",))
    one_word = replace(word, lists_share=0.18)
    # One frequent word: its first entries are matches.
    assert _postings(one_word, listed=listed) == ([("autonom", False)], 200)
    # A prefix reads a range of stems.
    prefix = replace(one_word, lists=("'poter':*",))
    assert _postings(prefix, listed=listed) == ([("poter", True)], 200)
    # Few matches: every match is read at once.
    rare = replace(one_word, share=0.004, lists_share=0.004)
    assert _postings(rare, listed=listed) is None
    # A narrow filter: most entries would fail it.
    assert _postings(one_word, filters_share=0.01, listed=listed) is None
    # Shares or the listed count unknown; a term of several stems.
    assert _postings(word, listed=listed) is None
    assert _postings(one_word, listed=None) is None
    several = replace(one_word, lists=("'node' & 'js'",))
    assert _postings(several, listed=listed) is None
    # A prefix whose last letter has no successor: no range to read.
    for last in ("\U0010ffff", "\ud7ff"):
        odd = replace(one_word, lists=(f"'ab{last}':*",))
        assert _postings(odd, listed=listed) is None
    # Exactly one of two words: both lists, most of their holders match.
    either = Tier(
        "x", "x", share=0.25, lists=("'autonom'", "'excel'"), lists_share=0.27
    )
    assert _postings(either, listed=listed) == (
        [("autonom", False), ("excel", False)],
        216,  # twice the entries expected to fill the window
    )
    # A narrow filter on a frequent word (holders: 3,600): a walk of at most
    # POSTINGS_WALK_MAX entries, then every match.
    assert _postings(one_word, filters_share=0.25, listed=listed) == (
        [("autonom", False)],
        500,
    )
    # The window expected within POSTINGS_WALK_MAX entries: walked; beyond
    # them, a walk of POSTINGS_WALK_MAX would neither fill it nor read the
    # list to its end (then every match is read all the same).
    assert _postings(one_word, filters_share=0.21, listed=listed) == (
        [("autonom", False)],
        500,
    )
    assert _postings(one_word, filters_share=0.19, listed=listed) is None
    assert _postings(one_word, filters_share=0.075, listed=listed) is None


def test_all_the_words_of_several_probe_the_others_postings():
    """The tier of all the words: its list is the rarest word's, the others
    are probed, rarest first; a short walk is tried even where the words,
    taken as independent, would fill the window only further on."""
    from mentors.directory import (
        POSTINGS_PROBE_MIN_SHARE,
        POSTINGS_PROBE_WALK,
        _postings,
        _probe_stems,
        _tiers,
    )

    listed = 200_000.0
    every, two, one = _tiers(["'devop'", "'servic'", "'cloud'"], [0.074, 0.054, 0.4])
    assert every.lists == ("'servic'",)
    assert every.probes == ("'devop'", "'cloud'")
    # Exactly k of them: every word probed, k held.
    assert two.probes == one.probes == ("'servic'", "'devop'", "'cloud'")
    assert (every.held, two.held, one.held) == (0, 2, 1)
    assert _probe_stems(every) == ["devop", "cloud"]
    # Independent, ~320 matches: 3.0 % of the entries of "servic" hold the
    # others, 3,378 entries expected before a window of 100 (beyond
    # POSTINGS_WALK_MAX); tried all the same.
    assert _postings(every, listed=listed) == ([("servic", False)], POSTINGS_PROBE_WALK)
    # Not where fewer than 2 % of them are expected to (the walk fills the
    # window only if the words go together ten times as often as that):
    # "cloud" held by 20 %, 1.5 %.
    rarely = _tiers(["'devop'", "'servic'", "'cloud'"], [0.074, 0.054, 0.2])[0]
    assert rarely.share / rarely.lists_share < POSTINGS_PROBE_MIN_SHARE
    assert _postings(rarely, listed=listed) is None
    # Not with a narrow filter: each entry holding the words reads its row.
    assert _postings(every, filters_share=0.3, listed=listed) is None
    # Nor where no other word is one stem (a prefix is checked in the row).
    prefixes = replace(every, probes=("'devop':*",))
    assert _probe_stems(prefixes) == []
    assert _postings(prefixes, listed=listed) is None
    # Nor from a prefix's list (its range is sorted whole before the bound).
    assert _postings(replace(every, lists=("'servic':*",)), listed=listed) is None
    # Filters keeping half of the profiles: still tried.
    assert _postings(every, filters_share=0.5, listed=listed) == (
        [("servic", False)],
        POSTINGS_PROBE_WALK,
    )
    # The short walk tried all the same is for all the words only: two of
    # them expected to match few profiles are not what was typed together.
    assert _postings(replace(two, share=0.0015), listed=listed) is None
    assert _postings(replace(every, share=0.0015), listed=listed) == (
        [("servic", False)],
        POSTINGS_PROBE_WALK,
    )
    # Exactly k words: every word counted, or none when one is a prefix.
    assert _probe_stems(two) == ["servic", "devop", "cloud"]
    assert _probe_stems(replace(two, probes=("'servic'", "'devop':*"))) == []


def test_a_tier_of_k_words_reads_the_lists_of_the_rarest_it_needs():
    """A profile holding k of n words misses n - k at most, so it holds one
    of any n - k + 1: the tier's lists are the n - k + 1 rarest words', not
    every word's (the frequent words' lists were merged in, their entries
    read and checked for nothing). The pages stay exact: the SQL-vs-ORM
    comparison reads these lists (tests/mentors/test_directory_sql.py)."""
    from mentors.directory import _postings, _tiers

    terms = ["'gestion'", "'biai'", "'programm'", "'back'"]
    shares = [0.30, 0.01, 0.25, 0.02]
    every, three, two, one = _tiers(terms, shares)
    assert every.lists == ("'biai'",)
    # In the query's order, the rarest n - k + 1 of them.
    assert three.lists == ("'biai'", "'back'")
    assert two.lists == ("'biai'", "'programm'", "'back'")
    assert one.lists == tuple(terms)
    assert three.lists_share == pytest.approx(1 - 0.99 * 0.98)
    assert two.lists_share == pytest.approx(1 - 0.99 * 0.75 * 0.98)
    assert one.lists_share == pytest.approx(1 - 0.7 * 0.99 * 0.75 * 0.98)
    # A word's share unknown: no share of the lists (no postings' walk).
    assert _tiers(terms, [0.3, None, 0.25, 0.02])[1].lists_share is None
    # Two of three words, one of them in most profiles (200,000 listed: the
    # tier matches ~4,700, each of "rare" and "other" 4,000 hold): the two
    # rare words' lists are mostly matches, their window read from them;
    # with the frequent word's list merged in, 2,600 entries were expected
    # before a window, and every match was read instead.
    _every, two_of_three, _one = _tiers(["'x'", "'rare'", "'other'"], [0.6, 0.02, 0.02])
    assert two_of_three.lists == ("'rare'", "'other'")
    assert _postings(two_of_three, listed=200_000.0) == (
        [("rare", False), ("other", False)],
        335,  # twice the 167 entries expected to fill the window
    )
    all_three = replace(
        two_of_three,
        lists=("'x'", "'rare'", "'other'"),
        lists_share=0.61584,
        probes=(),  # (the short walk of probed entries aside)
    )
    assert _postings(all_three, listed=200_000.0) is None


def _probed_window(params: dict, **shape: object) -> list[int]:
    """The ids of the window that a walk of postings with probes reads (words
    alone: ``shape`` gives the lists and the probes), after checking its plan
    looks up each entry's key, not a hash of a word's whole list."""
    from mentors.directory import WALK_SAMPLE_HITS, _Shape, _statement

    sql = _statement(
        _Shape(
            viewer=False,
            meant=False,
            text="tsquery",
            skill=False,
            min_level=False,
            language=False,
            region=False,
            mode=False,
            free_within=0,
            **shape,
        ),
        "window_ids",
    )
    params = {
        "sample": 0,
        "sample_hits": WALK_SAMPLE_HITS,
        "sample_reach": 0,
        "sample_walk": 0,
        "walk": 0,
        "window": 5,
        "wanted": 5,
        **params,
    }
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
        plan_text = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(sql, params)
        count, ids = cursor.fetchone()
    assert "hashed SubPlan" not in plan_text, plan_text
    assert "profile_id = c.id" in plan_text, plan_text
    return sorted(int(i) for i in ids.strip("{}").split(",")) if count else []


def _heaviest(profiles, number: int = 5) -> list[int]:
    return sorted(
        profiles.order_by("-search_weight", "-approved_at", "-pk").values_list(
            "pk", flat=True
        )[:number]
    )


def test_the_probes_look_up_each_entry_not_the_other_words_whole_list():
    """An EXISTS against the other word's postings was planned as a hash of
    its whole list (read at every search, growing with the table): the probes
    are scalar subqueries that look up one key per entry walked."""
    from mentors.directory import _postings_values, search_plan

    for i in range(12):
        make_mentor(f"Ops {i}", "Devops et services cloud", skills=())
    for i in range(30):
        make_mentor(f"Services {i}", "Services à la personne", skills=())
    every = search_plan("devops services").tiers[0]
    assert every.probes
    params = {
        "match": every.match,
        "rank": every.rank,
        **_postings_values([("devop", False)], 500, ["servic"]),
    }
    window = _probed_window(params, postings=(False,), probes=1)
    ops = MentorProfile.objects.filter(user__full_name__startswith="Ops ")
    assert window == _heaviest(ops)


def test_a_tier_of_exactly_k_words_counts_them_in_the_postings_entry_by_entry():
    """Exactly two of three words: the two rarest words' lists are walked,
    each entry's words counted by a look-up of its key in each word's
    postings (no hash of a whole list), its row read only when it holds two
    at least; the window is the tier's heaviest matches."""
    from mentors.directory import (
        _postings_lists,
        _postings_values,
        _probe_stems,
        search_plan,
    )

    for i in range(12):
        make_mentor(f"Ops {i}", "Devops et services cloud", skills=())
    for i in range(30):
        make_mentor(f"Services {i}", "Services à la personne", skills=())
    for i in range(3):
        make_mentor(f"Tous {i}", "Devops, services à la personne", skills=())
    two = search_plan("devops services personne").tiers[1]
    lists = _postings_lists(two)
    probes = _probe_stems(two)
    assert lists is not None
    assert len(lists) == 2
    assert two.held == 2
    assert sorted(probes) == ["devop", "person", "servic"]
    params = {
        "match": two.match,
        "rank": two.rank,
        "probe_held": 2,
        **_postings_values(lists, 500, probes),
    }
    window = _probed_window(params, postings=(False, False), probes=3, counted=True)
    # Two of the three words: not "Tous" (all three, the tier before).
    pairs = MentorProfile.objects.exclude(user__full_name__startswith="Tous ")
    assert window == _heaviest(pairs)


def test_a_walk_in_a_region_is_as_long_as_the_regions_profiles_need(monkeypatch):
    """The walk by weight of a search in a region reads that region's
    entries only (``_window_with``): its length is counted among them. Counted
    among every profile, a frequent word in a region of 5 % was judged too
    rare to walk (its share 1.5 %), and every match was read."""
    import time

    from mentors import directory
    from mentors.directory import DirectoryQuery, SearchPlan, Tier, _parts

    stats = directory._FilterStats(
        shares={"region": {"84": 0.05, "11": 0.18}}, read_at=time.monotonic()
    )
    monkeypatch.setattr(directory, "_filter_stats", lambda: stats)
    word = Tier("'python'", "'python'", share=0.3, lists=("'python'",))
    plan = SearchPlan(tiers=(word,))

    def walk(query: DirectoryQuery) -> int:
        first = next(_parts(viewer_id=None, query=query, plan=plan, listed=200_000))
        return first.args[2]["walk"]

    assert walk(DirectoryQuery(q="python")) == 1_000
    # The same walk in the region: 100 matches among its first 1,000 entries.
    assert walk(DirectoryQuery(q="python", region="84")) == 1_000
