"""The demo population of `seed_demo`: French people made from a seed, the same
for the same seed, within every constraint, never made twice."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import timedelta
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from faker import Faker

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from accounts.models import User
from mentors.choices import LANGUAGE_CODES, LEVEL_MAX, Mode, Region
from mentors.demo import (
    BASIC_SKILLS,
    DEMO_DOMAIN,
    PERSONAS,
    WORKPLACE_SKILLS,
    learner_seed,
    mentor_seed,
)
from mentors.models import (
    LearnerProfile,
    MentorProfile,
    MentorSkill,
    ProfileSearchWords,
    SearchWord,
)
from mentors.search import query_words
from mentors.selectors import mentor_profile_public_list
from mentors.services import mentor_profile_missing
from mentors.taxonomy import SKILLS
from sessions.models import Availability, BusyTime, DateException, Slot, WeeklyRule
from sessions.notes import activity_counts
from sessions.services import slot_summary_refresh

MENTORS, LEARNERS = 30, 50


def seed_demo(
    *, mentors: int = MENTORS, learners: int = LEARNERS, seed: int = 3
) -> str:
    out = StringIO()
    call_command(
        "seed_demo",
        mentors=mentors,
        learners=learners,
        seed=seed,
        verbosity=0,
        stdout=out,
    )
    return out.getvalue()


def population(seed: int | None = None):
    users = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
    if seed is not None:
        users = users.filter(email__regex=rf"^[ml]{seed}-")
    return users


def digest(seed: int) -> str:
    """What the people of a population are, timestamps and summaries that move
    with the clock left out."""
    users = population(seed)
    mentors = [
        (
            p.user.email,
            p.user.full_name,
            p.user.language,
            p.user.time_zone,
            p.status,
            p.headline,
            p.bio,
            p.languages,
            p.region,
            p.city,
            p.modes,
            p.capacity,
            p.draft,
            sorted((s.skill.code, s.level, s.years) for s in p.skills.all()),
            str(p.hours_mentored),
            str(p.rating_avg),
            p.rating_count,
        )
        for p in MentorProfile.objects.filter(user__in=users)
        .select_related("user")
        .prefetch_related("skills__skill")
        .order_by("user__email")
    ]
    learners = [
        (
            p.user.email,
            p.user.full_name,
            p.goals,
            p.situation,
            p.target_occupation,
            p.occupation_code,
            p.languages,
            p.region,
            p.modes,
            p.time_windows,
            sorted(
                (s.skill.code, s.current_level, s.target_level) for s in p.skills.all()
            ),
        )
        for p in LearnerProfile.objects.filter(user__in=users)
        .select_related("user")
        .prefetch_related("skills__skill")
        .order_by("user__email")
    ]
    text = json.dumps([mentors, learners], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


pytestmark = pytest.mark.django_db


def test_seed_demo_makes_the_mentors_and_learners_asked_for():
    output = seed_demo()

    assert f"mentors {MENTORS} created" in output
    assert f"learners {LEARNERS} created" in output
    assert MentorProfile.objects.filter(user__in=population()).count() == MENTORS
    assert LearnerProfile.objects.filter(user__in=population()).count() == LEARNERS
    assert population().count() == MENTORS + LEARNERS
    assert (
        EmailAddress.objects.filter(
            user__in=population(), verified=True, primary=True
        ).count()
        == MENTORS + LEARNERS
    )
    person = population().order_by("id").first()
    assert person.check_password(DEMO_PASSWORD)
    assert person.terms_version == settings.TERMS_VERSION
    assert person.terms_accepted_at is not None


def test_the_people_are_french_and_varied():
    seed_demo(mentors=60, learners=60)

    users = list(population())
    assert all(" " in user.full_name for user in users)
    assert len({user.full_name for user in users}) > 100
    assert {user.language for user in users} <= {"fr", "en"}
    mentors = MentorProfile.objects.filter(status=MentorProfile.Status.APPROVED)
    regions = [profile.region for profile in mentors]
    assert len(set(regions)) >= 5
    assert all(profile.languages[0] == "fr" for profile in mentors)
    assert 0.7 <= mentors.count() / 60 <= 0.97
    for profile in mentors.prefetch_related("skills__skill"):
        top = max(profile.skills.all(), key=lambda s: (s.level, s.years)).skill
        text = f"{profile.headline} {profile.bio}".lower()
        assert top.name_fr.lower() in text, (profile.headline, top.code)


def test_the_same_seed_makes_the_same_people_and_another_seed_others():
    seed_demo(seed=3)
    first = digest(3)
    emails_by_id = list(population(3).order_by("id").values_list("email", flat=True))

    population(3).delete()
    seed_demo(seed=3)

    assert digest(3) == first
    assert (
        list(population(3).order_by("id").values_list("email", flat=True))
        == emails_by_id
    )
    assert emails_by_id[:3] == [f"m3-{i}@{DEMO_DOMAIN}" for i in (1, 2, 3)]
    seed_demo(seed=4)
    assert digest(4) != first


def test_a_second_run_adds_no_one_and_a_bigger_one_tops_up_with_the_same_people():
    seed_demo()
    seed_demo()
    assert population().count() == MENTORS + LEARNERS

    output = seed_demo(mentors=MENTORS + 10, learners=LEARNERS + 5)

    assert f"mentors 10 created, {MENTORS} kept" in output
    assert f"learners 5 created, {LEARNERS} kept" in output
    topped_up = digest(3)
    population(3).delete()
    seed_demo(mentors=MENTORS + 10, learners=LEARNERS + 5)
    assert digest(3) == topped_up


def test_every_database_constraint_holds_and_profiles_are_valid():
    seed_demo(mentors=60, learners=60)

    with connection.cursor() as cursor:
        # Foreign keys are deferred to the commit: check them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    now = timezone.now()
    for user in population():
        user.full_clean(exclude=["password"])
    for profile in MentorProfile.objects.filter(user__in=population()):
        profile.full_clean(exclude=["user", "reviewed_by", "draft"])
        assert 1 <= profile.capacity <= 5
        assert set(profile.languages) <= LANGUAGE_CODES
        if profile.status == MentorProfile.Status.APPROVED:
            assert profile.charter_version == settings.MENTOR_CHARTER_VERSION
            assert (
                profile.charter_accepted_at
                <= profile.submitted_at
                <= profile.approved_at
                <= now
            )
            assert profile.user.date_joined <= profile.charter_accepted_at
            assert profile.draft is None
            assert 1 <= profile.skills.count() <= 5
            assert {s.level for s in profile.skills.all()} <= set(range(3, 9))
        else:
            # Never approved: nothing published, a complete working copy.
            assert profile.approved_at is None
            assert profile.headline == ""
            assert not profile.skills.exists()
            assert 1 <= len(profile.draft["skills"]) <= 5
            assert mentor_profile_missing(profile) == []
    for profile in LearnerProfile.objects.filter(user__in=population()):
        profile.full_clean(exclude=["user"])
        assert profile.goals
        assert set(profile.modes) <= set(Mode.values)
        assert all(0 <= hour <= 167 for hour in profile.time_windows)
        skills = list(profile.skills.all())
        assert 1 <= len(skills) <= 3
        for skill in skills:
            assert 0 <= skill.current_level <= 6
            assert skill.current_level < skill.target_level <= LEVEL_MAX


def test_demo_data_writes_no_summary_without_the_rows_behind_it():
    """Free slots and weekly availability come from real rules and slots (the
    figures ``slot_summary_refresh`` computes); hours given and people helped
    are those of the sessions settled as attended (the demo's attestation
    evidence gives a few mentors some); ratings have no rows behind them."""
    seed_demo()

    profiles = MentorProfile.objects.filter(user__in=population())
    assert profiles.count() == MENTORS
    with_slots = 0
    for profile in profiles:
        assert (profile.hours_mentored, profile.people_helped) == activity_counts(
            mentor_id=profile.user_id
        )
        assert (profile.rating_avg, profile.rating_count) == (None, 0)
        availability = Availability.objects.filter(mentor_profile=profile).first()
        if availability is None:
            assert profile.next_free_slot_at is None
            assert profile.free_slots_28d == 0
            assert bytes(profile.availability_bitmap) == bytes(21)
            assert profile.summary_updated_at is None
            assert not Slot.objects.filter(mentor=profile.user).exists()
            continue
        with_slots += profile.free_slots_28d > 0
        stored = _slot_summary(profile)
        # The figures as of the seed's clock, recomputed from the rows.
        slot_summary_refresh(mentor_profile_id=profile.pk, now=availability.updated_at)
        profile.refresh_from_db()
        assert _slot_summary(profile) == stored
    assert with_slots >= MENTORS // 2


def _slot_summary(profile: MentorProfile) -> tuple[object, ...]:
    return (
        profile.next_free_slot_at,
        profile.free_slots_7d,
        profile.free_slots_14d,
        profile.free_slots_28d,
        bytes(profile.availability_bitmap),
    )


def _busy_overlaps() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT count(*) FROM {BusyTime._meta.db_table} a
            JOIN {BusyTime._meta.db_table} b
              ON a.person_id = b.person_id AND a.id < b.id AND a.period && b.period
            """  # noqa: S608
        )
        return cursor.fetchone()[0]


