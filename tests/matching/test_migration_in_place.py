"""The matching app adopts the ``mentors_…`` tables in place (mentors 0010,
matching 0001): on a database with rows, every row keeps its id and its
values, the content types are renamed (so permissions, group grants and the
admin history follow), and the way back works too.

The migrations run outside the test transaction, on the shared test
database, which is migrated back to the leaf whatever happens."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.apps.registry import Apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from matching.models import (
    MatchExposure,
    MatchingWeights,
    MatchSuggestion,
    Mentorship,
    MentorshipRequest,
    MentorshipSkill,
    Message,
)
from mentors.data_version import mentor_data_version
from mentors.models import Report

BEFORE_MOVE = ("mentors", "0009_report_reason_block_ended")
MOVED = [
    "mentorshiprequest",
    "mentorship",
    "message",
    "matchingweights",
    "matchsuggestion",
    "matchexposure",
]
# The name Django generated for the unique pair of the automatic M2M table.
GENERATED_UNIQUE = "mentors_mentorship_skills_mentorship_id_skill_id_c62c96f5_uniq"


def _leaf() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _before_move() -> list[tuple[str, str | None]]:
    """mentors at 0009, every app whose migrations need a later mentors state
    unapplied (matching, sessions), every other app at its leaf."""
    graph = MigrationExecutor(connection).loader.graph
    after = {
        node[0]
        for node in graph.nodes
        if node[0] != "mentors"
        and any(
            dep[0] == "mentors" and dep > BEFORE_MOVE
            for dep in graph.forwards_plan(node)
        )
    }
    return [
        *(node for node in _leaf() if node[0] not in {"mentors", *after}),
        BEFORE_MOVE,
        *((label, None) for label in sorted(after)),
    ]


def _migrate(targets: list[tuple[str, str | None]]) -> Apps:
    """Migrate to ``targets``; the historical models there."""
    MigrationExecutor(connection).migrate(targets)
    nodes = [node for node in targets if node[1] is not None]
    state = MigrationExecutor(connection).loader.project_state(nodes, at_end=True)
    return state.apps


def _migrate_before_move() -> Apps:
    return _migrate([("matching", None), *_before_move()])


def _unique_constraints() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'u'"
            " AND conrelid = 'mentors_mentorship_skills'::regclass"
        )
        return [name for (name,) in cursor.fetchall()]


@pytest.fixture
def migrated_back_to_the_leaf() -> Iterator[None]:
    try:
        yield
    finally:
        _migrate(_leaf())
        ContentType.objects.clear_cache()


def _rows_before_the_move(apps: Apps) -> dict[str, Any]:
    """Rows of every moved model, made with the historical models."""
    HistoricalUser = apps.get_model("accounts", "User")
    Skill = apps.get_model("mentors", "Skill")
    Profile = apps.get_model("mentors", "MentorProfile")
    Request = apps.get_model("mentors", "MentorshipRequest")
    OldMentorship = apps.get_model("mentors", "Mentorship")
    OldMessage = apps.get_model("mentors", "Message")
    OldReport = apps.get_model("mentors", "Report")
    Weights = apps.get_model("mentors", "MatchingWeights")
    Suggestion = apps.get_model("mentors", "MatchSuggestion")
    Exposure = apps.get_model("mentors", "MatchExposure")
    OldContentType = apps.get_model("contenttypes", "ContentType")
    OldPermission = apps.get_model("auth", "Permission")
    OldGroup = apps.get_model("auth", "Group")
    OldLogEntry = apps.get_model("admin", "LogEntry")

    now = timezone.now()
    learner = HistoricalUser.objects.create(
        email="lea@example.org", full_name="Léa Apprenante"
    )
    mentor = HistoricalUser.objects.create(
        email="marc@example.org", full_name="Marc Mentor"
    )
    staff = HistoricalUser.objects.create(
        email="sam@example.org", full_name="Sam Staff", is_staff=True
    )
    first_skill, second_skill, third_skill = Skill.objects.order_by("pk")[:3]
    profile = Profile.objects.create(user=mentor, headline="Python et SQL")
    request = Request.objects.create(
        learner=learner,
        mentor=mentor,
        message="Bonjour, pouvez-vous m'aider ?",
        preferred_mode="video",
        status="accepted",
        answered_at=now,
        expires_at=now + timedelta(days=14),
    )
    request.skills.set([first_skill, second_skill])
    mentorship = OldMentorship.objects.create(
        learner=learner, mentor=mentor, request=request
    )
    mentorship.skills.set([first_skill, third_skill])
    thanks = OldMessage.objects.create(
        mentorship=mentorship, author=learner, body="Merci pour hier !"
    )
    rude = OldMessage.objects.create(
        mentorship=mentorship, author=mentor, body="Un message déplacé."
    )
    report_of_rude = OldReport.objects.create(
        reporter=learner, reported_user=mentor, reason="harassment", message=rude
    )
    report_of_thanks = OldReport.objects.create(
        reporter=mentor, reported_user=learner, reason="other", message=thanks
    )
    report_of_profile = OldReport.objects.create(
        reporter=learner, reported_user=mentor, reason="fake", text="Faux profil"
    )
    weights = Weights.objects.create(skill_fit=7, must_language=False, created_by=staff)
    # The exposure row comes from the triggers of mentors 0008.
    suggestion = Suggestion.objects.create(
        learner=learner,
        mentor_profile=profile,
        rank=1,
        score=0.75,
        breakdown={"skill_fit": 0.5},
        reasons=["python"],
        weights_version=weights.pk,
    )
    assert Exposure.objects.get(mentor_profile=profile).shown == 1

    content_types = {
        model: OldContentType.objects.get_or_create(app_label="mentors", model=model)[
            0
        ].pk
        for model in MOVED
    }
    permission, _ = OldPermission.objects.get_or_create(
        content_type_id=content_types["mentorship"],
        codename="view_mentorship",
        defaults={"name": "Can view mentorship"},
    )
    group = OldGroup.objects.create(name="Moderators")
    group.permissions.add(permission)
    staff.groups.add(group)
    log_entry = OldLogEntry.objects.create(
        user=staff,
        content_type_id=content_types["mentorship"],
        object_id=str(mentorship.pk),
        object_repr="Léa ↔ Marc",
        action_flag=CHANGE,
        change_message="[]",
    )
    weights_entry = OldLogEntry.objects.create(
        user=staff,
        content_type_id=content_types["matchingweights"],
        object_id=str(weights.pk),
        object_repr="Poids",
        action_flag=CHANGE,
        change_message="[]",
    )
    # New code that served before the migration ran made matching's own rows:
    # a message type with a permission and history, and a twin permission.
    made = OldContentType.objects.create(app_label="matching", model="message")
    made_permission = OldPermission.objects.create(
        content_type_id=made.pk, codename="change_message", name="Can change message"
    )
    made_entry = OldLogEntry.objects.create(
        user=staff,
        content_type_id=made.pk,
        object_id=str(rude.pk),
        object_repr="Un message déplacé.",
        action_flag=CHANGE,
        change_message="[]",
    )
    made_twin_type = OldContentType.objects.create(
        app_label="matching", model="mentorship"
    )
    twin = OldPermission.objects.create(
        content_type_id=made_twin_type.pk,
        codename="view_mentorship",
        name="Can view mentorship",
    )
    reviewers = OldGroup.objects.create(name="Reviewers")
    reviewers.permissions.add(twin, made_permission)
    pairs = OldMentorship.skills.through.objects.filter(mentorship=mentorship)
    return {
        "made_entry": made_entry.pk,
        "reviewers": reviewers.pk,
        "learner": learner.pk,
        "mentor": mentor.pk,
        "staff": staff.pk,
        "skills": (first_skill.pk, second_skill.pk, third_skill.pk),
        "profile": profile.pk,
        "request": request.pk,
        "mentorship": mentorship.pk,
        "pairs": {(pair.pk, pair.skill_id) for pair in pairs},
        "thanks": thanks.pk,
        "rude": rude.pk,
        "report_of_rude": report_of_rude.pk,
        "report_of_thanks": report_of_thanks.pk,
        "report_of_profile": report_of_profile.pk,
        "weights": weights.pk,
        "suggestion": suggestion.pk,
        "content_types": content_types,
        "permission": permission.pk,
        "group": group.pk,
        "log_entry": log_entry.pk,
        "weights_entry": weights_entry.pk,
    }


def _assert_rows_moved(rows: dict[str, Any]) -> None:
    """The same rows, read through the current models."""
    first_skill, second_skill, third_skill = rows["skills"]

    request = MentorshipRequest.objects.get(pk=rows["request"])
    assert (request.learner_id, request.mentor_id) == (rows["learner"], rows["mentor"])
    assert request.message == "Bonjour, pouvez-vous m'aider ?"
    assert request.status == MentorshipRequest.Status.ACCEPTED
    assert {skill.pk for skill in request.skills.all()} == {first_skill, second_skill}

    mentorship = Mentorship.objects.get(pk=rows["mentorship"])
    assert mentorship.request_id == request.pk
    assert mentorship.status == Mentorship.Status.ACTIVE
    assert {skill.pk for skill in mentorship.skills.all()} == {first_skill, third_skill}
    worked_on = MentorshipSkill.objects.filter(mentorship=mentorship)
    assert {(row.pk, row.skill_id) for row in worked_on} == rows["pairs"]
    assert {row.minutes_attended for row in worked_on} == {0}

    assert list(
        mentorship.messages.values_list("pk", "author_id", "body").order_by("pk")
    ) == [
        (rows["thanks"], rows["learner"], "Merci pour hier !"),
        (rows["rude"], rows["mentor"], "Un message déplacé."),
    ]
    report = Report.objects.get(pk=rows["report_of_rude"])
    assert (report.message_id, report.message_text) == (
        rows["rude"],
        "Un message déplacé.",
    )
    report = Report.objects.get(pk=rows["report_of_profile"])
    assert (report.message_id, report.message_text) == (None, "")

    weights = MatchingWeights.objects.get(pk=rows["weights"])
    assert (weights.skill_fit, weights.level_gap, weights.must_language) == (
        7,
        4,
        False,
    )
    assert weights.created_by_id == rows["staff"]
    suggestion = MatchSuggestion.objects.get(pk=rows["suggestion"])
    assert (suggestion.learner_id, suggestion.mentor_profile_id) == (
        rows["learner"],
        rows["profile"],
    )
    assert (suggestion.rank, suggestion.score, suggestion.weights_version) == (
        1,
        0.75,
        rows["weights"],
    )
    assert (suggestion.breakdown, suggestion.reasons) == (
        {"skill_fit": 0.5},
        ["python"],
    )
    assert MatchExposure.objects.get(mentor_profile_id=rows["profile"]).shown == 1

    # The content types keep their ids; what points at them follows.
    ContentType.objects.clear_cache()
    for model, pk in rows["content_types"].items():
        content_type = ContentType.objects.get(pk=pk)
        assert (content_type.app_label, content_type.model) == ("matching", model)
        assert ContentType.objects.get_for_model(content_type.model_class()).pk == pk
    permission = Permission.objects.get(pk=rows["permission"])
    assert permission.content_type_id == rows["content_types"]["mentorship"]
    assert list(Group.objects.get(pk=rows["group"]).permissions.all()) == [permission]
    assert User.objects.get(pk=rows["staff"]).has_perm("matching.view_mentorship")
    log_entry = LogEntry.objects.get(pk=rows["log_entry"])
    assert log_entry.get_edited_object() == mentorship
    # Rows made for matching before the migration ran joined the old types.
    message_type = rows["content_types"]["message"]
    assert LogEntry.objects.get(pk=rows["made_entry"]).content_type_id == message_type
    # Their permissions joined (or, twins of ones there, were merged into) the
    # old types' permissions, grants included.
    assert {
        (p.content_type_id, p.codename)
        for p in Group.objects.get(pk=rows["reviewers"]).permissions.all()
    } == {
        (rows["content_types"]["mentorship"], "view_mentorship"),
        (message_type, "change_message"),
    }
    assert (
        not Permission.objects.filter(
            content_type__app_label="matching", content_type__model="message"
        )
        .exclude(content_type_id=message_type)
        .exists()
    )
    # The weights have an admin page: their history links to its new address.
    weights_entry = LogEntry.objects.get(pk=rows["weights_entry"])
    assert weights_entry.get_admin_url() == reverse(
        "admin:matching_matchingweights_change", args=[weights.pk]
    )


def _assert_nothing_stale() -> None:
    ContentType.objects.clear_cache()
    stale = [
        f"{ct.app_label}.{ct.model}"
        for ct in ContentType.objects.all()
        if ct.model_class() is None
    ]
    assert stale == []
    count = ContentType.objects.count()
    out = StringIO()
    call_command(
        "remove_stale_contenttypes",
        "--noinput",
        "--include-stale-apps",
        verbosity=2,
        stdout=out,
    )
    assert out.getvalue() == ""
    assert ContentType.objects.count() == count


def _assert_constraints_hold(rows: dict[str, Any]) -> None:
    first_skill, second_skill, _ = rows["skills"]
    assert _unique_constraints() == ["matching_mentorship_skill_unique"]
    with pytest.raises(IntegrityError), transaction.atomic():
        MentorshipSkill.objects.create(
            mentorship_id=rows["mentorship"], skill_id=first_skill
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        MentorshipSkill.objects.create(
            mentorship_id=rows["mentorship"], skill_id=second_skill, minutes_attended=-5
        )


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_every_row_and_can_be_undone(migrated_back_to_the_leaf):
    before = _migrate_before_move()
    generated_unique = _unique_constraints()
    assert generated_unique == [GENERATED_UNIQUE]
    rows = _rows_before_the_move(before)
    # The mentor-data version lived in a row: the sequence goes on from it.
    before.get_model("mentors", "MatchingState").objects.update_or_create(
        pk=1, defaults={"mentor_data_version": 41}
    )

    _migrate(_leaf())

    assert mentor_data_version() > 41
    _assert_rows_moved(rows)
    _assert_nothing_stale()
    _assert_constraints_hold(rows)
    # The tables keep their sequences: a new row takes the next id.
    new = Message.objects.create(
        mentorship_id=rows["mentorship"], author_id=rows["learner"], body="Et après ?"
    )
    assert new.pk > rows["rude"]
    # A plain id outlives the message it names (the way back must cope).
    Message.objects.filter(pk=rows["thanks"]).delete()
    report = Report.objects.get(pk=rows["report_of_thanks"])
    assert (report.message_id, report.message_text) == (
        rows["thanks"],
        "Merci pour hier !",
    )
    MentorshipSkill.objects.filter(skill_id=rows["skills"][0]).update(
        minutes_attended=45
    )

    version = mentor_data_version()
    # Backwards: the foreign key, the generated names, the old app label.
    before = _migrate_before_move()
    assert (
        before.get_model("mentors", "MatchingState").objects.get(pk=1)
    ).mentor_data_version > version

    assert _unique_constraints() == generated_unique
    OldReport = before.get_model("mentors", "Report")
    assert OldReport.objects.get(pk=rows["report_of_rude"]).message.body == (
        "Un message déplacé."
    )
    assert OldReport.objects.get(pk=rows["report_of_thanks"]).message_id is None
    OldMentorship = before.get_model("mentors", "Mentorship")
    mentorship = OldMentorship.objects.get(pk=rows["mentorship"])
    assert {skill.pk for skill in mentorship.skills.all()} == {
        rows["skills"][0],
        rows["skills"][2],
    }
    OldContentType = before.get_model("contenttypes", "ContentType")
    assert {
        ct.model: ct.pk
        for ct in OldContentType.objects.filter(app_label="mentors", model__in=MOVED)
    } == rows["content_types"]
    assert not OldContentType.objects.filter(
        app_label="matching", model__in=MOVED
    ).exists()

    # And forwards again (the minutes, dropped with their column, start at 0).
    _migrate(_leaf())

    _assert_nothing_stale()
    _assert_constraints_hold(rows)
    assert set(
        MentorshipSkill.objects.values_list("minutes_attended", flat=True).filter(
            mentorship_id=rows["mentorship"]
        )
    ) == {0}
    for model, pk in rows["content_types"].items():
        assert ContentType.objects.get(pk=pk).app_label == "matching", model
