"""Writes on profiles, reviews, reports and blocks."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import user_deactivate
from core.notifications import notify
from core.staff_log import staff_action_log

from .data_version import bump_mentor_data_version
from .hooks import block_created, learner_profile_saved, mentor_hidden
from .models import (
    Block,
    LearnerProfile,
    LearnerSkill,
    MentorProfile,
    MentorSkill,
    Report,
    Skill,
    SkillArea,
)
from .photos import delete_photo
from .search import mentor_search_refresh


class SkillEntry(TypedDict):
    code: str
    level: int
    years: int


class LearnerSkillEntry(TypedDict):
    code: str
    current_level: int
    target_level: int


# --- profiles --------------------------------------------------------------


def mentor_profile_get_or_create(*, user: User) -> MentorProfile:
    """The person's mentor profile (created empty, as a draft, if missing)."""
    profile, _created = MentorProfile.objects.get_or_create(user=user)
    return profile


def learner_profile_get_or_create(*, user: User) -> LearnerProfile:
    profile, _created = LearnerProfile.objects.get_or_create(user=user)
    return profile


def mentor_profile_working_copy(profile: MentorProfile) -> dict[str, Any]:
    """What the mentor edits: the pending draft, or else the published content
    (empty for a profile not saved yet)."""
    if profile.draft is not None:
        return dict(profile.draft)
    data: dict[str, Any] = {
        field: getattr(profile, field) for field in MentorProfile.EDITABLE_FIELDS
    }
    data["photo"] = profile.photo
    data["skills"] = (
        [
            {"code": s.skill.code, "level": s.level, "years": s.years}
            for s in profile.skills.select_related("skill")
        ]
        if profile.pk
        else []
    )
    return data


