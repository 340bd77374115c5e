from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.services import user_deactivate
from core.personal_data import personal_data_erase
from mentors.forms import DirectoryForm, _skill_choices
from mentors.models import MentorProfile, MentorSkill, Skill
from mentors.search import mentor_search_refresh
from mentors.selectors import mentor_profile_page_row, mentor_profile_public_list
from mentors.services import block_create
from tests.factories import UserFactory
from tests.gates.cast import approved_mentor_profile

pytestmark = pytest.mark.django_db


def make_mentor(
    name: str,
    headline: str,
    *,
    skills: tuple[tuple[str, int], ...] = (("python", 6),),
    languages: tuple[str, ...] = ("fr",),
    region: str = "11",
    city: str = "",
    modes: tuple[str, ...] = ("video",),
    bio: str = "J'accompagne pas à pas, avec patience et des exemples concrets.",
    free: tuple[int, int, int] = (0, 0, 0),
    approved_days_ago: int = 1,
    status: str = "approved",
) -> MentorProfile:
    now = timezone.now()
    profile = MentorProfile.objects.create(
        user=UserFactory(full_name=name),
        headline=headline,
        bio=bio,
        languages=list(languages),
        region=region,
        city=city,
        modes=list(modes),
        status=status,
        approved_at=now - timedelta(days=approved_days_ago)
        if status == "approved"
        else None,
        charter_version="2026-11",
        charter_accepted_at=now,
        free_slots_7d=free[0],
        free_slots_14d=free[1],
        free_slots_28d=free[2],
        # Consistent with the counts: a slot within 7 days if there are any…
        next_free_slot_at=(
            now + timedelta(days=2 if free[0] else 10 if free[1] else 20)
            if free[2]
            else None
        ),
    )
    for code, level in skills:
        MentorSkill.objects.create(
            profile=profile, skill=Skill.objects.get(code=code), level=level
        )
    mentor_search_refresh(profile_ids=[profile.pk])
    return profile


@pytest.fixture
def mentors():
    return {
        "web": make_mentor(
            "Élodie Garnier",
            "Développement web et formations pour débutants",
            skills=(("web-frontend", 7), ("javascript", 6)),
            languages=("fr", "en"),
            region="53",
            modes=("video", "in_person"),
            free=(2, 4, 6),
        ),
        "sheets": make_mentor(
            "Bernard Lefèvre",
            "Tableurs et bureautique sans stress",
            skills=(("spreadsheets", 6),),
            region="76",
            modes=("phone",),
            free=(0, 1, 3),
            approved_days_ago=10,
        ),
        "python": make_mentor(
            "Yasmine Haddad",
            "Python pour l'analyse de données",
            skills=(("python", 8), ("data-analysis", 6)),
            languages=("fr", "ar"),
            region="11",
            approved_days_ago=5,
        ),
    }


def names(response) -> list[str]:
    return [card["profile"].user.full_name for card in response.context["cards"]]


def search(client, **params):
    response = client.get(reverse("mentors:directory"), params)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("formations", "Élodie Garnier"),  # stemmed: the headline says "formations"
        ("formation", "Élodie Garnier"),
        ("developpement", "Élodie Garnier"),  # no accents typed
        ("Développement web", "Élodie Garnier"),
        ("tableur", "Bernard Lefèvre"),
        ("pyhton", "Yasmine Haddad"),  # a typo
        ("lefevre", "Bernard Lefèvre"),  # a name, without its accent
        ("données", "Yasmine Haddad"),
    ],
)
def test_french_aware_search(client, mentors, q, expected):
    assert names(search(client, q=q))[0] == expected


