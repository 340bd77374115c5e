from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from mentors.models import MentorProfile
from mentors.selectors import mentor_profile_public_list
from mentors.services import (
    mentor_profile_approve,
    mentor_profile_get_or_create,
    mentor_profile_request_changes,
)
from tests.factories import PASSWORD, UserFactory, totp_code
from tests.mentors.helpers import make_approved_mentor, mentor_form_data
from tests.outbox import run_outbox

pytestmark = pytest.mark.django_db


def _public(client, profile) -> int:
    client.logout()
    return client.get(reverse("mentors:detail", args=[profile.pk])).status_code


def test_a_draft_is_never_public(client, user):
    client.force_login(user)
    client.post(reverse("mentors:mentor-profile"), mentor_form_data())
    profile = MentorProfile.objects.get(user=user)

    assert profile.status == "draft"
    assert _public(client, profile) == 404
    assert not mentor_profile_public_list().filter(pk=profile.pk).exists()


def test_the_charter_must_be_accepted_before_submitting(client, user):
    client.force_login(user)
    client.post(reverse("mentors:mentor-profile"), mentor_form_data())

    client.post(reverse("mentors:mentor-profile-submit"), {})
    profile = MentorProfile.objects.get(user=user)
    assert profile.status == "draft"
    assert profile.charter_accepted_at is None

    client.post(reverse("mentors:mentor-profile-submit"), {"accept_charter": "on"})
    profile.refresh_from_db()
    assert profile.status == "submitted"
    assert profile.charter_accepted_at is not None


def test_the_charter_refusal_is_shown_by_its_checkbox_on_the_editor(client, user):
    """Not in a message at the top of the page, a screen away from the box."""
    client.force_login(user)
    client.post(reverse("mentors:mentor-profile"), mentor_form_data())

    response = client.post(reverse("mentors:mentor-profile-submit"), {})

    assert response.status_code == 200
    html = response.content.decode()
    assert not any("charte" in str(m) for m in response.context["messages"])
    box = re.search(r'<input type="checkbox" name="accept_charter"[^>]*>', html)
    assert box
    assert 'aria-invalid="true"' in box.group(0)
    assert 'aria-describedby="id_accept_charter_error"' in box.group(0)
    error = html.index('id="id_accept_charter_error"')
    assert "accepter la charte" in html[error : error + 200]
    assert 'href="#id_accept_charter"' in html  # from the summary


def test_an_incomplete_profile_cannot_be_submitted(client, user):
    client.force_login(user)
    client.post(reverse("mentors:mentor-profile"), mentor_form_data(bio="Court."))

    response = client.post(
        reverse("mentors:mentor-profile-submit"), {"accept_charter": "on"}, follow=True
    )

    assert MentorProfile.objects.get(user=user).status == "draft"
    assert "50" in response.content.decode()


def test_changes_requested_profile_is_not_public_and_the_mentor_is_told(
    client, user, staff_user
):
    user.language = "en"
    user.save()
    client.force_login(user)
    client.post(reverse("mentors:mentor-profile"), mentor_form_data())
    client.post(reverse("mentors:mentor-profile-submit"), {"accept_charter": "on"})
    profile = mentor_profile_get_or_create(user=user)

    mentor_profile_request_changes(
        profile=profile, staff=staff_user, message="Ajoutez une photo, svp."
    )
    run_outbox()

    profile.refresh_from_db()
    assert profile.status == "changes_requested"
    assert _public(client, profile) == 404
    [message] = [m for m in mail.outbox if m.to == [user.email]]
    assert "Ajoutez une photo, svp." in message.body
    assert "changes" in message.subject.lower()  # in the mentor's language (English)


def test_approval_publishes_and_a_re_edit_waits_for_review(client, user, staff_user):
    profile = make_approved_mentor(client, user, staff_user)
    assert _public(client, profile) == 200
    assert (
        "Développeuse web"
        in client.get(reverse("mentors:detail", args=[profile.pk])).content.decode()
    )

    client.force_login(user)
    client.post(
        reverse("mentors:mentor-profile"),
        mentor_form_data(headline="Nouvelle accroche"),
    )
    profile.refresh_from_db()
    assert profile.status == "draft"
    assert profile.headline.startswith("Développeuse web")  # the public version
    client.logout()
    page = client.get(reverse("mentors:detail", args=[profile.pk])).content.decode()
    assert "Nouvelle accroche" not in page
    assert "Développeuse web" in page

    client.force_login(user)
    client.post(
        reverse("mentors:mentor-profile-submit"), {}
    )  # charter already accepted
    mentor_profile_approve(profile=profile, staff=staff_user)
    client.logout()
    assert (
        "Nouvelle accroche"
        in client.get(reverse("mentors:detail", args=[profile.pk])).content.decode()
    )


def test_only_a_submitted_profile_can_be_approved(client, user, staff_user):
    client.force_login(user)
    client.post(reverse("mentors:mentor-profile"), mentor_form_data())
    profile = MentorProfile.objects.get(user=user)

    with pytest.raises(ValidationError):
        mentor_profile_approve(profile=profile, staff=staff_user)
    with pytest.raises(ValidationError):
        mentor_profile_request_changes(profile=profile, staff=staff_user, message="x")


def test_the_owner_previews_a_profile_before_it_is_public(client, user):
    client.force_login(user)
    client.post(reverse("mentors:mentor-profile"), mentor_form_data())
    profile = MentorProfile.objects.get(user=user)

    page = client.get(reverse("mentors:detail", args=[profile.pk]))

    assert page.status_code == 200
    assert page.context["preview"] is True


def test_a_profile_of_an_unverified_or_inactive_person_is_not_public(
    client, user, staff_user
):
    profile = make_approved_mentor(client, user, staff_user)
    user.emailaddress_set.update(verified=False)
    assert _public(client, profile) == 404
    user.emailaddress_set.update(verified=True)
    user.is_active = False
    user.save()
    assert _public(client, profile) == 404


def test_staff_approve_and_request_changes_from_the_admin_queue(
    client, staff_with_totp
):
    mentors = [UserFactory(), UserFactory()]
    for person in mentors:
        client.force_login(person)
        client.post(reverse("mentors:mentor-profile"), mentor_form_data())
        client.post(reverse("mentors:mentor-profile-submit"), {"accept_charter": "on"})
    first, second = (MentorProfile.objects.get(user=p) for p in mentors)
    client.logout()
    client.post(
        reverse("account_login"), {"login": staff_with_totp.email, "password": PASSWORD}
    )
    client.post(
        reverse("mfa_authenticate"), {"code": totp_code(staff_with_totp.totp_secret)}
    )
    changelist = reverse("admin:mentors_mentorprofile_changelist")

    queue = client.get(changelist, {"status__exact": "submitted"})
    assert {p.pk for p in queue.context["cl"].result_list} == {first.pk, second.pk}
    client.post(changelist, {"action": "approve", "_selected_action": [first.pk]})
    ask = client.post(
        changelist, {"action": "request_changes", "_selected_action": [second.pk]}
    )
    assert ask.status_code == 200  # the page asking for the message
    client.post(
        changelist,
        {
            "action": "request_changes",
            "_selected_action": [second.pk],
            "message": "Précisez vos compétences.",
        },
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == "approved"
    assert second.status == "changes_requested"
    assert second.review_message == "Précisez vos compétences."
    detail = client.get(reverse("admin:mentors_mentorprofile_change", args=[second.pk]))
    assert detail.status_code == 200