def _check_skill_codes(codes: list[str]) -> None:
    known = set(Skill.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = sorted(set(codes) - known)
    if unknown:
        raise ValidationError(
            {"skills": _("Unknown skill: %(codes)s") % {"codes": ", ".join(unknown)}}
        )
    if len(codes) != len(set(codes)):
        raise ValidationError({"skills": _("Each skill can be listed only once.")})


@transaction.atomic
def mentor_profile_save_draft(
    *, user: User, data: dict[str, Any], skills: list[SkillEntry]
) -> MentorProfile:
    """Save the mentor's edits as the working copy (already validated by the form).

    The first save creates the profile (so the mentor role). The published
    content does not change: an approved profile keeps showing its approved
    version until staff approve this draft. Edits of an approved or
    changes-requested profile make it a draft again (to be submitted).
    Locks the profile row; nothing is written when the input is refused.
    """
    _check_skill_codes([entry["code"] for entry in skills])
    profile, _created = MentorProfile.objects.select_for_update().get_or_create(
        user=user
    )
    previous_photo = (profile.draft or {}).get("photo", "")
    draft = {field: data[field] for field in MentorProfile.EDITABLE_FIELDS}
    draft["photo"] = data.get(
        "photo", previous_photo if profile.draft else profile.photo
    )
    draft["skills"] = [dict(entry) for entry in skills]
    if previous_photo and previous_photo not in (draft["photo"], profile.photo):
        transaction.on_commit(lambda: delete_photo(previous_photo))
    profile.draft = draft
    if profile.status != MentorProfile.Status.SUBMITTED:
        profile.status = MentorProfile.Status.DRAFT
    profile.save(update_fields=["draft", "status", "updated_at"])
    return profile


def learner_profile_missing(profile: LearnerProfile) -> list[str]:
    """What the learner profile still lacks, in plain words."""
    missing = []
    if not profile.goals:
        missing.append(_("what you want to achieve"))
    if not profile.pk or not profile.skills.exists():
        missing.append(_("at least one skill you want to learn"))
    if not profile.languages:
        missing.append(_("the languages you speak"))
    if not profile.region:
        missing.append(_("your region"))
    if not profile.modes:
        missing.append(_("how you would like to meet"))
    return missing


def mentor_profile_missing(profile: MentorProfile) -> list[str]:
    """What the working copy still lacks before it can be submitted (plain words)."""
    data = mentor_profile_working_copy(profile)
    missing = []
    if not data.get("headline"):
        missing.append(str(_("a headline")))
    if len(data.get("bio") or "") < 50:
        missing.append(str(_("a few lines about you (50 characters at least)")))
    if not data.get("skills"):
        missing.append(str(_("at least one skill")))
    if not data.get("languages"):
        missing.append(str(_("the languages you speak")))
    if not data.get("region"):
        missing.append(str(_("your region")))
    if not data.get("modes"):
        missing.append(str(_("how you meet (video, phone, in person)")))
    return missing


@transaction.atomic
def mentor_profile_submit(
    *, profile: MentorProfile, accept_charter: bool
) -> MentorProfile:
    """Send the working copy to staff for review.

    The mentor charter in force must be accepted (now, or earlier in this version);
    the working copy must be complete. Raises ``ValidationError`` otherwise.
    """
    profile = MentorProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.status == MentorProfile.Status.SUBMITTED:
        raise ValidationError(_("Your profile is already waiting for review."))
    if profile.draft is None:
        raise ValidationError(_("There is no change to send for review."))
    version = settings.MENTOR_CHARTER_VERSION
    if accept_charter:
        profile.charter_version = version
        profile.charter_accepted_at = timezone.now()
    elif profile.charter_version != version:
        raise ValidationError(
            {"accept_charter": _("Please read and accept the mentor charter.")}
        )
    missing = mentor_profile_missing(profile)
    if missing:
        raise ValidationError(
            _("Your profile is not complete yet. Missing: %(items)s.")
            % {"items": ", ".join(missing)}
        )
    profile.status = MentorProfile.Status.SUBMITTED
    profile.submitted_at = timezone.now()
    profile.save(
        update_fields=[
            "status",
            "submitted_at",
            "charter_version",
            "charter_accepted_at",
        ]
    )
    return profile


@transaction.atomic
def mentor_profile_approve(*, profile: MentorProfile, staff: User) -> MentorProfile:
    """Publish the submitted working copy; tell the mentor (in their language).

    Lock: the profile row. Only a submitted profile can be approved.
    """
    profile = MentorProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.status != MentorProfile.Status.SUBMITTED or profile.draft is None:
        raise ValidationError(_("Only a profile waiting for review can be approved."))
    draft = profile.draft
    old_photo = profile.photo
    for field in MentorProfile.EDITABLE_FIELDS:
        setattr(profile, field, draft[field])
    profile.photo = draft.get("photo", "")
    profile.full_clean(exclude=["user", "reviewed_by", "draft", "availability_bitmap"])
    skills = {
        s.code: s
        for s in Skill.objects.filter(code__in=[e["code"] for e in draft["skills"]])
    }
    profile.skills.all().delete()
    MentorSkill.objects.bulk_create(
        MentorSkill(
            profile=profile,
            skill=skills[entry["code"]],
            level=entry["level"],
            years=entry["years"],
        )
        for entry in draft["skills"]
    )
    now = timezone.now()
    profile.status = MentorProfile.Status.APPROVED
    profile.approved_at = now
    profile.reviewed_by = staff
    profile.review_message = ""
    profile.draft = None
    # Not the search columns: they are written in SQL just below.
    profile.save(
        update_fields=[
            f.name
            for f in profile._meta.concrete_fields
            if f.name not in ("id", "search_vector") and not f.generated
        ]
    )
    mentor_search_refresh(profile_ids=[profile.pk])
    bump_mentor_data_version()
    if old_photo and old_photo != profile.photo:
        transaction.on_commit(lambda: delete_photo(old_photo))
    staff_action_log(staff=staff, obj=profile, message="Profile approved")
    notify(
        recipient=profile.user,
        kind="mentors.profile_approved",
        link=reverse("mentors:detail", args=[profile.pk]),
    )
    return profile


@transaction.atomic
def mentor_profile_request_changes(
    *, profile: MentorProfile, staff: User, message: str
) -> MentorProfile:
    """Send the profile back to its mentor with staff's message (e-mailed)."""
    profile = MentorProfile.objects.select_for_update().get(pk=profile.pk)
    if profile.status != MentorProfile.Status.SUBMITTED:
        raise ValidationError(_("Only a profile waiting for review can be sent back."))
    if not message.strip():
        raise ValidationError({"message": _("Tell the mentor what to change.")})
    profile.status = MentorProfile.Status.CHANGES_REQUESTED
    profile.review_message = message.strip()
    profile.reviewed_by = staff
    profile.save(update_fields=["status", "review_message", "reviewed_by"])
    staff_action_log(staff=staff, obj=profile, message="Changes requested")
    notify(
        recipient=profile.user,
        kind="mentors.profile_changes_requested",
        context={"message": profile.review_message},
        link=reverse("mentors:mentor-profile"),
    )
    return profile


@transaction.atomic
def mentor_profile_set_slot_summary(
    *,
    mentor_profile_id: int,
    next_free_slot_at: datetime | None,
    free_slots: tuple[int, int, int],
    availability_bitmap: bytes,
) -> None:
    """Store what scheduling knows of the mentor's free time: the next free
    slot, the free slots within 7, 14 and 28 days, the weekly availability
    (168 bits, bit h = Monday 00:00 UTC + h hours).

    Called by scheduling in the transaction of the change that moves them. One
    UPDATE of the profile row (its row lock only, no other). Never moves the
    mentor-data version: these figures change with every booking, and moving it
    would empty every directory page and the matching's mentor matrix each
    time. So cached directory pages and each worker's mentor matrix
    (``MATRIX_MAX_AGE``) may show them up to 30 s stale. The database
    checks the counts (7 days ≤ 14 days ≤ 28 days, none negative).
    """
    if len(availability_bitmap) != 21:
        raise ValueError("the availability bitmap has 168 bits (21 bytes)")
    free_7d, free_14d, free_28d = free_slots
    updated = MentorProfile.objects.filter(pk=mentor_profile_id).update(
        next_free_slot_at=next_free_slot_at,
        free_slots_7d=free_7d,
        free_slots_14d=free_14d,
        free_slots_28d=free_28d,
        availability_bitmap=availability_bitmap,
        summary_updated_at=timezone.now(),
    )
    if not updated:
        raise MentorProfile.DoesNotExist(mentor_profile_id)


@transaction.atomic
def mentor_profile_set_slot_summaries(
    *, summaries: list[tuple[int, datetime | None, tuple[int, int, int], bytes]]
) -> None:
    """``mentor_profile_set_slot_summary`` for many profiles in one UPDATE: rows
    of (profile id, next free slot, free slots in 7/14/28 days, bitmap).

    For the demo population's thousands of mentors. The same figures and the
    same guarantees: the profile rows' locks only, the mentor-data version
    left alone, the counts checked by the database.
    """
    if any(len(bitmap) != 21 for *_rest, bitmap in summaries):
        raise ValueError("the availability bitmap has 168 bits (21 bytes)")
    table = MentorProfile._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} AS p
            SET next_free_slot_at = t.next_at, free_slots_7d = t.d7,
                free_slots_14d = t.d14, free_slots_28d = t.d28,
                availability_bitmap = t.bitmap, summary_updated_at = %(now)s
            FROM unnest(%(ids)s::bigint[], %(next)s::timestamptz[], %(d7)s::int[],
                        %(d14)s::int[], %(d28)s::int[], %(bitmaps)s::bytea[])
                 AS t(id, next_at, d7, d14, d28, bitmap)
            WHERE p.id = t.id
            """,  # noqa: S608 - the table name is ours, the values are parameters
            {
                "now": timezone.now(),
                "ids": [row[0] for row in summaries],
                "next": [row[1] for row in summaries],
                "d7": [row[2][0] for row in summaries],
                "d14": [row[2][1] for row in summaries],
                "d28": [row[2][2] for row in summaries],
                "bitmaps": [row[3] for row in summaries],
            },
        )


@transaction.atomic
def mentor_profile_set_activity_summary(
    *, mentor_profile_id: int, hours_mentored: Decimal, people_helped: int
) -> None:
    """Store what the mentor has done: hours of sessions held, people helped.

    Called by the app that counts them in the transaction of the change that
    moves them. One UPDATE of the profile row (its row lock only, no other);
    moves the mentor-data version after the commit. The database checks that
    neither is negative.
    """
    updated = MentorProfile.objects.filter(pk=mentor_profile_id).update(
        hours_mentored=hours_mentored,
        people_helped=people_helped,
        summary_updated_at=timezone.now(),
    )
    if not updated:
        raise MentorProfile.DoesNotExist(mentor_profile_id)
    bump_mentor_data_version()


def mentor_profile_set_active_mentorships(*, mentor_id: int, count: int) -> None:
    """Store how many active mentorships the mentor has (their places left are
    their capacity minus this), as counted by the app that owns mentorships.

    Precondition: in the transaction that starts or ends one, the mentor's
    profile row locked before counting, so concurrent changes count one after
    the other. One UPDATE of that row; moves the mentor-data version after the
    commit (cards show the places left). The database refuses a negative count.
    """
    updated = MentorProfile.objects.filter(user_id=mentor_id).update(
        active_mentorships=count
    )
    if not updated:
        raise MentorProfile.DoesNotExist(mentor_id)
    bump_mentor_data_version()


def mentor_profile_set_late_cancellations(*, counts: dict[int, int]) -> None:
    """Store each mentor's own late cancellations over the last 90 days
    (``counts``: the mentor's user id → how many), as counted by scheduling,
    which owns bookings. Part of their responsiveness: staff see it in the
    admin; people do not.

    Precondition: in the transaction of the cancellation that moves it (or of
    the daily recount). One UPDATE of those profile rows (their locks only);
    the mentor-data version is left alone (neither the directory nor matching
    reads it). The database refuses a negative count.
    """
    if not counts:
        return
    table = MentorProfile._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {table} AS p SET late_cancellations_90d = t.n
            FROM unnest(%(ids)s::bigint[], %(counts)s::int[]) AS t(id, n)
            WHERE p.user_id = t.id AND p.late_cancellations_90d <> t.n
            """,  # noqa: S608 - the table name is ours, the values are parameters
            {"ids": list(counts), "counts": list(counts.values())},
        )


