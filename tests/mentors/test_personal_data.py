from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.personal_data import personal_data_erase, private_storage, providers
from mentors.models import Block, LearnerProfile, MentorProfile, Report
from mentors.personal_data import export_profiles, export_reports_and_blocks
from tests.accounts.test_personal_data import _rows_mentioning
from tests.factories import UserFactory
from tests.mentors.helpers import learner_form_data, make_approved_mentor
from tests.mentors.test_profiles import _png

pytestmark = pytest.mark.django_db

NAME = "Honorine Vasseur-Kerbrat"
EMAIL = "honorine.vasseur@example.org"


def test_mentors_registers_its_providers():
    names = [p.name for p in providers()]

    assert {"profiles", "reports_and_blocks"} <= set(names)
    assert names.index("account") < names.index("profiles")  # account erased last


def test_export_and_erasure_of_profiles_reports_and_blocks(client, staff_user):
    person = UserFactory(email=EMAIL, full_name=NAME)
    photo = SimpleUploadedFile("p.png", _png(), content_type="image/png")
    profile = make_approved_mentor(
        client,
        person,
        staff_user,
        bio=f"Je suis {NAME}, joignable à {EMAIL}, depuis 20 ans.",
        photo=photo,
    )
    client.post(reverse("mentors:learner-profile"), learner_form_data())
    other = UserFactory()
    Report.objects.create(
        reporter=person, reported_user=other, reason="spam", text=f"{NAME}"
    )
    Report.objects.create(reporter=other, reported_user=person, reason="fake")
    Block.objects.create(blocker=person, blocked=UserFactory())
    Block.objects.create(blocker=other, blocked=person)

    exported = export_profiles(person)
    assert exported["mentor_profile"]["published"]["bio"].startswith("Je suis")
    assert exported["learner_profile"]["skills"][0]["skill"] == "python"
    assert len(export_reports_and_blocks(person)["blocks"]) == 1
    assert private_storage().exists(profile.photo)

    personal_data_erase(user=person)

    assert not MentorProfile.objects.filter(pk=profile.pk).exists()
    assert not LearnerProfile.objects.filter(user=person).exists()
    assert not private_storage().exists(profile.photo)
    assert not Block.objects.filter(blocker=person).exists()
    assert not Block.objects.filter(blocked=person).exists()
    filed = Report.objects.get(reported_user=other)
    assert (filed.reporter, filed.text) == (None, "")
    assert _rows_mentioning(EMAIL) == []
    assert _rows_mentioning(NAME) == []


def test_erasure_keeps_the_other_persons_side_readable():
    from matching.models import Mentorship, Message
    from matching.personal_data import export_mentorships
    from matching.services import (
        mentorship_request_accept,
        mentorship_request_create,
        message_send,
    )
    from tests.matching.helpers import learner_with_skills, mentor

    person = learner_with_skills(email=EMAIL, full_name=NAME)
    profile = mentor()
    request = mentorship_request_create(
        learner=person,
        mentor_profile_id=profile.pk,
        skill_codes=["python"],
        message=f"Bonjour, je suis {NAME}.",
        preferred_mode="video",
    )
    mentorship = mentorship_request_accept(mentor=profile.user, request_id=request.pk)
    message_send(author=person, mentorship_id=mentorship.pk, body="Merci beaucoup !")
    message_send(
        author=profile.user, mentorship_id=mentorship.pk, body=f"Avec plaisir, {NAME} !"
    )
    assert (
        export_mentorships(person)["messages_written"][0]["body"] == "Merci beaucoup !"
    )

    personal_data_erase(user=person)

    remaining = list(Message.objects.filter(mentorship=mentorship))
    assert [m.body for m in remaining] == ["Avec plaisir, … !"]
    assert Mentorship.objects.filter(pk=mentorship.pk).exists()
    assert _rows_mentioning(EMAIL) == []
    assert _rows_mentioning(NAME) == []