def test_a_search_without_a_match_says_so(client, mentors):
    response = search(client, q="astrophysique quantique")

    assert names(response) == []
    assert (
        "Aucun" in response.content.decode() or "No mentor" in response.content.decode()
    )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"skill": "spreadsheets"}, ["Bernard Lefèvre"]),
        ({"skill": "python", "min_level": "7"}, ["Yasmine Haddad"]),
        ({"skill": "python", "min_level": "9"}, None),
        ({"min_level": "7"}, ["Élodie Garnier", "Yasmine Haddad"]),
        ({"language": "ar"}, ["Yasmine Haddad"]),
        ({"language": "en"}, ["Élodie Garnier"]),
        ({"region": "76"}, ["Bernard Lefèvre"]),
        ({"mode": "phone"}, ["Bernard Lefèvre"]),
        ({"mode": "in_person", "region": "53"}, ["Élodie Garnier"]),
        ({"available_within_days": "7"}, ["Élodie Garnier"]),
        ({"available_within_days": "14"}, ["Bernard Lefèvre", "Élodie Garnier"]),
    ],
)
def test_each_filter(client, mentors, params, expected):
    response = search(client, **params)

    if expected is None:
        assert response.context["page"] is None
        assert response.context["form"].errors
    else:
        assert sorted(names(response)) == sorted(expected)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"skill": "knitting"}, "skill"),
        ({"region": "99"}, "region"),
        ({"language": "xx"}, "language"),
        ({"mode": "telepathy"}, "mode"),
        ({"available_within_days": "3"}, "available_within_days"),
        ({"sort": "random"}, "sort"),
        ({"page": "0"}, "page"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_unknown_filter_values_are_explained_not_ignored(
    client, mentors, params, field
):
    response = search(client, **params)

    assert response.context["page"] is None
    assert field in response.context["form"].errors


def test_sorts(client, mentors):
    assert names(search(client, sort="newest")) == [
        "Élodie Garnier",
        "Yasmine Haddad",
        "Bernard Lefèvre",
    ]
    # Élodie has a slot within 7 days, Bernard within 14, Yasmine none (last).
    assert names(search(client, sort="soonest")) == [
        "Élodie Garnier",
        "Bernard Lefèvre",
        "Yasmine Haddad",
    ]


def test_only_public_mentors_are_listed(client, mentors):
    draft = make_mentor("Didier Brouillon", "Python en brouillon", status="draft")
    submitted = make_mentor("Sophie Attente", "Python en attente", status="submitted")
    hidden = make_mentor("Hugo Cache", "Python caché")
    hidden.is_published = False
    hidden.save()
    hidden_by_staff = make_mentor("Inès Masquée", "Python masqué")
    hidden_by_staff.hidden_by_staff_at = timezone.now()
    hidden_by_staff.save()
    inactive = make_mentor("Paul Parti", "Python parti")
    inactive.user.is_active = False
    inactive.user.save()
    unverified = make_mentor("Rémi Nonvérifié", "Python non vérifié")
    unverified.user.emailaddress_set.update(verified=False)

    listed = names(search(client, skill="python"))

    assert listed == ["Yasmine Haddad"]
    for profile in (draft, submitted, hidden, hidden_by_staff, inactive, unverified):
        assert (
            client.get(reverse("mentors:detail", args=[profile.pk])).status_code == 404
        )


def test_blocked_mentors_are_never_listed_either_way(client, mentors):
    viewer = UserFactory()
    block_create(blocker=viewer, blocked=mentors["sheets"].user)
    block_create(blocker=mentors["python"].user, blocked=viewer)
    client.force_login(viewer)

    assert names(search(client)) == ["Élodie Garnier"]


def test_pages_without_counting(client):
    for index in range(25):
        make_mentor(f"Mentor Numéro {index}", "Python", approved_days_ago=index + 1)

    first = search(client)
    second = search(client, page="2")

    assert len(first.context["cards"]) == 20
    assert first.context["page"].has_next
    assert len(second.context["cards"]) == 5
    assert not second.context["page"].has_next
    assert "page=2" in first.content.decode()


def test_htmx_gets_only_the_results(client, mentors):
    response = client.get(
        reverse("mentors:directory"), {"q": "python"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "<html" not in html


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("how_many", [10, 1000])
def test_query_counts_are_pinned(client, how_many):
    users = UserFactory.create_batch(how_many)
    python = Skill.objects.get(code="python")
    now = timezone.now()
    profiles = MentorProfile.objects.bulk_create(
        MentorProfile(
            user=user,
            headline="Python et données",
            languages=["fr"],
            region="11",
            modes=["video"],
            status="approved",
            approved_at=now,
            charter_version="2026-11",
            charter_accepted_at=now,
        )
        for user in users
    )
    MentorSkill.objects.bulk_create(
        MentorSkill(profile=p, skill=python, level=5) for p in profiles
    )
    mentor_search_refresh()
    client.force_login(UserFactory())

    cache.clear()  # cold: nothing from an earlier test
    caches["local"].clear()
    caches["cards"].clear()
    caches["queries"].clear()
    _skill_choices.cache_clear()
    directory_url = reverse("mentors:directory") + "?q=python&language=fr&mode=video"
    page_url = reverse("mentors:detail", args=[profiles[0].pk])
    directory_cold = _count_queries(client, directory_url)
    page_cold = _count_queries(client, page_url)
    directory = _count_queries(client, directory_url)
    page = _count_queries(client, page_url)

    # Cold: the session with its person (and the header's unread
    # notifications: one query), the mentor-data version with the viewer's
    # blocks (one query), the form's skill list, the query's words against the
    # search lexicon, the filters' statistics (read once per process every ten
    # minutes), the page (one word: one tier, its window's ids then their
    # ranking, two queries), the skills' names for the cards (once per process
    # and mentor-data version); warm, the skill list and
    # the results come from the cache. Mentor page: the session with its
    # person, the profile
    # with its visibility (one query), its availability (zone, time commitment
    # and its next free slots: one query), whether the mentor shows any
    # attestation (certification's panel; one more to read them when they
    # do), then its skills when its public part is not cached.
    assert directory_cold <= 8
    assert page_cold <= 5
    assert (directory_cold, directory) == (8, 2)
    assert (page_cold, page) == (5, 4)

    # With the query caches off, another search showing the same mentors:
    # the session with its person, version and blocks, the words against the
    # lexicon, the page (its window's ids, then their ranking); the skill list and the
    # cards (their skills too) come from the entity caches.
    other_url = reverse("mentors:directory") + "?q=donnees&language=fr"
    with override_settings(SEARCH_QUERY_CACHES=False):
        assert _count_queries(client, other_url) == 5


def api_get(client, path="/api/v1/mentors/", **params):
    return client.get(path, params, HTTP_ACCEPT="application/json")


def test_api_directory_searches_and_filters(client, mentors):
    body = api_get(client, search="developpement", language="en").json()

    assert [m["full_name"] for m in body["results"]] == ["Élodie Garnier"]
    card = body["results"][0]
    assert card["skills"][0] == {
        "skill": "web-frontend",
        "name": card["skills"][0]["name"],
        "level": 7,
        "years": 0,
    }
    assert "email" not in str(body)
    assert body["next"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"skil": "python"}, "skil"),
        ({"q": "python"}, "q"),
        ({"skill": "knitting"}, "skill"),
        ({"min_level": "9"}, "min_level"),
        ({"language": "xx"}, "language"),
        ({"region": "99"}, "region"),
        ({"mode": "fax"}, "mode"),
        ({"available_within_days": "3"}, "available_within_days"),
        ({"sort": "random"}, "sort"),
        ({"page": "0"}, "page"),
    ],
)
def test_api_refuses_unknown_parameters_and_values(client, mentors, params, field):
    response = api_get(client, **params)

    assert response.status_code == 400
    assert field in response.json()