@transaction.atomic
def learner_profile_save(
    *, user: User, data: dict[str, Any], skills: list[LearnerSkillEntry]
) -> LearnerProfile:
    """Save the learner profile and its wanted skills (validated by the form).

    The first save creates the profile (so the learner role); nothing is written
    when the input is refused. Locks the profile row.
    """
    _check_skill_codes([entry["code"] for entry in skills])
    profile, _created = LearnerProfile.objects.select_for_update().get_or_create(
        user=user
    )
    for field in LearnerProfile.EDITABLE_FIELDS:
        setattr(profile, field, data[field])
    profile.full_clean(exclude=["user"])
    profile.save()
    by_code = {
        s.code: s for s in Skill.objects.filter(code__in=[e["code"] for e in skills])
    }
    profile.skills.all().delete()
    LearnerSkill.objects.bulk_create(
        LearnerSkill(
            profile=profile,
            skill=by_code[entry["code"]],
            current_level=entry["current_level"],
            target_level=entry["target_level"],
        )
        for entry in skills
    )
    learner_profile_saved.send(learner_id=profile.user_id)
    return profile


# --- trust & safety --------------------------------------------------------


@transaction.atomic
def report_create(
    *,
    reporter: User,
    reported_user: User,
    reason: str,
    text: str,
    message_id: int | None = None,
    message_text: str = "",
) -> Report:
    """File a report to staff, about a person (their profile or one of their
    messages: its id and a copy of its text). Nobody reports themself."""
    if reporter.pk == reported_user.pk:
        raise ValidationError(_("You cannot report yourself."))
    if reason not in Report.PERSON_REASONS:
        raise ValidationError({"reason": _("Choose one of the reasons given.")})
    report = Report(
        reporter=reporter,
        reported_user=reported_user,
        reason=reason,
        text=text,
        message_id=message_id,
        message_text=message_text,
    )
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_handle(*, report: Report, staff: User, action: str, decision: str) -> Report:
    """Close a report with a decision and an action (warn, hide the profile,
    deactivate the account). Logged in the admin history of the report."""
    report = (
        Report.objects.select_for_update()
        .select_related("reported_user")
        .get(pk=report.pk)
    )
    if report.status == Report.Status.CLOSED:
        raise ValidationError(_("This report is already closed."))
    if action not in Report.Action.values:
        raise ValidationError({"action": _("Unknown action.")})
    person = report.reported_user
    if action == Report.Action.WARN:
        notify(recipient=person, kind="mentors.warning", context={"decision": decision})
    elif action == Report.Action.HIDE:
        MentorProfile.objects.filter(user=person).update(
            hidden_by_staff_at=timezone.now()
        )
        for profile_id in MentorProfile.objects.filter(user=person).values_list(
            "pk", flat=True
        ):
            mentor_profile_visibility_changed(profile_id=profile_id)
    elif action == Report.Action.DEACTIVATE:
        user_deactivate(user=person)
    report.status = Report.Status.CLOSED
    report.action = action
    report.decision = decision
    report.handled_by = staff
    report.handled_at = timezone.now()
    report.save()
    staff_action_log(staff=staff, obj=report, message=f"Report closed: {action}")
    return report


