"""The directory's query mix (``bench/querymix.py``): reproducible, varied,
every class of search present, popular searches repeated, every search one
the directory accepts."""

from __future__ import annotations

import statistics
from collections import Counter
from random import Random
from urllib.parse import parse_qs

import pytest
from django.http import QueryDict

from bench import querymix
from mentors.forms import DirectoryForm


@pytest.fixture(scope="module")
def mix() -> querymix.Mix:
    return querymix.directory_mix()


def _q(search: querymix.Search) -> str:
    return parse_qs(search.query).get("q", [""])[0]


def test_the_mix_is_the_same_for_a_seed_and_differs_for_another(mix):
    again = querymix.directory_mix()
    other = querymix.directory_mix(seed=8)
    assert again == mix
    assert [s.query for s in other.searches] != [s.query for s in mix.searches]
    assert other.replay != mix.replay


def test_the_mix_holds_at_least_2000_distinct_searches_each_replayed(mix):
    queries = [s.query for s in mix.searches]
    assert len(queries) == querymix.DISTINCT >= 2000
    assert len(set(queries)) == len(queries)
    assert set(mix.replay) == set(range(len(queries)))
    assert Counter(mix.replay) == dict(enumerate(mix.counts))


def test_every_class_is_present_with_its_share(mix):
    counts = Counter(s.klass for s in mix.searches)
    assert set(counts) == set(querymix.CLASS_NAMES)
    for klass in querymix.CLASSES:
        # Rare words are few in the data; the others get their whole share.
        floor = 30 if klass.name == querymix.RARE_WORD else 0.9 * klass.share * 3000
        assert counts[klass.name] >= floor, klass.name


def test_popular_searches_are_replayed_more_than_the_median_one(mix):
    counts = list(mix.counts)
    assert counts == sorted(counts, reverse=True)
    assert counts[0] == querymix.ZIPF_TOP
    assert counts[0] > statistics.median(counts)
    assert querymix.zipf_counts(5, s=1.0, top=60) == [60, 30, 20, 15, 12]
    # The popular ones are mostly short searches, as people type them.
    head = [len(_q(s).split()) for s in mix.searches[:50]]
    assert statistics.median(head) <= 1


def test_each_class_is_what_it_says(mix):
    vocab = querymix.vocabulary()
    by_class: dict[str, list[querymix.Search]] = {}
    for search in mix.searches:
        by_class.setdefault(search.klass, []).append(search)
    for search in by_class[querymix.ONE_WORD]:
        assert vocab.share[_q(search)] >= querymix.FREQUENT_SHARE
    for search in by_class[querymix.RARE_WORD]:
        assert vocab.share[_q(search)] <= querymix.RARE_SHARE
    for search in by_class[querymix.SEVERAL_WORDS]:
        assert len(_q(search).split()) >= 2
    for search in by_class[querymix.NO_ACCENTS]:
        assert _q(search) == querymix.plain(_q(search))
    for search in by_class[querymix.MISSPELLED]:
        assert any(not vocab.known(word) for word in _q(search).split())
    for search in by_class[querymix.NO_MATCH]:
        assert not any(vocab.known(word) for word in _q(search).split())
    for search in by_class[querymix.FILTERS]:
        assert "q" not in parse_qs(search.query)
    for search in by_class[querymix.WORDS_FILTERS]:
        assert _q(search)
        assert len(parse_qs(search.query)) >= 2
    pages = {parse_qs(s.query)["page"][0] for s in by_class[querymix.NEXT_PAGES]}
    assert pages == {"2", "3", "4"}


def test_a_misspelling_swaps_drops_or_doubles_one_letter():
    rng = Random(1)
    slips = {querymix.misspell(rng, "developpeur") for _ in range(200)}
    assert "devleoppeur" in slips  # swapped
    assert "developeur" in slips  # dropped
    assert "developppeur" in slips  # doubled
    for slip in slips:
        assert slip[0] == "d"
        assert abs(len(slip) - len("developpeur")) <= 1


def test_words_are_read_as_people_type_them():
    assert querymix.words_of("Développeuse web à Saint-Étienne, d'expérience") == [
        "développeuse",
        "web",
        "saint",
        "étienne",
        "expérience",
    ]


@pytest.mark.django_db
def test_the_directory_accepts_every_search_of_the_mix(mix):
    refused = [
        search.query
        for search in mix.searches
        if not DirectoryForm(QueryDict(search.query)).is_valid()
    ]
    assert refused == []


def test_the_mentor_mix_covers_2000_mentors_with_popular_ones_repeated():
    ids = list(range(1, 17_000))
    replay = querymix.mentor_mix(ids)
    counts = Counter(replay)
    assert len(counts) == 2500
    assert replay == querymix.mentor_mix(ids)
    assert max(counts.values()) > statistics.median(counts.values())
