"""The search lexicon counts the words of public profiles: every change that
makes a profile public or not, or changes its words, adjusts the counts in its
own transaction; the nightly rebuild finds the same counts, and repairs what no
refresh was called for."""

from __future__ import annotations

import threading

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.services import user_deactivate
from compagnonnage.celery import app
from core.personal_data import personal_data_erase
from mentors.models import (
    MentorProfile,
    ProfileSearchWords,
    Report,
    SearchPosting,
    SearchWord,
    Skill,
)
from mentors.search import mentor_search_refresh, search_lexicon_rebuild
from mentors.services import (
    mentor_profile_set_published,
    report_handle,
    skill_save,
)
from mentors.tasks import rebuild_search_lexicon_task, refresh_mentor_search_task
from tests.factories import UserFactory
from tests.mentors.helpers import make_approved_mentor
from tests.mentors.test_directory import BROKEN_CONDITIONS, _breaks, make_mentor

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return dict(SearchWord.objects.values_list("word", "documents"))


def lexicon() -> dict[str, tuple[str, int]]:
    return {w.word: (w.stem, w.documents) for w in SearchWord.objects.all()}


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


def test_approval_counts_the_profile_s_words(client, staff):
    make_approved_mentor(
        client, UserFactory(full_name="Gwenaëlle Kerbrat"), staff, city="Quimper"
    )
    assert counts()["quimper"] == 1
    assert counts()["kerbrat"] == 1  # the name, unaccented, lower case
    assert counts()["gwenaelle"] == 1
    assert counts()["python"] == 1  # the skill's names
    assert "de" not in counts()  # French stop-words: the full text ignores them

    make_approved_mentor(client, UserFactory(full_name="Yann Le Goff"), staff)

    assert counts()["python"] == 2
    assert counts()["quimper"] == 1
    stem, documents = lexicon()["developpeuse"]
    assert (stem, documents) == ("developp", 2)


def test_a_profile_not_yet_approved_counts_no_word():
    make_mentor("Didier Brouillon", "Quadrature en brouillon", status="draft")
    make_mentor("Sophie Attente", "Quadrature en attente", status="submitted")

    assert "quadrature" not in counts()


@pytest.mark.parametrize("condition", BROKEN_CONDITIONS)
def test_the_lexicon_counts_exactly_the_profiles_the_directory_shows(condition):
    # The refresh compiles the ORM's rule; each condition alone keeps a profile out.
    public = _breaks("none")
    broken = _breaks(condition)
    mentor_search_refresh(profile_ids=[public.pk, broken.pk])

    words = dict(ProfileSearchWords.objects.values_list("profile_id", "words"))
    assert words[public.pk]
    assert words.get(broken.pk, []) == []
    assert counts()["python"] == 1


def test_unpublishing_takes_the_words_back_and_publishing_again_returns_them():
    profile = make_mentor("Quentin Ardoise", "Ardoisier numérique")
    assert counts()["ardoisier"] == 1

    mentor_profile_set_published(user=profile.user, published=False)
    assert "ardoisier" not in counts()
    assert "ardoise" not in counts()

    mentor_profile_set_published(user=profile.user, published=True)
    assert counts()["ardoisier"] == 1


def test_hidden_by_staff_on_a_report_the_words_leave(staff):
    profile = make_mentor("Quentin Ardoise", "Ardoisier numérique")
    make_mentor("Paul Ardoisier", "Couvreur")
    report = Report.objects.create(
        reporter=UserFactory(), reported_user=profile.user, reason="spam"
    )

    report_handle(report=report, staff=staff, action="hide", decision="…")

    assert counts()["ardoisier"] == 1  # Paul's name
    assert "numerique" not in counts()


def test_a_deactivated_account_s_words_leave_and_come_back(staff):
    profile = make_mentor("Quentin Ardoise", "Ardoisier numérique")

    user_deactivate(user=profile.user)
    assert "ardoisier" not in counts()

    profile.user.is_active = True
    profile.user.save()
    mentor_search_refresh(user_ids=[profile.user_id])
    assert counts()["ardoisier"] == 1


def test_an_erased_account_s_words_leave():
    profile = make_mentor("Quentin Ardoise", "Ardoisier numérique")
    make_mentor("Rose Ardoisier", "Couvreuse")

    personal_data_erase(user=profile.user)

    assert not MentorProfile.objects.filter(pk=profile.pk).exists()
    assert counts()["ardoisier"] == 1
    assert "quentin" not in counts()


def test_a_new_name_replaces_the_old_one():
    profile = make_mentor("Quentin Ardoise", "Graphiste")
    profile.user.full_name = "Quentin Schiste"
    profile.user.save()

    refresh_mentor_search_task(profile.user_id)

    assert "ardoise" not in counts()
    assert counts()["schiste"] == 1


