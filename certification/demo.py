"""Demo attestations for ``seed_demo``: a learner of the demo population with
the evidence for DigComp level 3 and a submitted request, one whose
foundation request waits for more information (asked by the demo staff), and
one whose foundation request was approved (an attestation to check on
``/verify/``).

Everything goes through the services (attendance answers recompute the
hours; endorsement, observation, request, decision), except the past
sessions themselves, written the way booking them would have written them
(``sessions.demo.past_session``). Idempotent: a learner who already has a
request for the skill is left alone.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from itertools import count

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import User
from matching.models import Mentorship, MentorshipSkill
from mentors.demo import DEMO_DOMAIN, LEARNER
from mentors.models import Block, MentorSkill, Skill
from sessions.attendance import attendance_answer
from sessions.demo import demo_step, past_session
from sessions.models import Availability, Booking

from .models import AttestationRequest, ObservedTask
from .selectors import rules_current
from .services import (
    attestation_request_decide,
    attestation_request_send,
    endorsement_create,
    task_observation_record,
)


def _skill_and_mentors() -> tuple[Skill, list[User]] | None:
    """A DigComp competence that two approved demo mentors (with an
    availability) hold at level 5 or more, and those two."""
    rows = (
        MentorSkill.objects.filter(
            level__gte=5,
            skill__area__framework="digcomp",
            profile__approved_at__isnull=False,
            profile__user__email__endswith=f"@{DEMO_DOMAIN}",
            profile__availability__isnull=False,
        )
        .values("skill_id")
        .annotate(n=Count("profile"))
        .filter(n__gte=2)
        .order_by("skill_id")
        .first()
    )
    if rows is None:
        return None
    skill = Skill.objects.get(pk=rows["skill_id"])
    mentors = [
        ms.profile.user
        for ms in MentorSkill.objects.filter(
            skill=skill,
            level__gte=5,
            profile__approved_at__isnull=False,
            profile__user__email__endswith=f"@{DEMO_DOMAIN}",
            profile__availability__isnull=False,
        )
        .select_related("profile__user")
        .order_by("profile__user_id")[:2]
    ]
    return skill, mentors


def _learners(skill: Skill, mentors: list[User]) -> list[User]:
    blocked = Q()
    for mentor in mentors:
        blocked |= Q(pk__in=Block.objects.filter(blocker=mentor).values("blocked"))
        blocked |= Q(pk__in=Block.objects.filter(blocked=mentor).values("blocker"))
    return list(
        User.objects.filter(
            email__startswith=LEARNER,
            email__endswith=f"@{DEMO_DOMAIN}",
            is_active=True,
        )
        .exclude(blocked)
        .exclude(mentorships_as_learner__mentor__in=mentors)
        .order_by("pk")[:3]
    )


def _sessions(
    learner: User, mentor: User, skill: Skill, minutes: int, days: count, now: datetime
) -> list[Booking]:
    """Past sessions of an ended mentorship on the skill, both confirmed,
    until ``minutes`` are reached."""
    mentorship = Mentorship.objects.create(
        learner=learner,
        mentor=mentor,
        status=Mentorship.Status.ENDED,
        outcome=Mentorship.Outcome.COMPLETED,
        started_at=now - timedelta(days=60),
        ended_at=now - timedelta(days=1),
    )
    MentorshipSkill.objects.create(mentorship=mentorship, skill=skill)
    availability = Availability.objects.get(mentor_profile__user=mentor)
    made: list[Booking] = []
    needed = math.ceil(minutes / availability.session_minutes)
    while len(made) < needed:
        day = next(days)
        if day > 58:
            break

        def held(day: int = day) -> None:
            made.append(
                past_session(
                    mentorship, availability, now, days_ago=day, skill_code=skill.code
                )
            )

        if demo_step(held):
            booking = made[-1]
            attendance_answer(
                person=mentor, booking_id=booking.pk, answer="happened", now=now
            )
            attendance_answer(
                person=learner, booking_id=booking.pk, answer="happened", now=now
            )
    return made


def demo_attestations_ensure(*, staff: User, now: datetime | None = None) -> int:
    """Two demo requests (see the module); returns how many it made.
    Precondition: inside the seed's transaction, after the availability."""
    now = now or timezone.now()
    found = _skill_and_mentors()
    if found is None:
        return 0
    skill, (main, second) = found
    if AttestationRequest.objects.filter(
        skill=skill, learner__email__endswith=f"@{DEMO_DOMAIN}"
    ).exists():
        return 0
    learners = _learners(skill, [main, second])
    if len(learners) < 3:
        return 0
    eligible, asked, granted = learners
    rules = rules_current()
    days = count(20)
    made = 0
    # Level 3: hours with the main mentor, an endorsement, a task observed by
    # the second mentor.
    _sessions(eligible, main, skill, rules.intermediate_minutes, days, now)
    with_second = _sessions(eligible, second, skill, 1, days, now)
    task = ObservedTask.objects.filter(skill=skill, band="intermediate").first()
    if with_second and task is not None:
        observed = with_second[0]
        made += demo_step(
            lambda: endorsement_create(
                mentor=main,
                learner_id=eligible.pk,
                skill_code=skill.code,
                level=3,
                comment="Se débrouille seule en visio et avec les pièces jointes.",
                named=True,
            )
        )
        made += demo_step(
            lambda: task_observation_record(
                observer=second,
                booking_id=observed.pk,
                task_id=task.pk,
                result="passed",
                note="A fait la tâche seule, sans hésiter.",
            )
        )
        made += demo_step(
            lambda: attestation_request_send(
                learner=eligible,
                skill_code=skill.code,
                level=3,
                statement="Je rejoins une visio, je partage mon écran et "
                "j'envoie des documents sans aide depuis deux mois.",
            )
        )
    # Level 1, then the team asks for more information.
    _sessions(asked, main, skill, rules.foundation_minutes, days, now)
    made += _foundation_decided(
        asked,
        skill,
        staff,
        statement="J'ai appris les bases avec mon mentor.",
        decision="more_info",
        reason="Pouvez-vous décrire une chose que vous avez faite seule "
        "cette semaine ?",
    )
    # Level 1, approved: an attestation anyone can check on /verify/.
    _sessions(granted, main, skill, rules.foundation_minutes, days, now)
    made += _foundation_decided(
        granted,
        skill,
        staff,
        statement="Je trouve seul une information sur le site de la mairie.",
        decision="approve",
    )
    return made


def _foundation_decided(
    learner: User,
    skill: Skill,
    staff: User,
    *,
    statement: str,
    decision: str,
    reason: str = "",
) -> int:
    """A level-1 request sent by ``learner``, then decided by ``staff``; how
    many steps were made (0 when the request could not be sent)."""
    sent = demo_step(
        lambda: attestation_request_send(
            learner=learner, skill_code=skill.code, level=1, statement=statement
        )
    )
    if not sent:
        return 0
    request = AttestationRequest.objects.get(learner=learner, skill=skill)
    return sent + demo_step(
        lambda: attestation_request_decide(
            reviewer=staff, request_id=request.pk, decision=decision, reason=reason
        )
    )
