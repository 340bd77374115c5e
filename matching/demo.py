"""The demo logins in a product in use: `make run` prints them, so a newcomer who
signs in as the learner or the mentor lands on pages with something in them.

- the mentor (Karim) has an approved, public profile, follows the learner and
  has requests from demo learners to answer;
- the learner (Camille) has a complete learner profile, suggestions, a request
  waiting for another mentor's answer and an active mentorship with Karim,
  with a few messages.

Everything is made through the services that people's actions call, then
dated back a little so the history reads like one. Idempotent: what exists is
kept, only what is missing is made.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from core.errors import Conflict
from mentors.demo import DEMO_DOMAIN
from mentors.models import Block, LearnerProfile, MentorProfile
from mentors.selectors import mentor_profile_public_list
from mentors.services import (
    LearnerSkillEntry,
    SkillEntry,
    learner_profile_save,
    mentor_profile_approve,
    mentor_profile_save_draft,
    mentor_profile_submit,
)

from .engine.refresh import suggestions_refresh_for_learner
from .models import Mentorship, MentorshipRequest, Message
from .services import (
    mentorship_request_accept,
    mentorship_request_create,
    message_send,
)

MENTOR_PROFILE = {
    "headline": "Développeur web, je forme des personnes en reconversion",
    "bio": (
        "Développeur web depuis douze ans, je travaille aujourd'hui dans une "
        "coopérative numérique à Lyon.\n\n"
        "Je peux vous accompagner sur :\n\n"
        "- Programmation en Python\n"
        "- Développement web côté serveur\n"
        "- Travailler avec Git\n\n"
        "J'avance à votre rythme, avec des exercices concrets tirés de vrais "
        "projets. Aucune question n'est bête.\n\n"
        "Je vous retrouve en visio ou par téléphone, plutôt en soirée."
    ),
    "languages": ["fr", "en"],
    "region": "84",
    "city": "Lyon",
    "modes": ["video", "phone"],
    "capacity": 4,
}
MENTOR_SKILLS: list[SkillEntry] = [
    {"code": "python", "level": 6, "years": 12},
    {"code": "web-backend", "level": 6, "years": 10},
    {"code": "git", "level": 5, "years": 12},
]
LEARNER_PROFILE = {
    "goals": (
        "Je suis aide-soignante et je veux devenir développeuse web. "
        "J'ai commencé Python seule avec des vidéos, j'aimerais être guidée "
        "pour faire mes premiers vrais projets."
    ),
    "situation": "reconversion",
    "target_occupation": "Développeuse web",
    "occupation_code": "M1805",
    "languages": ["fr"],
    "region": "84",
    "modes": ["video", "phone"],
    # Monday to Thursday evenings, 18:00–21:00 (local hours of the week).
    "time_windows": [day * 24 + hour for day in range(4) for hour in (18, 19, 20)],
}
LEARNER_SKILLS: list[LearnerSkillEntry] = [
    {"code": "python", "current_level": 2, "target_level": 5},
    {"code": "web-frontend", "current_level": 1, "target_level": 4},
    {"code": "git", "current_level": 0, "target_level": 3},
]
THREAD = [
    ("learner", "Bonjour Karim, merci d'avoir accepté ! Par quoi commencer ?"),
    (
        "mentor",
        "Bonjour Camille ! Commençons par un petit projet : une page qui liste "
        "vos recettes préférées. Vous avez déjà installé Python ?",
    ),
    ("learner", "Oui, Python 3.12. J'ai écrit mon premier script hier soir."),
    (
        "mentor",
        "Bravo ! Envoyez-le-moi ici, on le regarde ensemble jeudi à 18 h 30.",
    ),
]


def _mentor_profile(mentor: User, reviewer: User) -> MentorProfile:
    profile = MentorProfile.objects.filter(user=mentor).first()
    if profile is not None and profile.ever_approved:
        return profile
    if profile is not None and profile.status == MentorProfile.Status.SUBMITTED:
        return mentor_profile_approve(profile=profile, staff=reviewer)
    profile = mentor_profile_save_draft(
        user=mentor,
        data=dict(MENTOR_PROFILE),
        skills=list(MENTOR_SKILLS),
    )
    profile = mentor_profile_submit(profile=profile, accept_charter=True)
    return mentor_profile_approve(profile=profile, staff=reviewer)


def _learner_profile(learner: User) -> LearnerProfile:
    profile = LearnerProfile.objects.filter(user=learner).first()
    if profile is not None and profile.skills.exists():
        return profile
    return learner_profile_save(
        user=learner,
        data=dict(LEARNER_PROFILE),
        skills=list(LEARNER_SKILLS),
    )


def _date_back(mentorship: Mentorship) -> None:
    """Spread the mentorship's history over the last twelve days."""
    now = timezone.now()
    MentorshipRequest.objects.filter(mentorship=mentorship).update(
        created_at=now - timedelta(days=12), answered_at=now - timedelta(days=11)
    )
    Mentorship.objects.filter(pk=mentorship.pk).update(
        started_at=now - timedelta(days=11)
    )
    messages = list(mentorship.messages.order_by("pk"))
    for position, message in enumerate(messages):
        ago = timedelta(days=10 - 3 * position, hours=position)
        Message.objects.filter(pk=message.pk).update(created_at=now - ago)
    # The mentor has read the whole thread; the learner has not opened it since
    # the mentor's last message, which waits for her as unread.
    Mentorship.objects.filter(pk=mentorship.pk).update(
        mentor_read_at=now - timedelta(days=1),
        learner_read_at=now - timedelta(days=2),
    )


