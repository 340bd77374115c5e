from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from accounts.models import User
from certification.signing_keys import keys_file_ensure
from matching.models import MatchSuggestion, Mentorship, MentorshipRequest, Message
from mentors.models import LearnerProfile, MentorProfile
from mentors.selectors import mentor_profile_public_list
from mentors.services import learner_profile_missing
from sessions.models import BusyTime, Slot

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_verified_demo_logins_and_is_idempotent():
    call_command("seed_demo")
    call_command("seed_demo")

    for account in DEMO_ACCOUNTS:
        user = User.objects.get(email=account.email)
        assert user.check_password(DEMO_PASSWORD)
        assert user.is_staff == account.is_staff
        assert (
            EmailAddress.objects.filter(user=user, verified=True, primary=True).count()
            == 1
        )
    # Beside them, the demo population (tests/mentors/test_seed_demo.py), once.
    assert User.objects.count() == len(DEMO_ACCOUNTS) + 60 + 200


def _story(learner: User, mentor: User) -> dict[str, object]:
    """What the two demo logins have, to compare two runs."""
    return {
        "learner_requests": sorted(
            MentorshipRequest.objects.filter(learner=learner).values_list(
                "pk", "status"
            )
        ),
        "mentor_requests": sorted(
            MentorshipRequest.objects.filter(mentor=mentor).values_list("pk", "status")
        ),
        "mentorships": sorted(
            Mentorship.objects.filter(learner=learner).values_list("pk", "status")
        ),
        "messages": Message.objects.filter(mentorship__learner=learner).count(),
        "profiles": (
            LearnerProfile.objects.filter(user=learner).count(),
            MentorProfile.objects.filter(user=mentor).count(),
        ),
        "suggestions": MatchSuggestion.objects.filter(learner=learner).count(),
    }


def test_the_demo_logins_show_a_product_in_use(client):
    call_command("seed_demo", verbosity=0)
    learner = User.objects.get(email=DEMO_ACCOUNTS[0].email)
    mentor = User.objects.get(email=DEMO_ACCOUNTS[1].email)
    first = _story(learner, mentor)
    call_command("seed_demo", verbosity=0)

    assert _story(learner, mentor) == first  # a second run adds nothing
    # The learner: a complete profile, suggestions, a request waiting for
    # another mentor and an active mentorship with the demo mentor.
    profile = LearnerProfile.objects.get(user=learner)
    assert learner_profile_missing(profile) == []
    assert first["suggestions"] > 0
    waiting = MentorshipRequest.objects.get(learner=learner, status="pending")
    assert waiting.mentor_id != mentor.pk
    together = Mentorship.objects.get(learner=learner, mentor=mentor)
    assert together.status == Mentorship.Status.ACTIVE
    assert together.messages.count() >= 3
    assert {m.author_id for m in together.messages.all()} == {learner.pk, mentor.pk}
    # The mentor: a public profile and requests from other people to answer.
    assert mentor_profile_public_list().filter(user=mentor).exists()
    assert (
        MentorshipRequest.objects.filter(mentor=mentor, status="pending")
        .exclude(learner=learner)
        .count()
        >= 2
    )
    # The mentor offers Tuesday and Thursday evenings and Saturday mornings:
    # real slots, and the summary the directory shows says so.
    mentor_profile = MentorProfile.objects.get(user=mentor)
    assert sorted(
        mentor_profile.availability.rules.values_list("weekday", flat=True)
    ) == [1, 3, 5]
    # (A workshop held five days ago, not full, stays "free": its seats are past.)
    free = Slot.objects.filter(mentor=mentor, status="free", start__gt=timezone.now())
    assert free.count() >= 10
    assert mentor_profile.next_free_slot_at == min(s.start for s in free)
    assert mentor_profile.free_slots_28d > 0
    # Each slot, free or booked, is busy time for the mentor.
    assert BusyTime.objects.filter(person=mentor, slot__isnull=False).count() == (
        Slot.objects.filter(mentor=mentor).count()
    )

    # Signing in with the printed logins lands on pages in use, not onboarding.
    client.post("/accounts/login/", {"login": learner.email, "password": DEMO_PASSWORD})
    space = client.get(reverse("space"))
    assert space.status_code == 200
    sent = client.get(reverse("matching:requests-sent")).content.decode()
    assert mentor.full_name in sent
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": mentor.email, "password": DEMO_PASSWORD})
    received = client.get(reverse("matching:requests-received"))
    assert received.status_code == 200
    assert received.content.decode().count('class="card" id="request-') >= 2


def test_seeding_again_after_the_demo_people_changed_things_does_not_fail():
    """`make run` seeds at every start: what the demo people did in between (a
    block, a pause) is kept, and the parts it makes impossible are skipped."""
    from matching.services import mentor_pause
    from mentors.services import block_create

    call_command("seed_demo", verbosity=0)
    learner = User.objects.get(email=DEMO_ACCOUNTS[0].email)
    mentor = User.objects.get(email=DEMO_ACCOUNTS[1].email)
    block_create(blocker=learner, blocked=mentor)
    mentor_pause(mentor=mentor, paused=True)

    call_command("seed_demo", verbosity=0)

    assert not Mentorship.objects.filter(
        learner=learner, mentor=mentor, status="active"
    ).exists()
    assert not MentorshipRequest.objects.filter(
        mentor=mentor, status="pending"
    ).exists()


def test_a_demo_login_works(client):
    call_command("seed_demo")
    learner = DEMO_ACCOUNTS[0]

    response = client.post(
        "/accounts/login/", {"login": learner.email, "password": DEMO_PASSWORD}
    )

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_seed_demo_refuses_production_settings():
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="compagnonnage.settings.production",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/nothing",
        REDIS_URL="redis://127.0.0.1:1/0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        SITE_URL="https://compagnonnage.example.fr",
        # Issue 19: production also needs its signing keys (the test ones).
        ATTESTATION_SIGNING_KEYS_FILE=keys_file_ensure(
            settings.ATTESTATION_SIGNING_KEYS_FILE
        ),
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
    )

    assert result.returncode != 0
    assert "never runs under production" in result.stderr
