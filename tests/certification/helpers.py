"""Evidence for attestation tests, written straight to the tables that
scheduling fills (a mentorship, its skill, attended bookings with their
minutes): what the attestation rules read, without replaying scheduling."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from django.utils import timezone

from accounts.models import User
from certification.models import Endorsement, ObservedTask, TaskObservation
from matching.models import Mentorship, MentorshipSkill
from mentors.models import MentorSkill, Skill
from sessions.models import Attendance, Booking
from tests.factories import UserFactory
from tests.gates.cast import approved_mentor_profile

SKILL = "2.1"
_days = count(2)


def skill(code: str = SKILL) -> Skill:
    return Skill.objects.get(code=code)


def a_mentor(level: int = 6, code: str = SKILL, **fields) -> User:
    user = UserFactory(**fields)
    profile = approved_mentor_profile(user)
    MentorSkill.objects.create(profile=profile, skill=skill(code), level=level, years=5)
    return user


def attended(
    learner: User, mentor: User, *, minutes: int = 60, code: str = SKILL
) -> Booking:
    """One attended session of ``minutes`` on the skill, some days ago."""
    mentorship = Mentorship.objects.filter(learner=learner, mentor=mentor).first()
    if mentorship is None:
        mentorship = Mentorship.objects.create(learner=learner, mentor=mentor)
    ms, _ = MentorshipSkill.objects.get_or_create(
        mentorship=mentorship, skill=skill(code)
    )
    start = (timezone.now() - timedelta(days=next(_days))).replace(
        second=0, microsecond=0
    )
    booking = Booking.objects.create(
        learner=learner,
        mentor=mentor,
        mentorship=mentorship,
        kind="mentorship",
        start=start,
        end=start + timedelta(minutes=minutes),
        mode="video",
    )
    booking.skills.add(ms)
    now = timezone.now()
    Attendance.objects.create(
        booking=booking,
        mentor_answer="happened",
        mentor_answered_at=now,
        learner_answer="happened",
        learner_answered_at=now,
        status="attended",
        settled_at=now,
    )
    MentorshipSkill.objects.filter(pk=ms.pk).update(
        minutes_attended=ms.minutes_attended + minutes
    )
    return booking


def endorse(
    learner: User, mentor: User, level: int, code: str = SKILL, *, named: bool = True
) -> Endorsement:
    return Endorsement.objects.create(
        mentor=mentor,
        learner=learner,
        skill=skill(code),
        level=level,
        comment="Bien",
        named=named,
    )


def observe(
    learner: User,
    observer: User,
    *,
    band: str,
    level: int = 6,
    result: str = "passed",
    code: str = SKILL,
) -> TaskObservation:
    booking = attended(learner, observer, minutes=30, code=code)
    task = ObservedTask.objects.filter(skill__code=code, band=band).first()
    assert task is not None
    return TaskObservation.objects.create(
        task=task,
        learner=learner,
        observer=observer,
        observer_level=level,
        booking=booking,
        result=result,
        note="Fait seule, sans aide.",
    )


def eligible_intermediate(learner: User) -> tuple[User, User]:
    """Evidence for level 3: 4 sessions, 5 h with a main mentor, an
    endorsement and an observed task by a second mentor. Returns (main,
    second)."""
    main = a_mentor(level=6)
    second = a_mentor(level=5)
    for _ in range(4):
        attended(learner, main, minutes=75)
    endorse(learner, main, 3)
    observe(learner, second, band="intermediate", level=5)
    return main, second


def a_reviewer(**fields) -> User:
    """Staff in the "Attestation reviewers" group (TOTP is the admin's and
    the file view's business, not the service's)."""
    from certification.groups import reviewers_group_ensure

    user = UserFactory(is_staff=True, **fields)
    user.groups.add(reviewers_group_ensure())
    return User.objects.get(pk=user.pk)  # a fresh permission cache


def submitted(learner: User | None = None, level: int = 3):
    """A learner with the evidence for level 3 and their submitted request."""
    from certification.services import (
        attestation_request_create,
        attestation_request_submit,
    )

    learner = learner or UserFactory()
    main, second = eligible_intermediate(learner)
    draft = attestation_request_create(
        learner=learner,
        skill_code=SKILL,
        level=level,
        statement="Je rejoins une visio et j'envoie des pièces jointes seule.",
    )
    return (
        attestation_request_submit(learner=learner, request_id=draft.pk),
        main,
        second,
    )