def _mentorship(learner: User, mentor: User, profile: MentorProfile) -> None:
    if Mentorship.objects.filter(
        learner=learner, mentor=mentor, status=Mentorship.Status.ACTIVE
    ).exists():
        return
    request = MentorshipRequest.objects.filter(
        learner=learner, mentor=mentor, status=MentorshipRequest.Status.PENDING
    ).first() or mentorship_request_create(
        learner=learner,
        mentor_profile_id=profile.pk,
        skill_codes=["python", "git"],
        message=(
            "Bonjour Karim, je me reconvertis dans le développement web. "
            "Pourriez-vous m'aider à progresser en Python ?"
        ),
        preferred_mode="video",
    )
    mentorship = mentorship_request_accept(mentor=mentor, request_id=request.pk)
    for who, body in THREAD:
        message_send(
            author=learner if who == "learner" else mentor,
            mentorship_id=mentorship.pk,
            body=body,
        )
    _date_back(mentorship)


def _learner_waits(learner: User, mentor: User) -> None:
    """The learner's request waiting for another mentor's answer."""
    if MentorshipRequest.objects.filter(
        learner=learner, status=MentorshipRequest.Status.PENDING
    ).exists():
        return
    other = (
        mentor_profile_public_list()
        .filter(is_paused=False, skills__skill__code="web-frontend")
        .filter(modes__overlap=LEARNER_PROFILE["modes"])
        .exclude(user=mentor)
        .exclude(Exists(Block.objects.between(learner.pk, OuterRef("user_id"))))
        .order_by("pk")
        .first()
    )
    if other is None:
        return
    request = mentorship_request_create(
        learner=learner,
        mentor_profile_id=other.pk,
        skill_codes=["web-frontend"],
        message=(
            "Bonjour, j'apprends le développement web. Pourriez-vous m'aider "
            "à faire ma première page en HTML et CSS ?"
        ),
        preferred_mode=next(m for m in other.modes if m in LEARNER_PROFILE["modes"]),
    )
    MentorshipRequest.objects.filter(pk=request.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )


def _mentor_is_asked(mentor: User, profile: MentorProfile, count: int) -> None:
    """Requests from demo learners for the mentor to answer."""
    waiting = MentorshipRequest.objects.filter(
        mentor=mentor, status=MentorshipRequest.Status.PENDING
    ).count()
    skills = [entry["code"] for entry in MENTOR_SKILLS]
    asked_before = MentorshipRequest.objects.filter(mentor=mentor).values("learner")
    learners = (
        LearnerProfile.objects.filter(skills__skill__code__in=skills)
        .filter(user__is_active=True, user__email__endswith=f"@{DEMO_DOMAIN}")
        .exclude(user_id__in=asked_before)
        .distinct()
        .order_by("pk")
        .prefetch_related("skills__skill")[: max(0, count - waiting)]
    )
    for position, wanted in enumerate(learners):
        codes = [s.skill.code for s in wanted.skills.all() if s.skill.code in skills]
        if Block.objects.between(wanted.user_id, mentor.pk).exists():
            continue
        request = mentorship_request_create(
            learner=wanted.user,
            mentor_profile_id=profile.pk,
            skill_codes=codes,
            message=(
                "Bonjour, j'ai vu votre profil et j'aimerais progresser avec "
                "vous. Je suis disponible en soirée."
            ),
            preferred_mode="video",
        )
        MentorshipRequest.objects.filter(pk=request.pk).update(
            created_at=timezone.now() - timedelta(hours=5 + 20 * position)
        )


def _step(make: Callable[[], object]) -> None:
    """Run one part of the story; skip it when what people did since makes it
    impossible (a block, a pause, a full mentor…): the services say so."""
    try:
        with transaction.atomic():
            make()
    except (Conflict, ValidationError, ObjectDoesNotExist):
        return


def demo_story_ensure(
    *, learner: User, mentor: User, reviewer: User, asked: int = 2
) -> None:
    """Give the demo learner and mentor what a person using the product has.

    Precondition: inside the seed's transaction, after the demo population
    (the other mentors and learners come from it). Idempotent; a part that
    what the demo people did since has made impossible is skipped.
    """
    _step(lambda: _mentor_profile(mentor, reviewer))
    _step(lambda: _learner_profile(learner))
    profile = MentorProfile.objects.filter(user=mentor).first()
    if profile is not None and profile.ever_approved:
        _step(lambda: _mentorship(learner, mentor, profile))
        _step(lambda: _mentor_is_asked(mentor, profile, asked))
    _step(lambda: _learner_waits(learner, mentor))
    suggestions_refresh_for_learner(learner_id=learner.pk)