def test_approved_mentors_offer_real_slots_in_varied_time_zones():
    seed_demo(mentors=120, learners=5)

    approved = MentorProfile.objects.filter(
        user__in=population(), status=MentorProfile.Status.APPROVED
    )
    availabilities = Availability.objects.filter(mentor_profile__in=approved)
    # Every approved mentor offering video or phone has an availability.
    assert availabilities.count() == approved.exclude(modes=["in_person"]).count()
    assert (
        not Availability.objects.exclude(mentor_profile__in=approved)
        .exclude(mentor_profile__user__email=DEMO_ACCOUNTS[1].email)
        .exists()
    )
    zones = Counter(availabilities.values_list("time_zone", flat=True))
    assert zones.most_common(1)[0][0] == "Europe/Paris"
    assert len(zones) >= 3
    assert WeeklyRule.objects.filter(availability__in=availabilities).count() >= (
        availabilities.count()
    )
    assert DateException.objects.filter(availability__in=availabilities).exists()
    slots = Slot.objects.filter(mentor__mentor_profile__in=approved)
    assert slots.count() > 5 * availabilities.count()
    now = timezone.now()
    for availability in availabilities.prefetch_related("rules")[:20]:
        rules = availability.rules.all()
        extra = set(
            availability.exceptions.filter(kind="extra").values_list("date", flat=True)
        )
        # (A booked slot may be a discovery session held weeks ago: the
        # bookings' tests look at those.)
        for slot in slots.filter(
            mentor_id=availability.mentor_profile.user_id, status="free"
        ):
            local = slot.start.astimezone(availability.zone)
            assert local.date() in extra or any(
                rule.weekday == local.weekday()
                and rule.start <= local.time() < rule.end
                for rule in rules
            )
            assert slot.end - slot.start == timedelta(
                minutes=availability.session_minutes
            )
            assert slot.start >= now - timedelta(minutes=5)
            assert slot.modes == availability.modes
    # Every slot has its busy time, widened by its buffer, and none overlap.
    busy = BusyTime.objects.filter(slot__in=slots).select_related("slot")
    assert busy.count() == slots.count()
    for b in busy[:200]:
        assert b.period.lower == b.slot.start
        assert b.period.upper == b.slot.end + timedelta(minutes=b.slot.buffer_minutes)
    assert _busy_overlaps() == 0


