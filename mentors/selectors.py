"""Reads on profiles, filtered to what the viewer may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import User
from core.db import loaded_instances, prepared_cursor

from .hooks import acquaintances
from .models import Block, MentorProfile, MentorSkill, Skill


def skill_list() -> QuerySet[Skill]:
    return Skill.objects.select_related("area").order_by(
        "area__framework", "area__position", "position", "code"
    )


def mentor_profile_public_list() -> QuerySet[MentorProfile]:
    """Profiles anyone may see (the rule: ``MentorProfile.objects.public()``)."""
    return MentorProfile.objects.public()


# The public mentor page's one query: the profile's public columns, its owner's
# name, whether it is public (the conditions of ``mentor_profile_public_list``,
# written out: a test keeps them equal) and whether a block stands between it
# and the viewer. Plain SQL, as the ORM took longer to build it than the
# database to run it.
PAGE_ROW_SQL = """
SELECT p.id, p.user_id, u.full_name, p.updated_at, p.is_paused,
       p.median_answer_hours_90d, p.headline, p.bio, p.languages, p.region,
       p.city, p.modes, p.photo, p.approved_at, p.capacity, p.active_mentorships,
       p.next_free_slot_at, p.hours_mentored, p.people_helped,
       (p.approved_at IS NOT NULL AND p.is_published
        AND p.hidden_by_staff_at IS NULL AND u.is_active
        AND EXISTS (SELECT 1 FROM account_emailaddress e
                    WHERE e.user_id = p.user_id AND e.verified)) AS is_public,
       EXISTS (SELECT 1 FROM mentors_block b
               WHERE (b.blocker_id = %(viewer)s AND b.blocked_id = p.user_id)
                  OR (b.blocker_id = p.user_id AND b.blocked_id = %(viewer)s))
           AS is_blocked
FROM mentors_mentorprofile p
JOIN accounts_user u ON u.id = p.user_id
WHERE p.id = %(profile)s
"""
PAGE_ROW_FIELDS = (
    "id",
    "user_id",
    "full_name",
    "updated_at",
    "is_paused",
    "median_answer_hours_90d",
    "headline",
    "bio",
    "languages",
    "region",
    "city",
    "modes",
    "photo",
    "approved_at",
    "capacity",
    "active_mentorships",
    "next_free_slot_at",
    "hours_mentored",
    "people_helped",
)


def mentor_profile_page_row(
    *, profile_id: int, viewer_id: int | None
) -> tuple[MentorProfile, bool, bool] | None:
    """The public columns of a profile as an instance (the others deferred;
    its ``user`` holds the name only), whether it is public, and whether it
    is blocked for this viewer: one query. None when there is no such
    profile."""
    with prepared_cursor() as cursor:
        cursor.execute(PAGE_ROW_SQL, {"profile": profile_id, "viewer": viewer_id or 0})
        row = cursor.fetchone()
    if row is None:
        return None
    values = dict(zip(PAGE_ROW_FIELDS, row, strict=False))
    name = values.pop("full_name")
    # As read from the database (the other columns deferred), without
    # ``Model.__init__`` going through every field (~0.1 ms a page).
    (profile,) = loaded_instances(MentorProfile, list(values), [list(values.values())])
    (user,) = loaded_instances(User, ["id", "full_name"], [(values["user_id"], name)])
    profile.user = user
    return profile, bool(row[-2]), bool(row[-1])


_SKILL_ROWS_SQL = f"""
SELECT sk.id, sk.code, sk.name_fr, sk.name_en, ms.level, ms.years
FROM {MentorSkill._meta.db_table} ms
JOIN {Skill._meta.db_table} sk ON sk.id = ms.skill_id
WHERE ms.profile_id = %s
ORDER BY ms.level DESC, sk.code
"""  # noqa: S608 - our tables' names


def mentor_skill_rows(*, profile_id: int) -> list[tuple[Skill, int, int]]:
    """A profile's published skills, strongest first: (skill, level, years),
    each skill an unsaved instance with its code and names. One prepared
    statement (the mentor page reads it whenever its public part is drawn)."""
    with prepared_cursor() as cursor:
        cursor.execute(_SKILL_ROWS_SQL, [profile_id])
        rows = cursor.fetchall()
    return [
        (Skill(id=pk, code=code, name_fr=name_fr, name_en=name_en), level, years)
        for pk, code, name_fr, name_en, level, years in rows
    ]


def mentor_profile_for_viewer(
    *, profile_id: int, viewer: Any
) -> tuple[MentorProfile, bool]:
    """The profile page's profile, and whether the viewer sees it as its owner or
    staff (a preview: a profile not public yet, or its pending changes).

    404 when the profile is not public for this viewer — blocks included.
    """
    viewer_id = viewer.pk if viewer.is_authenticated else None
    public = mentor_profile_public_list().filter(pk=OuterRef("pk"))
    blocked = Block.objects.between(viewer_id or 0, OuterRef("user_id"))
    skills = Prefetch(
        "skills",
        queryset=MentorSkill.objects.select_related("skill").order_by(
            "-level", "skill__code"
        ),
    )
    # One query for the profile, its owner and what the viewer may see of it.
    profile = (
        MentorProfile.objects.select_related("user")
        .prefetch_related(skills)
        .annotate(is_public=Exists(public), is_blocked=Exists(blocked))
        .filter(pk=profile_id)
        .first()
    )
    if profile is None:
        raise MentorProfile.DoesNotExist(profile_id)
    privileged = viewer_id == profile.user_id or bool(
        getattr(viewer, "is_staff", False)
    )
    if privileged:
        return profile, True
    if not profile.is_public or profile.is_blocked:
        raise MentorProfile.DoesNotExist(profile_id)
    return profile, False


def person_known_to(*, viewer_id: int, person_id: int) -> Any:
    """A person the viewer may name (to report or block): themself, a public
        mentor, or someone they have a request or mentorship with. Else None, so
        nobody learns the names of people they could not see anyway. The relations
    come from the apps connected to ``mentors.acquaintances``."""
    from accounts.models import User

    if person_id == viewer_id:
        return User.objects.filter(pk=person_id).first()
    # A public mentor who blocked the viewer is a stranger to them: naming
    # them would tell of the block (their profile answers 404 too).
    blocked_viewer = Block.objects.filter(
        blocker_id=OuterRef("pk"), blocked_id=viewer_id
    )
    related = Q(mentor_profile__in=mentor_profile_public_list()) & ~Q(
        Exists(blocked_viewer)
    )
    for known in acquaintances.send(viewer_id=viewer_id):
        related |= known
    return User.objects.filter(related, pk=person_id, is_active=True).distinct().first()