def test_api_hides_what_the_pages_hide(client, mentors):
    draft = make_mentor("Didier Brouillon", "Python en brouillon", status="draft")
    viewer = UserFactory()
    block_create(blocker=mentors["python"].user, blocked=viewer)
    client.force_login(viewer)

    listed = [m["id"] for m in client.get("/api/v1/mentors/").json()["results"]]

    assert mentors["python"].pk not in listed
    assert draft.pk not in listed
    assert client.get(f"/api/v1/mentors/{mentors['python'].pk}/").status_code == 404
    assert client.get(f"/api/v1/mentors/{draft.pk}/").status_code == 404
    assert client.get(f"/api/v1/mentors/{mentors['web'].pk}/").status_code == 200


def test_api_pages_link_to_each_other(client):
    for index in range(22):
        make_mentor(f"Mentor Numéro {index}", "Python", approved_days_ago=index + 1)

    first = client.get("/api/v1/mentors/", {"skill": "python"}).json()
    second = client.get(first["next"]).json()

    assert len(first["results"]) == 20
    assert first["previous"] is None
    assert "skill=python" in first["next"]
    assert len(second["results"]) == 2
    assert second["next"] is None


def test_back_button_restores_the_whole_page_and_caches_keep_versions_apart(
    client, mentors
):
    restore = client.get(
        reverse("mentors:directory"),
        {"q": "python"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )

    assert "<html" in restore.content.decode()
    assert "HX-Request" in restore["Vary"]


def _breaks(condition: str):
    """A profile public but for this one condition of the rule."""
    user = UserFactory(
        is_active=condition != "owner_active",
        verified=condition != "owner_email_verified",
    )
    profile = approved_mentor_profile(user)
    if condition == "approved":
        profile.approved_at = None
    elif condition == "published":
        profile.is_published = False
    elif condition == "not_hidden_by_staff":
        profile.hidden_by_staff_at = timezone.now()
    profile.save()
    return profile


BROKEN_CONDITIONS = [
    "approved",
    "published",
    "not_hidden_by_staff",
    "owner_active",
    "owner_email_verified",
]


def test_every_condition_of_the_public_rule_has_a_case_here():
    # A condition added to the rule must come with a case below, which then
    # holds the plain-SQL copy to it.
    assert sorted(MentorProfile.objects.public_conditions()) == sorted(
        BROKEN_CONDITIONS
    )


def test_the_mentor_page_query_sees_what_the_public_list_sees():
    """The page's one-query visibility (plain SQL) against the ORM's rule,
    condition by condition."""
    viewer = UserFactory()
    public = approved_mentor_profile(UserFactory())
    broken = {condition: _breaks(condition) for condition in BROKEN_CONDITIONS}
    blocking = approved_mentor_profile(UserFactory())
    blocked = approved_mentor_profile(UserFactory())
    block_create(blocker=blocking.user, blocked=viewer)
    block_create(blocker=viewer, blocked=blocked.user)
    profiles = [public, *broken.values()]

    for profile in [*profiles, blocking, blocked]:
        found = mentor_profile_page_row(profile_id=profile.pk, viewer_id=viewer.pk)
        assert found is not None
        row, is_public, is_blocked = found
        listed = mentor_profile_public_list().filter(pk=profile.pk).exists()
        assert is_public == listed, profile
        assert is_blocked == (profile in (blocking, blocked))
        assert (row.user.full_name, row.headline) == (
            profile.user.full_name,
            profile.headline,
        )
    # Each broken profile fails exactly its own condition, and the rule.
    for condition, profile in broken.items():
        failing = [
            name
            for name, q in MentorProfile.objects.public_conditions().items()
            if not MentorProfile.objects.filter(q, pk=profile.pk).exists()
        ]
        assert failing == [condition]
    assert [p for p in profiles if mentor_profile_public_list().filter(pk=p.pk)] == [
        public
    ]
    assert mentor_profile_page_row(profile_id=0, viewer_id=None) is None


def test_a_cached_page_forgets_a_mentor_deactivated_or_erased(
    client, mentors, django_capture_on_commit_callbacks
):
    # The results are cached whole; any of these changes moves the version
    # once committed.
    url = reverse("mentors:directory")
    assert "Yasmine Haddad" in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        user_deactivate(user=mentors["python"].user)
    assert "Yasmine Haddad" not in client.get(url).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        personal_data_erase(user=mentors["web"].user)
    assert "Élodie Garnier" not in client.get(url).content.decode()
    assert "Bernard Lefèvre" in client.get(url).content.decode()


# A search's address holds no empty parameter (a form sends every field).


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=&region=&mode=video&page=2", "/mentors/?mode=video&page=2"),
        ("?q=tableur&skill=&min_level=&sort=", "/mentors/?q=tableur"),
        ("?q=%20%20&region=", "/mentors/"),
        # A refused value is kept: the page then explains it.
        ("?region=99&mode=", "/mentors/?region=99"),
    ],
)
def test_a_search_with_empty_fields_redirects_to_the_same_search_without_them(
    client, query, expected
):
    response = client.get(reverse("mentors:directory") + query)

    assert response.status_code == 302
    assert response["Location"] == expected
    # A cache never serves it for the htmx request of the same address.
    assert "HX-Request" in response["Vary"]