def test_a_second_run_adds_no_availability_and_keeps_the_slots():
    seed_demo()
    slots = set(Slot.objects.values_list("pk", "start"))
    rules = set(WeeklyRule.objects.values_list("pk", "weekday", "start", "end"))
    assert slots

    output = seed_demo()

    assert "demo availability: 0 mentors given one" in output
    assert set(Slot.objects.values_list("pk", "start")) == slots
    assert set(WeeklyRule.objects.values_list("pk", "weekday", "start", "end")) == rules
    assert _busy_overlaps() == 0


def test_the_same_seed_gives_the_same_weekly_rules():
    def rules() -> list[tuple[object, ...]]:
        return sorted(
            WeeklyRule.objects.filter(
                availability__mentor_profile__user__in=population(3)
            ).values_list(
                "availability__mentor_profile__user__email",
                "availability__time_zone",
                "availability__session_minutes",
                "weekday",
                "start",
                "end",
            )
        )

    seed_demo(seed=3)
    first = rules()
    assert first
    population(3).delete()
    seed_demo(seed=3)
    assert rules() == first


def test_approved_mentors_are_public_and_searchable():
    seed_demo()

    approved = MentorProfile.objects.filter(
        user__in=population(), status=MentorProfile.Status.APPROVED
    )
    assert approved.exists()
    public = mentor_profile_public_list().filter(user__in=population())
    assert set(public.values_list("pk", flat=True)) == set(
        approved.values_list("pk", flat=True)
    )
    assert not approved.filter(search_vector__isnull=True).exists()
    counted = ProfileSearchWords.objects.filter(profile__in=approved)
    assert counted.count() == approved.count()
    assert not counted.filter(words=[]).exists()
    # Their words are in the search lexicon, counted once per public profile.
    skill = MentorSkill.objects.filter(profile__in=approved).first().skill
    word = max(query_words(skill.name_fr), key=len)
    assert counted.filter(words__contains=[word]).exists()
    assert (
        SearchWord.objects.get(word=word).documents
        == ProfileSearchWords.objects.filter(
            profile__in=mentor_profile_public_list(), words__contains=[word]
        ).count()
    )


