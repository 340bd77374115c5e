"""The fixed cast of actors for the authorization gates.

- learner A and learner B: learner profiles;
- A's mentor and another mentor: approved, public mentor profiles (A's mentor
  also has pending changes to submit, and one free slot); later features add
  the mentorship between A and A's mentor, requests, bookings, learner A's
  calendar feed…;
- staff (with TOTP).
Learner A has blocked the other mentor. ``objects`` names the ids that fill
path parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import User
from accounts.services import api_token_create
from matching.services import (
    mentorship_request_accept,
    mentorship_request_create,
    message_send,
)
from mentors.models import (
    LearnerProfile,
    LearnerSkill,
    MentorProfile,
    MentorSkill,
    Skill,
)
from mentors.search import mentor_search_refresh
from mentors.services import block_create
from sessions.attendance import attendance_answer
from sessions.models import Booking
from sessions.services import (
    availability_get_or_create,
    booking_create,
    booking_reschedule,
    calendar_feed_create,
    slot_create,
)
from sessions.waitlist import waitlist_join
from tests.factories import UserFactory, add_totp

ACTORS = ["anonymous", "learner_a", "learner_b", "mentor_of_a", "other_mentor", "staff"]
ACTORS.append("reviewer")  # attestations: staff (TOTP) deciding requests


@dataclass
class Cast:
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    # Named objects of the cast, for path parameters ("block_of_a"…).
    objects: dict[str, Any] = field(default_factory=dict)
    # The staff member's TOTP secret, to sign in to pages with a code.
    totp_secret: str = ""

    def headers(self, actor: str) -> dict[str, str]:
        if actor == "anonymous":
            return {}
        return {"Authorization": f"Bearer {self.tokens[actor]}"}

    def id(self, actor: str) -> int:
        return int(self.users[actor].pk)


def learner_profile(user: User) -> LearnerProfile:
    profile = LearnerProfile.objects.create(
        user=user,
        goals="Apprendre Python",
        languages=["fr"],
        region="53",
        modes=["video"],
    )
    LearnerSkill.objects.create(
        profile=profile,
        skill=Skill.objects.get(code="python"),
        current_level=1,
        target_level=4,
    )
    return profile


def approved_mentor_profile(
    user: User, *, pending_changes: bool = False
) -> MentorProfile:
    now = timezone.now()
    content = {
        "headline": "Développeur Python",
        "bio": "Quinze ans de métier, j'aime transmettre pas à pas avec patience.",
        "languages": ["fr", "en"],
        "region": "53",
        "city": "Rennes",
        "modes": ["video"],
        "capacity": 3,
    }
    profile = MentorProfile.objects.create(
        user=user,
        status="approved",
        approved_at=now,
        charter_version="2026-11",
        charter_accepted_at=now,
        **content,
    )
    MentorSkill.objects.create(
        profile=profile, skill=Skill.objects.get(code="python"), level=6, years=15
    )
    if pending_changes:
        profile.draft = {
            **content,
            "headline": "Développeur Python et Django",
            "photo": "",
            "skills": [{"code": "python", "level": 6, "years": 15}],
        }
        profile.status = "draft"
        profile.save()
    return profile


def make_cast() -> Cast:
    cast = Cast()
    for actor in ACTORS[1:]:
        user = UserFactory(
            email=f"{actor.replace('_', '.')}@example.org",
            full_name=actor.replace("_", " ").title(),
            is_staff=actor in ("staff", "reviewer"),
        )
        if actor in ("staff", "reviewer"):
            secret = add_totp(user)
            cast.totp_secret = cast.totp_secret or secret
        cast.users[actor] = user
        cast.tokens[actor] = api_token_create(user=user, name="matrix")[1]
    learner_profile(cast.users["learner_a"])
    learner_profile(cast.users["learner_b"])
    mentor_of_a = approved_mentor_profile(
        cast.users["mentor_of_a"], pending_changes=True
    )
    other = approved_mentor_profile(cast.users["other_mentor"])
    mentor_search_refresh()
    block, _ = block_create(
        blocker=cast.users["learner_a"], blocked=cast.users["other_mentor"]
    )
    # Learner A works with A's mentor (one message each way); learner B waits
    # for A's mentor's answer.
    request_a = mentorship_request_create(
        learner=cast.users["learner_a"],
        mentor_profile_id=mentor_of_a.pk,
        skill_codes=["python"],
        message="Bonjour !",
        preferred_mode="video",
    )
    mentorship_a = mentorship_request_accept(
        mentor=cast.users["mentor_of_a"], request_id=request_a.pk
    )
    message_send(
        author=cast.users["learner_a"], mentorship_id=mentorship_a.pk, body="Merci"
    )
    message_send(
        author=cast.users["mentor_of_a"],
        mentorship_id=mentorship_a.pk,
        body="Avec plaisir",
    )
    request_b = mentorship_request_create(
        learner=cast.users["learner_b"],
        mentor_profile_id=mentor_of_a.pk,
        skill_codes=["python"],
        message="Bonjour, pouvez-vous m'aider ?",
        preferred_mode="video",
    )
    # A's mentor offers one free slot, three days ahead on the hour.
    availability_get_or_create(mentor_profile=mentor_of_a)
    slot = slot_create(
        mentor_profile_id=mentor_of_a.pk,
        start=(timezone.now() + timedelta(days=3)).replace(
            minute=0, second=0, microsecond=0
        ),
    )
    # Learner A booked another one, four days ahead.
    booked = slot_create(
        mentor_profile_id=mentor_of_a.pk,
        start=(timezone.now() + timedelta(days=4)).replace(
            minute=0, second=0, microsecond=0
        ),
    )
    booking = booking_create(
        learner=cast.users["learner_a"], slot_id=booked.pk, mode="video"
    )
    # Learner A subscribes to their sessions from a calendar app.
    _feed, feed_token = calendar_feed_create(person=cast.users["learner_a"])
    # Learner B waits for an earlier time of A's mentor.
    waiting = waitlist_join(
        learner=cast.users["learner_b"], mentor_profile_id=mentor_of_a.pk
    )
    # And one in about 14 hours (inside the cut-off), which they asked to move
    # to the free slot: the request waits for the mentor's answer.
    soon = slot_create(
        mentor_profile_id=mentor_of_a.pk,
        start=(timezone.now() + timedelta(hours=14)).replace(
            minute=0, second=0, microsecond=0
        ),
    )
    late_booking = booking_create(
        learner=cast.users["learner_a"], slot_id=soon.pk, mode="video"
    )
    reschedule = booking_reschedule(
        person=cast.users["learner_a"], booking_id=late_booking.pk, slot_id=slot.pk
    )
    # And one that took place yesterday: both are asked whether it did.
    before = slot_create(
        mentor_profile_id=mentor_of_a.pk,
        start=(timezone.now() + timedelta(days=7)).replace(
            minute=0, second=0, microsecond=0
        ),
    )
    past_booking = booking_create(
        learner=cast.users["learner_a"], slot_id=before.pk, mode="video"
    )
    yesterday = (timezone.now() - timedelta(days=1)).replace(
        minute=0, second=0, microsecond=0
    )
    Booking.objects.filter(pk=past_booking.pk).update(
        start=yesterday, end=yesterday + (past_booking.end - past_booking.start)
    )
    # And one that took place three days ago (booked ahead, then moved back in
    # time): its mentor writes the note, learner A rates it.
    held_slot = slot_create(
        mentor_profile_id=mentor_of_a.pk,
        start=(timezone.now() + timedelta(days=9)).replace(
            minute=0, second=0, microsecond=0
        ),
    )
    held = booking_create(
        learner=cast.users["learner_a"], slot_id=held_slot.pk, mode="video"
    )
    held_start = timezone.now() - timedelta(days=3)
    Booking.objects.filter(pk=held.pk).update(
        start=held_start, end=held_start + timedelta(hours=1)
    )
    # It took place: the mentor said so and learner A agreed.
    for person in (cast.users["mentor_of_a"], cast.users["learner_a"]):
        attendance_answer(person=person, booking_id=held.pk, answer="happened")
    cast.objects = {
        **attestation_objects(cast, mentorship_a),
        "past_booking_of_a": past_booking.pk,
        "held_of_a": held.pk,
        "feed_token_of_a": feed_token,
        "waitlist_of_b": waiting.pk,
        "reschedule_of_a": reschedule.pk,
        "booking_of_a": booking.pk,
        "mentorship_of_a": mentorship_a.pk,
        "request_of_b": request_b.pk,
        "block_of_a": block.pk,
        "profile_of_mentor_of_a": mentor_of_a.pk,
        "profile_of_other_mentor": other.pk,
        "slot_of_mentor_of_a": slot.pk,
    }
    return cast


def attestation_objects(cast: Cast, mentorship_a: Any) -> dict[str, Any]:
    """Attestations: the reviewer joins the reviewers' group. Learner A had
    two attended hours with A's mentor on DigComp 2.1 (enough for level 1)
    and keeps a draft request for it; learner B had an attended session on
    2.1 with the other mentor, who holds 2.1 at level 6."""
    from certification.groups import reviewers_group_ensure
    from certification.models import AttestationRequest, ObservedTask
    from matching.models import Mentorship, MentorshipSkill
    from sessions.attendance import attendance_answer
    from sessions.demo import past_session

    cast.users["reviewer"].groups.add(reviewers_group_ensure())
    digcomp = Skill.objects.get(code="2.1")
    MentorSkill.objects.create(
        profile=cast.users["other_mentor"].mentor_profile,
        skill=digcomp,
        level=6,
        years=6,
    )
    mentorship_b = Mentorship.objects.create(
        learner=cast.users["learner_b"],
        mentor=cast.users["other_mentor"],
        status="ended",
        outcome="completed",
        ended_at=timezone.now(),
    )
    sessions = {}
    for key, mentorship, days in [
        ("a1", mentorship_a, 10),
        ("a2", mentorship_a, 9),
        ("b", mentorship_b, 8),
    ]:
        MentorshipSkill.objects.get_or_create(mentorship=mentorship, skill=digcomp)
        availability = availability_get_or_create(
            mentor_profile=mentorship.mentor.mentor_profile
        )
        booking = past_session(
            mentorship, availability, timezone.now(), days_ago=days, skill_code="2.1"
        )
        for person in (mentorship.mentor, mentorship.learner):
            attendance_answer(person=person, booking_id=booking.pk, answer="happened")
        sessions[key] = booking.pk
    draft = AttestationRequest.objects.create(
        learner=cast.users["learner_a"],
        skill=digcomp,
        level=1,
        statement="J'envoie des e-mails avec pièce jointe.",
    )
    task = ObservedTask.objects.get(skill=digcomp, band="foundation")
    return {
        "attestation_request_of_a": draft.pk,
        "attended_booking_of_b": sessions["b"],
        "foundation_task_2_1": task.pk,
        **issued_attestation_objects(cast),
    }


def issued_attestation_objects(cast: Cast) -> dict[str, Any]:
    """Issue 19: learner A holds an issued attestation (2.2, level 1)."""
    from certification.attestations import _create
    from certification.models import Attestation

    attestation = _create(
        kind=Attestation.Kind.SKILL,
        holder=cast.users["learner_a"],
        skill=Skill.objects.get(code="2.2"),
        level=1,
        minutes=120,
        sessions=2,
    )
    return {
        "attestation_of_a": attestation.pk,
        "attestation_code_of_a": attestation.display_code,
    }


# Valid bodies for PUT /api/v1/me/mentor-profile/ and /learner-profile/.
MENTOR_PROFILE_BODY = {
    "headline": "Je vous aide à démarrer",
    "bio": "Dix ans de métier, j'explique pas à pas avec des exemples concrets.",
    "languages": ["fr"],
    "region": "11",
    "city": "Paris",
    "modes": ["video"],
    "capacity": 2,
    "skills": [{"skill": "python", "level": 5, "years": 10}],
}
LEARNER_PROFILE_BODY = {
    "goals": "Trouver un emploi",
    "situation": "job_seeker",
    "languages": ["fr"],
    "region": "11",
    "modes": ["video", "phone"],
    "time_windows": [42, 43],
    "skills": [{"skill": "python", "current_level": 0, "target_level": 3}],
}
# A valid body for PUT /api/v1/me/availability/.
AVAILABILITY_BODY = {
    "time_zone": "Europe/Paris",
    "session_minutes": 60,
    "buffer_minutes": 15,
    "min_notice_hours": 12,
    "window_weeks": 2,
    "max_per_day": 3,
    "max_per_week": 8,
    "modes": ["video"],
    "venue": None,
    "place": "",
    "commitment_hours": 2,
    "commitment_period": "month",
    "meeting_link": "https://visio.example.org/salle-karim",
    "discovery_enabled": True,
    "rules": [{"weekday": 1, "start": "09:00", "end": "12:00"}],
    "exceptions": [],
}
