"""Mentors follows accounts' ``user_changed`` hook: a renamed mentor is found
under the new name, a deactivated one leaves the cached directory."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.hooks import user_changed
from core.hooks import hooks
from core.models import OutboxMessage
from mentors.data_version import mentor_data_version
from mentors.models import Report
from mentors.receivers import on_user_changed
from mentors.search import mentor_search_refresh
from mentors.services import report_handle
from tests.accounts.helpers import admin_user_change, sign_in_staff
from tests.factories import PASSWORD, UserFactory
from tests.gates.cast import approved_mentor_profile
from tests.outbox import run_outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentor():
    profile = approved_mentor_profile(UserFactory(full_name="Bernadette Quillivic"))
    mentor_search_refresh(profile_ids=[profile.pk])
    return profile.user


def found(client, q: str) -> list[str]:
    response = client.get(reverse("mentors:directory"), {"q": q})
    assert response.status_code == 200
    return [card["profile"].user.full_name for card in response.context["cards"]]


def test_the_mentors_receiver_is_connected_after_startup():
    assert user_changed in hooks()
    assert on_user_changed in user_changed.receivers()


def test_a_mentor_renamed_in_the_admin_is_found_under_the_new_name_only(
    client, mentor, staff_with_totp, django_capture_on_commit_callbacks
):
    # Searched once before, so a cached page would answer if nothing moved.
    assert found(client, "quillivic") == ["Bernadette Quillivic"]
    assert found(client, "marchetti") == []
    sign_in_staff(client, staff_with_totp)

    admin_user_change(client, mentor, full_name="Solange Marchetti")
    with django_capture_on_commit_callbacks(execute=True):  # the task commits
        run_outbox()
    client.logout()

    assert found(client, "marchetti") == ["Solange Marchetti"]
    assert found(client, "quillivic") == []


def test_a_mentor_renamed_in_their_preferences_is_found_under_the_new_name_only(
    client, mentor, django_capture_on_commit_callbacks
):
    assert found(client, "quillivic") == ["Bernadette Quillivic"]
    client.force_login(mentor)

    client.post(
        reverse("accounts:preferences"),
        {"full_name": "Solange Marchetti", "language": "fr", "time_zone": "UTC"},
    )
    with django_capture_on_commit_callbacks(execute=True):  # the task commits
        run_outbox()

    assert found(client, "marchetti") == ["Solange Marchetti"]
    assert found(client, "quillivic") == []


def test_preferences_that_keep_the_name_queue_no_search_refresh(client, mentor):
    client.force_login(mentor)

    client.post(
        reverse("accounts:preferences"),
        {"full_name": mentor.full_name, "language": "en", "time_zone": "UTC"},
    )

    assert not OutboxMessage.objects.filter(dedupe_key=f"mentor-search:{mentor.pk}")


def test_a_mentor_deactivated_in_the_admin_leaves_the_cached_directory(
    client, mentor, staff_with_totp, django_capture_on_commit_callbacks
):
    assert found(client, "quillivic") == ["Bernadette Quillivic"]
    sign_in_staff(client, staff_with_totp)
    before = mentor_data_version()

    with django_capture_on_commit_callbacks(execute=True):  # the request commits
        admin_user_change(client, mentor, is_active=False)
    client.logout()

    assert mentor_data_version() > before
    assert found(client, "quillivic") == []


def test_an_admin_change_to_other_fields_keeps_the_version(
    client, mentor, staff_with_totp, django_capture_on_commit_callbacks
):
    sign_in_staff(client, staff_with_totp)
    before = mentor_data_version()

    with django_capture_on_commit_callbacks(execute=True):  # the request commits
        admin_user_change(client, mentor, language="en")

    assert mentor_data_version() == before
    assert not OutboxMessage.objects.filter(dedupe_key=f"mentor-search:{mentor.pk}")


def test_a_mentor_deactivated_on_a_report_leaves_the_cached_directory(
    client, mentor, staff_user, django_capture_on_commit_callbacks
):
    assert found(client, "quillivic") == ["Bernadette Quillivic"]
    report = Report.objects.create(
        reporter=UserFactory(), reported_user=mentor, reason="spam"
    )
    before = mentor_data_version()

    with django_capture_on_commit_callbacks(execute=True):
        report_handle(
            report=report, staff=staff_user, action="deactivate", decision="…"
        )

    assert mentor_data_version() > before
    assert found(client, "quillivic") == []


def test_signing_in_keeps_the_version(
    client, mentor, django_capture_on_commit_callbacks
):
    before = mentor_data_version()

    with django_capture_on_commit_callbacks(execute=True):  # the request commits
        client.post(
            reverse("account_login"), {"login": mentor.email, "password": PASSWORD}
        )

    mentor.refresh_from_db()
    assert mentor.last_login is not None
    assert mentor_data_version() == before
