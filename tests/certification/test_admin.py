"""The reviewers' workflow in the admin: the group and its permissions, the
list (filters, search, conflicts of interest hidden), the read-only evidence,
the decision form (reasons required, a lower level), bulk "ask" only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from certification.groups import REVIEWERS_GROUP, reviewers_group_ensure
from certification.models import AttestationRequest, RequestEvent
from core.models import OutboxMessage
from tests.certification.helpers import a_reviewer, endorse, submitted
from tests.factories import UserFactory, add_totp, totp_code

pytestmark = pytest.mark.django_db


def _signed_in(client, user):
    secret = add_totp(user)
    client.force_login(user)
    assert (
        client.post(reverse("mfa_reauthenticate"), {"code": totp_code(secret)})
    ).status_code == 302
    return client


@pytest.fixture
def reviewer_client(client):
    reviewer = a_reviewer(full_name="Rita Relecture")
    _signed_in(client, reviewer)
    client.reviewer = reviewer
    return client


def test_the_group_has_just_the_permissions_needed_and_is_idempotent():
    group = reviewers_group_ensure()
    again = reviewers_group_ensure()

    assert group.pk == again.pk
    assert Group.objects.filter(name=REVIEWERS_GROUP).count() == 1
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert "review_attestationrequest" in codenames
    assert not {c for c in codenames if c.startswith(("change_", "delete_", "add_"))}


def test_the_list_filters_and_search(reviewer_client):
    _fresh, _m, _s = submitted(UserFactory(full_name="Léa Martin"))
    old, _m2, _s2 = submitted(UserFactory(full_name="Omar Diallo"))
    AttestationRequest.objects.filter(pk=old.pk).update(
        submitted_at=timezone.now() - timedelta(days=40)
    )
    url = reverse("admin:certification_attestationrequest_changelist")

    page = reviewer_client.get(url).text
    assert "Léa Martin" in page
    assert "Omar Diallo" in page
    older = reviewer_client.get(url, {"waiting": "older"}).text
    assert "Omar Diallo" in older
    assert "Léa Martin" not in older
    week = reviewer_client.get(url, {"waiting": "week", "band": "intermediate"}).text
    assert "Léa Martin" in week
    assert "Omar Diallo" not in week
    assert "Léa Martin" not in reviewer_client.get(url, {"band": "advanced"}).text
    found = reviewer_client.get(url, {"q": "diallo"}).text
    assert "Omar Diallo" in found
    assert "Léa Martin" not in found
    assert reviewer_client.get(url, {"state": "submitted"}).status_code == 200


def test_a_conflict_of_interest_is_hidden_from_that_reviewer(reviewer_client):
    mine, _main, _second = submitted(UserFactory(full_name="Léa Martin"))
    # The reviewer endorsed the learner: conflict.
    from mentors.models import MentorSkill
    from tests.certification.helpers import attended, skill
    from tests.gates.cast import approved_mentor_profile

    reviewer = reviewer_client.reviewer
    MentorSkill.objects.create(
        profile=approved_mentor_profile(reviewer), skill=skill(), level=6, years=1
    )
    attended(mine.learner, reviewer, minutes=30)
    endorse(mine.learner, reviewer, 2)

    listing = reviewer_client.get(
        reverse("admin:certification_attestationrequest_changelist")
    ).text
    assert "Léa Martin" not in listing
    change = reverse("admin:certification_attestationrequest_change", args=[mine.pk])
    assert reviewer_client.get(change).status_code == 302  # "does not exist"
    decide = reverse("admin:certification_attestationrequest_decide", args=[mine.pk])
    assert reviewer_client.post(decide, {"decision": "approve"}).status_code == 404
    assert AttestationRequest.objects.get(pk=mine.pk).state == "submitted"


def test_the_change_page_shows_the_evidence_read_only_and_the_trail(reviewer_client):
    request, main, second = submitted(UserFactory(full_name="Léa Martin"))
    page = reviewer_client.get(
        reverse("admin:certification_attestationrequest_change", args=[request.pk])
    ).text

    assert main.full_name in page
    assert second.full_name in page
    assert "Séances confirmées" in page
    assert 'name="_save"' not in page  # nothing to edit
    assert 'id="decision-form"' in page
    assert "Je rejoins une visio" in page
    assert "Envoyée" in page  # the audit trail


def test_a_lower_level_needs_a_reason_then_is_recorded(reviewer_client):
    request, _main, _second = submitted()
    decide = reverse("admin:certification_attestationrequest_decide", args=[request.pk])

    refused = reviewer_client.post(decide, {"decision": "approve", "level": 2})
    assert refused.status_code == 200
    assert "Donnez un motif" in refused.text
    assert AttestationRequest.objects.get(pk=request.pk).state == "submitted"

    done = reviewer_client.post(
        decide, {"decision": "approve", "level": 2, "reason": "Visio pas seule"}
    )
    assert done.status_code == 302
    row = AttestationRequest.objects.get(pk=request.pk)
    assert (row.state, row.approved_level, row.decided_by) == (
        "approved",
        2,
        reviewer_client.reviewer,
    )
    assert OutboxMessage.objects.filter(task_name="core.tasks.send_email_task")


def test_a_second_decision_on_the_same_request_is_refused(reviewer_client):
    request, _main, _second = submitted()
    decide = reverse("admin:certification_attestationrequest_decide", args=[request.pk])
    reviewer_client.post(decide, {"decision": "reject", "reason": "Non"})

    again = reviewer_client.post(decide, {"decision": "approve"}, follow=True)
    assert "attend plus de décision" in again.text
    assert RequestEvent.objects.filter(request=request, action="approved").count() == 0


def test_no_bulk_approval_but_bulk_ask(reviewer_client):
    first, _m, _s = submitted()
    second, _m2, _s2 = submitted()
    url = reverse("admin:certification_attestationrequest_changelist")
    actions = reviewer_client.get(url).context["action_form"].fields["action"].choices
    names = {name for name, _label in actions if name}
    assert names == {"ask_for_more_information"}

    selected = {
        "action": "ask_for_more_information",
        "_selected_action": [first.pk, second.pk],
    }
    confirm = reviewer_client.post(url, selected)
    assert confirm.status_code == 200
    assert 'name="reason"' in confirm.text
    reviewer_client.post(url, {**selected, "reason": "Ajoutez un exemple"})

    states = set(
        AttestationRequest.objects.filter(pk__in=[first.pk, second.pk]).values_list(
            "state", flat=True
        )
    )
    assert states == {"more_info"}


def test_the_audit_trail_is_read_only_even_for_a_superuser(client):
    request, _main, _second = submitted()
    _signed_in(client, UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:certification_attestationrequest_change", args=[request.pk])

    page = client.get(url).text
    assert "Envoyée" in page  # the "submitted" event is shown
    assert 'name="events-0-reason"' not in page
    assert client.post(url, {"decision_reason": "edited"}).status_code == 403
    assert not AttestationRequest.objects.filter(decision_reason="edited").exists()


def test_the_list_costs_the_same_queries_for_more_requests(reviewer_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:certification_attestationrequest_changelist")
    submitted()
    with CaptureQueriesContext(connection) as one:
        reviewer_client.get(url)
    submitted()
    submitted()
    with CaptureQueriesContext(connection) as three:
        page = reviewer_client.get(url)

    assert page.text.count("/change/") >= 3
    assert len(three.captured_queries) == len(one.captured_queries)


def test_every_conflict_of_interest_is_hidden_in_the_admin(client):
    from certification.groups import reviewers_group_ensure
    from tests.certification.test_decisions import _conflicted_reviewers

    request, main, second = submitted(UserFactory(full_name="Léa Martin"))
    reviewers = _conflicted_reviewers(request, main, second)
    # The learner is a reviewer too: never of their own request.
    own = request.learner
    own.is_staff = True
    own.save(update_fields=["is_staff"])
    own.groups.add(reviewers_group_ensure())
    reviewers["own"] = own
    listing = reverse("admin:certification_attestationrequest_changelist")
    decide = reverse("admin:certification_attestationrequest_decide", args=[request.pk])

    for name, reviewer in reviewers.items():
        _signed_in(client, reviewer)
        assert "Léa Martin" not in client.get(listing).text, name
        assert client.post(decide, {"decision": "approve"}).status_code == 404, name
    assert AttestationRequest.objects.get(pk=request.pk).state == "submitted"
