"""Personal data held by the mentors app: both profiles, reports filed, blocks."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Value
from django.db.models.functions import Replace

from .data_version import bump_mentor_data_version
from .models import Block, LearnerProfile, MentorProfile, Report
from .photos import delete_photo
from .search import mentor_search_withdraw


def export_profiles(user: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"mentor_profile": None, "learner_profile": None}
    mentor = MentorProfile.objects.filter(user=user).first()
    if mentor is not None:
        data["mentor_profile"] = {
            "published": {
                "headline": mentor.headline,
                "bio": mentor.bio,
                "languages": mentor.languages,
                "region": mentor.region,
                "city": mentor.city,
                "modes": mentor.modes,
                "capacity": mentor.capacity,
                "skills": [
                    {"skill": s.skill.code, "level": s.level, "years": s.years}
                    for s in mentor.skills.select_related("skill")
                ],
            },
            "pending_changes": mentor.draft,
            "status": mentor.status,
            "charter_accepted_at": mentor.charter_accepted_at,
            "approved_at": mentor.approved_at,
            "review_message": mentor.review_message,
        }
    learner = LearnerProfile.objects.filter(user=user).first()
    if learner is not None:
        data["learner_profile"] = {
            "goals": learner.goals,
            "situation": learner.situation,
            "target_occupation": learner.target_occupation,
            "occupation_code": learner.occupation_code,
            "languages": learner.languages,
            "region": learner.region,
            "modes": learner.modes,
            "time_windows": learner.time_windows,
            "skills": [
                {
                    "skill": s.skill.code,
                    "current_level": s.current_level,
                    "target_level": s.target_level,
                }
                for s in learner.skills.select_related("skill")
            ],
        }
    return data


def erase_profiles(user: Any) -> None:
    mentor_search_withdraw(
        profile_ids=list(
            MentorProfile.objects.filter(user=user).values_list("pk", flat=True)
        )
    )
    for profile in MentorProfile.objects.filter(user=user):
        delete_photo(profile.photo)
        delete_photo((profile.draft or {}).get("photo", ""))
        profile.delete()
    LearnerProfile.objects.filter(user=user).delete()
    # Cached directory pages and the matching's mentor matrix forget them.
    bump_mentor_data_version()


def export_reports_and_blocks(user: Any) -> dict[str, Any]:
    return {
        "reports_filed": list(
            Report.objects.filter(reporter=user).values(
                "reported_user_id", "reason", "text", "status", "created_at"
            )
        ),
        "blocks": list(
            Block.objects.filter(blocker=user).values("blocked_id", "created_at")
        ),
    }


def erase_reports_and_blocks(user: Any) -> None:
    # Reports about others stay for staff, without the reporter or their words.
    Report.objects.filter(reporter=user).update(reporter=None, text="")
    if user.full_name:
        Report.objects.filter(text__contains=user.full_name).update(
            text=Replace(F("text"), Value(user.full_name), Value("…"))
        )
        Report.objects.filter(message_text__contains=user.full_name).update(
            message_text=Replace(F("message_text"), Value(user.full_name), Value("…"))
        )
    Block.objects.filter(blocker=user).delete()
    Block.objects.filter(blocked=user).delete()
