"""The booking page's free times are drawn once per mentor, language, zones
and free slots (``sessions.views._booking_times``), and drawn again as soon as
a slot is added, booked or freed by a cancellation; the learner's own part
(the mentorship's skills) is never shared with another learner."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse

from sessions import views
from sessions.models import CancelReason, Slot
from sessions.services import booking_cancel, booking_create
from tests.factories import UserFactory
from tests.matching.helpers import mentor
from tests.sessions.test_booking_queries import _roomy
from tests.sessions.test_bookings import START, _mentorship, _slot

pytestmark = pytest.mark.django_db


def _page(profile) -> str:
    return reverse("coaching_sessions:booking-new", args=[profile.pk])


def _radios(html: str) -> int:
    return html.count('type="radio" name="slot"')


@pytest.fixture
def drawings():
    """Counts the times the free times are drawn (labelled and grouped)."""
    with mock.patch.object(views, "slot_choices", wraps=views.slot_choices) as counted:
        yield counted


def test_the_times_are_drawn_once_then_again_after_a_booking_a_new_slot_and_a_cancellation(  # noqa: E501
    client, drawings
):
    profile = mentor()
    _roomy(profile)
    learner, other = UserFactory(), UserFactory()
    _mentorship(learner, profile)
    _mentorship(other, profile)
    first, second = (_slot(profile, START + timedelta(hours=h)) for h in (0, 2))
    client.force_login(learner)

    shown = client.get(_page(profile)).text
    again = client.get(_page(profile)).text

    assert _radios(shown) == _radios(again) == 2
    assert drawings.call_count == 1  # the second page used the drawn times

    # Another learner books the first: it is gone from the page at once.
    booking = booking_create(learner=other, slot_id=first.pk, mode="video")
    after_booking = client.get(_page(profile)).text
    assert drawings.call_count == 2
    assert f'value="{first.pk}"' not in after_booking
    assert f'value="{second.pk}"' in after_booking

    # The mentor adds a time: it shows at once.
    third = _slot(profile, START + timedelta(hours=4))
    after_slot = client.get(_page(profile)).text
    assert drawings.call_count == 3
    assert f'value="{third.pk}"' in after_slot

    # The booking is cancelled: its time is free again, and shown.
    booking_cancel(person=other, booking_id=booking.pk, reason=CancelReason.OTHER)
    assert Slot.objects.get(pk=first.pk).status == Slot.Status.FREE
    after_cancel = client.get(_page(profile)).text
    assert drawings.call_count == 4
    assert f'value="{first.pk}"' in after_cancel
    assert _radios(after_cancel) == 3


def test_a_sent_form_is_drawn_with_the_learners_choice_not_from_the_cache(
    client, drawings
):
    profile = mentor()
    learner = UserFactory()
    _mentorship(learner, profile)
    slot = _slot(profile)
    client.force_login(learner)
    client.get(_page(profile))

    # No way to meet chosen: the page comes back with the time still chosen.
    sent = client.post(_page(profile), {"slot": str(slot.pk)})

    assert sent.status_code == 200
    assert f'value="{slot.pk}" id="slot-{slot.pk}" checked' in sent.text
    assert drawings.call_count == 2
    # The next plain page is the shared drawing again, nothing chosen in it.
    plain = client.get(_page(profile)).text
    assert drawings.call_count == 2
    assert "checked" not in plain


def test_each_learner_sees_their_own_skills_beside_the_shared_times(client, drawings):
    profile = mentor()
    _slot(profile)
    with_skills, without = UserFactory(), UserFactory()
    mentorship = _mentorship(with_skills, profile, skills=2)
    _mentorship(without, profile)
    names = [s.skill.name_fr for s in mentorship.mentorshipskill_set.all()]

    client.force_login(with_skills)
    first = client.get(_page(profile)).text
    client.force_login(without)
    second = client.get(_page(profile)).text

    assert drawings.call_count == 1  # the times were shared
    assert all(name in first for name in names)
    assert not any(name in second for name in names)
    assert 'name="skills"' in first
    assert 'name="skills"' not in second


def test_the_times_are_drawn_in_the_learners_zone_and_language(client, drawings):
    profile = mentor()
    _slot(profile, START)  # 09:00 UTC: 10 h 00 in Paris, 13 h 00 in La Réunion
    paris = UserFactory(time_zone="Europe/Paris")
    reunion = UserFactory(time_zone="Indian/Reunion")
    for learner in (paris, reunion):
        _mentorship(learner, profile)

    client.force_login(paris)
    in_paris = client.get(_page(profile)).text
    client.force_login(reunion)
    in_reunion = client.get(_page(profile)).text

    assert drawings.call_count == 2
    assert "10 h 00" in in_paris
    assert "13 h 00" in in_reunion
    # The mentor's own time beside it, as the zones differ.
    assert "(10 h 00, heure de" in in_reunion


def _fieldset(html: str, field_id: str) -> str:
    """The fieldset holding ``field_id``, its white space collapsed."""
    end = html.index("</fieldset>", html.index(f'id="{field_id}"'))
    start = html.rindex("<fieldset", 0, end)
    return " ".join(html[start:end].replace(">", "> ").replace("<", " <").split())


def test_the_skills_drawn_by_the_page_are_what_the_form_field_draws(client):
    """Before the form is sent the page draws the skills by a loop: the same
    checkboxes, labels and ids as the form's own field (drawn after a send)."""
    profile = mentor()
    slot = _slot(profile)
    learner = UserFactory()
    _mentorship(learner, profile, skills=3)
    client.force_login(learner)

    looped = _fieldset(client.get(_page(profile)).text, "id_skills")
    # A send without a way to meet: the page comes back drawn by the form.
    sent = _fieldset(
        client.post(_page(profile), {"slot": str(slot.pk)}).text, "id_skills"
    )

    assert looped.count('type="checkbox" name="skills"') == 3
    assert looped == sent
