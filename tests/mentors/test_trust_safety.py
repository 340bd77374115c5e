from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.urls import reverse

from mentors.models import Block, Report
from mentors.services import block_create, report_handle
from tests.factories import UserFactory
from tests.mentors.helpers import make_approved_mentor

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentor_profile(client, staff_user):
    return make_approved_mentor(client, UserFactory(), staff_user)


def test_a_signed_in_person_reports_a_profile_to_the_staff_queue(
    client, mentor_profile
):
    reporter = UserFactory()
    client.force_login(reporter)

    response = client.post(
        reverse("mentors:report", args=[mentor_profile.pk]),
        {"reason": "fake", "text": "Ce n'est pas une vraie personne."},
    )

    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.reporter, report.reported_user, report.status) == (
        reporter,
        mentor_profile.user,
        "open",
    )


def test_reporting_needs_a_login_and_a_reason(client, mentor_profile):
    url = reverse("mentors:report", args=[mentor_profile.pk])
    client.logout()
    assert client.post(url, {"reason": "fake"}).status_code == 302  # to the login
    client.force_login(UserFactory())

    response = client.post(url, {"reason": "not-a-reason"})

    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert not Report.objects.exists()


@pytest.mark.parametrize(
    ("action", "check"),
    [
        ("hide", lambda p: p.hidden_by_staff_at is not None),
        ("deactivate", lambda p: not p.user.is_active),
        (
            "warn",
            lambda p: p.user.notifications.filter(kind="mentors.warning").exists(),
        ),
    ],
)
def test_staff_close_a_report_with_an_action_that_is_applied_and_logged(
    client, mentor_profile, staff_user, action, check
):
    report = Report.objects.create(
        reporter=UserFactory(), reported_user=mentor_profile.user, reason="spam"
    )

    report_handle(report=report, staff=staff_user, action=action, decision="Décision.")

    mentor_profile.refresh_from_db()
    mentor_profile.user.refresh_from_db()
    assert check(mentor_profile)
    report.refresh_from_db()
    assert (report.status, report.handled_by) == ("closed", staff_user)
    assert LogEntry.objects.filter(object_id=str(report.pk), user=staff_user).exists()
    if action in ("hide", "deactivate"):
        client.logout()
        assert (
            client.get(reverse("mentors:detail", args=[mentor_profile.pk])).status_code
            == 404
        )
    with pytest.raises(ValidationError):
        report_handle(report=report, staff=staff_user, action="warn", decision="again")


def test_a_blocked_person_can_no_longer_see_the_blocker(client, mentor_profile):
    other = UserFactory()
    block_create(blocker=mentor_profile.user, blocked=other)
    client.force_login(other)

    assert (
        client.get(reverse("mentors:detail", args=[mentor_profile.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("mentors:photo", args=[mentor_profile.pk])).status_code
        == 404
    )
    assert (
        client.post(reverse("mentors:report", args=[mentor_profile.pk]), {}).status_code
        == 404
    )
    # Everyone else still sees the profile.
    client.force_login(UserFactory())
    assert (
        client.get(reverse("mentors:detail", args=[mentor_profile.pk])).status_code
        == 200
    )


def test_blocking_from_a_profile_and_unblocking(client, mentor_profile):
    me = UserFactory()
    client.force_login(me)

    client.post(reverse("mentors:block", args=[mentor_profile.user_id]))
    client.post(
        reverse("mentors:block", args=[mentor_profile.user_id])
    )  # twice: one block

    assert Block.objects.filter(blocker=me, blocked=mentor_profile.user).count() == 1
    assert (
        client.get(reverse("mentors:detail", args=[mentor_profile.pk])).status_code
        == 404
    )
    block = Block.objects.get()
    client.post(reverse("mentors:blocks"), {"block": block.pk})
    assert not Block.objects.exists()
    assert (
        client.get(reverse("mentors:detail", args=[mentor_profile.pk])).status_code
        == 200
    )


def test_nobody_lifts_another_persons_block(client, mentor_profile):
    block, _ = block_create(blocker=mentor_profile.user, blocked=UserFactory())
    client.force_login(UserFactory())

    assert (
        client.post(reverse("mentors:blocks"), {"block": block.pk}).status_code == 404
    )
    assert client.post(reverse("mentors:blocks"), {"block": "x"}).status_code == 404
    assert Block.objects.filter(pk=block.pk).exists()


def test_nobody_blocks_or_reports_themself(mentor_profile):
    with pytest.raises(ValidationError):
        block_create(blocker=mentor_profile.user, blocked=mentor_profile.user)