@transaction.atomic
def block_create(*, blocker: User, blocked: User) -> tuple[Block, bool]:
    """Block a person (idempotent: blocking twice keeps one block), and act on
    what exists between the two.

    The apps connected to ``mentors.block_created`` end it in this transaction
    (matching closes requests and mentorships, files the safeguarding report
    and drops the suggestions between the two).
    """
    if blocker.pk == blocked.pk:
        raise ValidationError(_("You cannot block yourself."))
    try:
        with transaction.atomic():
            block = Block.objects.create(blocker=blocker, blocked=blocked)
    except IntegrityError:
        return Block.objects.get(blocker=blocker, blocked=blocked), False
    block_created.send(blocker=blocker, blocked=blocked)
    return block, True


@transaction.atomic
def block_delete(*, blocker: User, block_id: int) -> None:
    """Lift one of the person's own blocks; another person's block is a 404."""
    deleted, _rows = Block.objects.filter(pk=block_id, blocker=blocker).delete()
    if not deleted:
        raise Block.DoesNotExist(block_id)


@transaction.atomic
def mentor_profile_set_published(*, user: User, published: bool) -> MentorProfile:
    """The mentor shows or hides their (approved) profile; no review needed."""
    profile = MentorProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        raise MentorProfile.DoesNotExist(user.pk)
    profile.is_published = published
    profile.save(update_fields=["is_published"])
    mentor_search_refresh(profile_ids=[profile.pk])  # the lexicon counts it or not
    bump_mentor_data_version()
    return profile