def test_the_default_run_keeps_the_demo_logins_and_adds_a_small_directory():
    call_command("seed_demo", verbosity=0, stdout=StringIO())
    call_command("seed_demo", verbosity=0, stdout=StringIO())

    assert User.objects.filter(
        email__in=[account.email for account in DEMO_ACCOUNTS]
    ).count() == len(DEMO_ACCOUNTS)
    # The population, and the demo mentor's and learner's own profiles.
    assert MentorProfile.objects.count() == 60 + 1
    assert LearnerProfile.objects.count() == 200 + 1
    staff = User.objects.get(is_staff=True)
    approved = MentorProfile.objects.filter(status=MentorProfile.Status.APPROVED)
    assert set(approved.values_list("reviewed_by", flat=True)) == {staff.pk}


def test_progress_is_shown_on_stderr():
    err = StringIO()

    call_command(
        "seed_demo", mentors=5, learners=5, seed=9, stdout=StringIO(), stderr=err
    )

    assert "mentors" in err.getvalue()
    assert "100% 5/5" in err.getvalue()


def test_a_negative_count_is_refused():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--mentors", "-1")


# --- the generators alone (no database) ---------------------------------------


@pytest.mark.django_db(False)
def test_a_person_depends_only_on_the_seed_and_index():
    assert mentor_seed(Faker("fr_FR"), seed=5, index=12) == mentor_seed(
        Faker("fr_FR"), seed=5, index=12
    )
    assert learner_seed(Faker("fr_FR"), seed=5, index=12) == learner_seed(
        Faker("fr_FR"), seed=5, index=12
    )
    assert mentor_seed(Faker("fr_FR"), seed=5, index=12) != mentor_seed(
        Faker("fr_FR"), seed=6, index=12
    )


@pytest.mark.django_db(False)
def test_generated_content_fits_the_profile_fields():
    fake = Faker("fr_FR")
    for index in range(1, 500):
        mentor = mentor_seed(fake, seed=1, index=index)
        assert len(mentor.headline) <= 120
        assert 50 <= len(mentor.bio) <= 5000
        assert mentor.person.full_name.strip()
        learner = learner_seed(fake, seed=1, index=index)
        assert len(learner.goals) <= 3000
        assert len(learner.target_occupation) <= 150


@pytest.mark.django_db(False)
def test_regions_follow_the_population_and_languages_start_with_french():
    fake = Faker("fr_FR")
    people = [learner_seed(fake, seed=2, index=i).person for i in range(1, 2001)]

    regions = Counter(person.region for person in people)
    assert regions.most_common(1)[0][0] == Region.ILE_DE_FRANCE
    assert regions[Region.ILE_DE_FRANCE] > 5 * regions[Region.CORSE]
    assert all(person.languages[0] == "fr" for person in people)
    assert 0.6 < sum(p.languages == ["fr"] for p in people) / len(people) < 0.9
    overseas = [p for p in people if p.region == Region.LA_REUNION]
    assert overseas
    assert {p.time_zone for p in overseas} == {"Indian/Reunion"}


@pytest.mark.django_db(False)
def test_every_skill_named_is_in_the_taxonomy():
    codes = {spec.code for spec in SKILLS}
    for persona in PERSONAS:
        assert set(persona.skills) <= codes, persona.title_m
    assert set(WORKPLACE_SKILLS) | set(BASIC_SKILLS) <= codes
