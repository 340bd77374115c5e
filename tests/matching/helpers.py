from __future__ import annotations

from mentors.models import LearnerProfile, LearnerSkill, MentorProfile, Skill
from tests.factories import UserFactory
from tests.gates.cast import approved_mentor_profile


def learner_with_skills(**user_fields) -> object:
    user = UserFactory(**user_fields)
    profile = LearnerProfile.objects.create(
        user=user, goals="Apprendre Python", languages=["fr"], modes=["video"]
    )
    LearnerSkill.objects.create(
        profile=profile,
        skill=Skill.objects.get(code="python"),
        current_level=1,
        target_level=4,
    )
    return user


def mentor(capacity: int = 2, **user_fields) -> MentorProfile:
    profile = approved_mentor_profile(UserFactory(**user_fields))
    profile.capacity = capacity
    profile.save(update_fields=["capacity"])
    return profile