@transaction.atomic
def mentor_profile_visibility_changed(*, profile_id: int) -> None:
    """After staff changed whether a profile is shown (in the admin): the
    search lexicon counts its words or not, and cached lists move on.

    Precondition: in the transaction of the change. Locks the profile row.
    A profile staff hid is announced (``mentors.mentor_hidden``): its future
    bookings are cancelled.
    """
    mentor_search_refresh(profile_ids=[profile_id])
    bump_mentor_data_version()
    hidden = (
        MentorProfile.objects.filter(pk=profile_id, hidden_by_staff_at__isnull=False)
        .values_list("user_id", flat=True)
        .first()
    )
    if hidden is not None:
        mentor_hidden.send(user_id=hidden)


# --- taxonomy --------------------------------------------------------------


@transaction.atomic
def skill_save(*, skill: Skill) -> Skill:
    """Save a skill edited by staff (the admin), and show its names at once:
    the profiles that list it are searched by the new names (their search
    columns and the lexicon), their pages' cached part (keyed on their
    ``updated_at``) is drawn again, and the mentor-data version moves after the
    commit (cached lists and the skill lists of forms).

    Locks the skill row, then the profiles listing it (in id order), then the
    lexicon rows of the words that changed.
    """
    skill.save()
    profile_ids = sorted(
        MentorSkill.objects.filter(skill=skill).values_list("profile_id", flat=True)
    )
    if profile_ids:
        MentorProfile.objects.filter(pk__in=profile_ids).update(
            updated_at=timezone.now()
        )
        mentor_search_refresh(profile_ids=profile_ids)
    bump_mentor_data_version()
    return skill


@transaction.atomic
def skill_area_save(*, area: SkillArea) -> SkillArea:
    """Save a skill area edited by staff; its name heads a group of the skill
    lists, drawn again once the mentor-data version moves (after the commit)."""
    area.save()
    bump_mentor_data_version()
    return area