def test_a_skill_renamed_is_counted_under_its_new_name():
    make_mentor("Quentin Ardoise", "Graphiste", skills=(("graphic-design", 6),))
    skill = Skill.objects.get(code="graphic-design")
    skill.name_fr = "Création graphique et mise en page"

    skill_save(skill=skill)

    assert counts()["creation"] == 1
    assert counts()["page"] == 1
    assert "graphisme" not in counts()


def _through_every_change(client, staff) -> list[MentorProfile]:
    """Approvals, a hidden profile, a deactivated account, a rename, a skill
    renamed, an erased account: the incremental way."""
    first = make_approved_mentor(client, UserFactory(full_name="Anne Abgrall"), staff)
    second = make_approved_mentor(
        client, UserFactory(full_name="Bruno Bihan"), staff, city="Brest"
    )
    third = make_mentor("Carla Cozic", "Graphiste", skills=(("graphic-design", 5),))
    fourth = make_mentor("Denis Daniel", "Tableurs", skills=(("spreadsheets", 5),))
    fifth = make_mentor("Erwan Even", "Réseaux", skills=(("network-admin", 5),))
    mentor_profile_set_published(user=second.user, published=False)
    user_deactivate(user=third.user)
    fourth.user.full_name = "Denise Daniel"
    fourth.user.save()
    refresh_mentor_search_task(fourth.user_id)
    skill = Skill.objects.get(code="python")
    skill.name_en = "Python coding"
    skill_save(skill=skill)
    personal_data_erase(user=fifth.user)
    return [first, second, third, fourth]


def test_the_nightly_rebuild_finds_what_the_incremental_updates_left(client, staff):
    _through_every_change(client, staff)
    incremental = lexicon()
    assert incremental["coding"][1] == 1  # Anne's skill; Bruno's is hidden
    assert incremental["denise"][1] == 1
    assert "bruno" not in incremental
    assert "carla" not in incremental

    assert search_lexicon_rebuild() == (0, 0)
    assert lexicon() == incremental

    # From nothing, reading every document again: the same lexicon.
    assert _from_nothing() == incremental


def _from_nothing() -> dict[str, tuple[str, int]]:
    SearchWord.objects.all().delete()
    ProfileSearchWords.objects.all().delete()
    changed, fixed = search_lexicon_rebuild(full=True)
    public = MentorProfile.objects.public().count()
    assert (changed, fixed) == (public, 0)  # the refreshes counted every word
    return lexicon()


def test_the_nightly_rebuild_repairs_what_no_refresh_was_called_for(client, staff):
    first, *_others = _through_every_change(client, staff)
    # A count changed by hand, a word nobody has, and an e-mail address no
    # longer verified (nothing refreshes the profile for that).
    SearchWord.objects.filter(word="denise").update(documents=7)
    SearchWord.objects.create(word="fantome", stem="fantom", documents=3)
    EmailAddress.objects.filter(user=first.user).update(verified=False)

    changed, fixed = search_lexicon_rebuild()

    assert changed == 1  # Anne, no longer public
    assert fixed == 2  # "denise" counted again, "fantome" gone
    assert "abgrall" not in counts()
    assert "fantome" not in counts()
    assert counts()["denise"] == 1
    repaired = lexicon()
    assert _from_nothing() == repaired


def test_the_nightly_task_is_scheduled_and_moves_the_version_only_on_change(
    django_capture_on_commit_callbacks,
):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "mentors.tasks.rebuild_search_lexicon_task" in scheduled
    app.loader.import_default_modules()
    assert "mentors.tasks.rebuild_search_lexicon_task" in app.tasks
    make_mentor("Quentin Ardoise", "Ardoisier")

    with django_capture_on_commit_callbacks() as callbacks:
        assert rebuild_search_lexicon_task() == {
            "profiles_changed": 0,
            "lexicon_rows_fixed": 0,
            "postings_fixed": 0,
        }
    assert not callbacks

    # Postings that drifted from the profiles (written around the triggers).
    SearchPosting.objects.all().delete()
    with django_capture_on_commit_callbacks() as callbacks:
        assert rebuild_search_lexicon_task()["postings_fixed"] > 0
    assert callbacks


@pytest.mark.django_db(transaction=True)
def test_two_refreshes_sharing_words_at_once_count_both():
    """Two approvals at the same moment, of profiles with the same words: the
    second waits for the first's lexicon rows (locked in one order, so never a
    deadlock) and both are counted."""
    profiles = [
        MentorProfile.objects.create(
            user=UserFactory(),
            headline="Ardoisier numérique et couvreur",
            status="approved",
            approved_at=timezone.now(),
            charter_version="2026-11",
            charter_accepted_at=timezone.now(),
        )
        for _ in range(2)
    ]
    inside = threading.Barrier(2, timeout=30)
    errors: list[BaseException] = []

    def refresh(profile_id: int) -> None:
        try:
            with transaction.atomic():
                inside.wait()  # both transactions open before either refreshes
                mentor_search_refresh(profile_ids=[profile_id])
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=refresh, args=(profile.pk,)) for profile in profiles
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert not errors
    assert counts()["ardoisier"] == 2
    assert counts()["couvreur"] == 2