def test_a_search_without_empty_fields_is_served_at_once(client, mentors):
    response = client.get(reverse("mentors:directory") + "?q=tableur&page=1")

    assert response.status_code == 200
    assert "HX-Push-Url" not in response


def test_htmx_gets_the_results_at_once_and_the_address_to_show(client, mentors):
    # htmx sends the whole form as typed: no second round trip for it.
    response = client.get(
        reverse("mentors:directory") + "?q=tableur&skill=&region=&mode=",
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section id="results"')
    assert response["HX-Push-Url"] == "/mentors/?q=tableur"
    assert names(response) == ["Bernard Lefèvre"]


def test_a_history_restore_with_empty_fields_is_redirected_too(client, mentors):
    response = client.get(
        reverse("mentors:directory") + "?q=tableur&region=",
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )

    assert response.status_code == 302
    assert response["Location"] == "/mentors/?q=tableur"


# The results summary: exact when the page is the last one, "more than"
# otherwise, and never a COUNT.


def summary(response) -> str:
    html = response.content.decode()
    start = html.index('<p class="results-summary">')
    return html[start : html.index("</p>", start)].split(">", 1)[1]


def test_the_summary_says_more_than_a_page_without_counting(client):
    for index in range(25):
        make_mentor(f"Mentor Numéro {index}", "Python", approved_days_ago=index + 1)

    with CaptureQueriesContext(connection) as queries:
        first = search(client)
    second = search(client, page="2")

    assert summary(first) == "Plus de 20 mentors"
    assert not any("COUNT(" in q["sql"].upper() for q in queries)
    assert summary(second).startswith("25 mentors")
    assert "mentors 21 à 25 sur cette page" in summary(second)


@pytest.mark.parametrize(
    ("params", "expected"), [({}, "3 mentors"), ({"region": "76"}, "1 mentor")]
)
def test_the_summary_counts_a_short_list_exactly(client, mentors, params, expected):
    assert summary(search(client, **params)) == expected


def test_no_result_says_so_and_what_to_do_next(client, mentors):
    response = search(client, q="astrophysique", region="11", mode="video")
    html = response.content.decode()

    assert "Aucun mentor ne correspond à votre recherche." in html
    assert "Vérifiez l'orthographe" in html
    # Each filter can be taken away by a plain link (no script), keeping the rest.
    assert '<a href="?q=astrophysique&amp;mode=video">Retirer' in html
    assert "Région\u00a0: Île-de-France" in html
    assert '<a href="?q=astrophysique&amp;region=11">Retirer' in html
    assert f'<a href="{reverse("mentors:directory")}">Voir tous les mentors</a>' in html


def test_a_page_past_the_last_one_links_back_to_the_first(client, mentors):
    html = search(client, q="python", page="3").content.decode()

    assert "Il n'y a pas d'autres mentors pour cette recherche." in html
    assert '<a href="?q=python">Revenir à la première page</a>' in html


# The form: the search box, then the filters in a panel that folds on small
# screens (a <details>), naming the chosen ones.


def filters_panel(response) -> str:
    html = response.content.decode()
    start = html.index('<details class="directory-filters"')
    return html[start : html.index("</details>", start)]


def test_the_filters_panel_is_folded_and_names_the_chosen_filters(client, mentors):
    panel = filters_panel(search(client, region="53", mode="video"))

    assert panel.startswith('<details class="directory-filters">')
    summary_html = panel[panel.index("<summary>") : panel.index("</summary>")]
    assert "Filtres" in summary_html
    assert "Bretagne, Visio" in summary_html
    for name in DirectoryForm.FILTER_FIELDS:
        assert f'name="{name}"' in panel
    assert 'name="q"' not in panel


def test_the_filters_panel_opens_on_a_refused_filter(client, mentors):
    panel = filters_panel(search(client, region="99"))

    assert panel.startswith('<details class="directory-filters" open>')
    assert "Sélectionnez un choix valide" in panel


def test_a_new_search_starts_at_the_first_page(client, mentors):
    # The form carries no page: changing a filter on page 2 shows page 1.
    html = search(client, q="python", page="2").content.decode()
    form = html[html.index('<form method="get"') : html.index("</form>")]

    assert 'name="page"' not in form
