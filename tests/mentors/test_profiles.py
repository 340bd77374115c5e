from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from mentors.models import LearnerProfile, MentorProfile
from tests.factories import UserFactory
from tests.mentors.helpers import (
    learner_form_data,
    make_approved_mentor,
    mentor_form_data,
)

pytestmark = pytest.mark.django_db


def test_a_new_person_is_sent_to_onboarding_and_chooses_both_roles(client, user):
    client.force_login(user)

    assert client.get(reverse("space"))["Location"] == reverse("mentors:onboarding")
    response = client.post(
        reverse("mentors:onboarding"), {"learn": "on", "mentor": "on"}
    )

    assert response["Location"] == reverse("mentors:learner-profile")
    assert LearnerProfile.objects.filter(user=user).exists()
    assert MentorProfile.objects.filter(user=user).exists()


def test_onboarding_needs_a_choice(client, user):
    client.force_login(user)

    response = client.post(reverse("mentors:onboarding"), {})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_learner_profile_is_saved_with_skills_and_time_windows(client, user):
    client.force_login(user)

    response = client.post(reverse("mentors:learner-profile"), learner_form_data())

    assert response.status_code == 302
    profile = LearnerProfile.objects.get(user=user)
    assert profile.situation == "reconversion"
    assert [
        (s.skill.code, s.current_level, s.target_level) for s in profile.skills.all()
    ] == [("python", 1, 4)]
    # Tuesday evening 18–21 h and Thursday morning 9–12 h, in the person's zone.
    assert profile.time_windows == [24 + 18, 24 + 19, 24 + 20, 72 + 9, 72 + 10, 72 + 11]


def test_completeness_says_what_is_missing(client, user):
    client.force_login(user)
    client.post(reverse("mentors:onboarding"), {"mentor": "on"})

    page = client.get(reverse("mentors:mentor-profile"))

    assert len(page.context["missing"]) == 6
    client.post(reverse("mentors:mentor-profile"), mentor_form_data())
    assert client.get(reverse("mentors:mentor-profile")).context["missing"] == []


def _png(size=(1200, 900)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 50)).save(buffer, format="PNG")
    return buffer.getvalue()


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (400, 300), (10, 20, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPS latitude
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def test_photo_is_resized_stripped_of_exif_and_served_only_when_allowed(
    client, user, staff_user
):
    upload = SimpleUploadedFile(
        "ma-photo-perso.jpg", _jpeg_with_exif(), content_type="image/jpeg"
    )
    profile = make_approved_mentor(client, user, staff_user, photo=upload)
    assert profile.photo.startswith("photos/")
    # A random name, never the uploaded one (a short name like "me" could turn
    # up by chance inside the random one).
    assert "ma-photo-perso" not in profile.photo

    response = client.get(reverse("mentors:photo", args=[profile.pk]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert b"SecretCameraMaker" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert not image.getexif()

    client.logout()
    assert client.get(reverse("mentors:photo", args=[profile.pk])).status_code == 200
    profile.is_published = False
    profile.save()
    assert client.get(reverse("mentors:photo", args=[profile.pk])).status_code == 404


def test_large_photos_are_resized(client, user, staff_user):
    upload = SimpleUploadedFile("big.png", _png((2400, 1800)), content_type="image/png")
    profile = make_approved_mentor(client, user, staff_user, photo=upload)

    content = b"".join(
        client.get(reverse("mentors:photo", args=[profile.pk])).streaming_content
    )
    with Image.open(io.BytesIO(content)) as image:
        assert max(image.size) == 800


def test_a_draft_photo_is_not_shown_to_others(client, user):
    client.force_login(user)
    client.post(
        reverse("mentors:mentor-profile"),
        mentor_form_data(
            photo=SimpleUploadedFile("a.png", _png(), content_type="image/png")
        ),
    )
    profile = MentorProfile.objects.get(user=user)
    url = reverse("mentors:photo", args=[profile.pk]) + "?version=draft"
    assert client.get(url).status_code == 200

    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_a_public_photo_may_be_kept_by_the_browser_a_draft_never(
    client, user, staff_user
):
    upload = SimpleUploadedFile("a.png", _png(), content_type="image/png")
    profile = make_approved_mentor(client, user, staff_user, photo=upload)
    url = reverse("mentors:photo", args=[profile.pk])
    client.force_login(user)
    client.post(
        reverse("mentors:mentor-profile"),
        mentor_form_data(
            photo=SimpleUploadedFile("b.png", _png(), content_type="image/png")
        ),
    )

    assert client.get(url)["Cache-Control"] == "private, max-age=3600"
    draft = client.get(url + "?version=draft")
    assert draft.status_code == 200
    assert draft["Cache-Control"] == "private, no-store"


def test_untouched_extra_skill_rows_save_nothing_and_a_profile_saves_twice(
    client, user
):
    from tests.mentors.helpers import formset_data

    client.force_login(user)
    data = learner_form_data()
    # The browser also posts the empty extra rows, as rendered.
    data.update(
        formset_data(
            "skills",
            [
                {"skill": "python", "current_level": "1", "target_level": "4"},
                {"skill": "", "current_level": "", "target_level": ""},
                {"skill": "", "current_level": "", "target_level": ""},
            ],
        )
    )

    assert client.post(reverse("mentors:learner-profile"), data).status_code == 302
    assert client.post(reverse("mentors:learner-profile"), data).status_code == 302
    profile = LearnerProfile.objects.get(user=user)
    assert [s.skill.code for s in profile.skills.all()] == ["python"]

    page = client.get(reverse("mentors:learner-profile")).content.decode()
    assert 'name="skills-1-skill"' in page
    assert '<option value="" selected>' in page


def test_the_rendered_mentor_form_posts_back_unchanged(client, user):
    """Submit exactly what the page renders: no phantom skill appears."""
    import re

    client.force_login(user)
    client.post(reverse("mentors:mentor-profile"), mentor_form_data())
    html = client.get(reverse("mentors:mentor-profile")).content.decode()
    data = {}
    for tag in re.findall(r'<input[^>]*name="skills-[^>]*>', html):
        # A browser sends a radio button or a checkbox only when it is ticked.
        if re.search(r'type="(radio|checkbox)"', tag) and " checked" not in tag:
            continue
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and value:
            data[name.group(1)] = value.group(1)
    for name, options in re.findall(
        r'<select[^>]*name="(skills-[^"]+)"[^>]*>(.*?)</select>', html, re.S
    ):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        first = re.search(r'<option value="([^"]*)"', options)
        # A browser sends the first option when none is selected.
        data[name] = (selected or first).group(1)
    form = mentor_form_data()
    form = {k: v for k, v in form.items() if not k.startswith("skills-")}
    form.update(data)

    assert client.post(reverse("mentors:mentor-profile"), form).status_code == 302
    profile = MentorProfile.objects.get(user=user)
    assert [e["code"] for e in profile.draft["skills"]] == ["python"]
