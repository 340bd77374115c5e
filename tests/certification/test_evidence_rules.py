"""Endorsement and observation preconditions: a session together on the
skill, the mentor's own level, once each; "another mentor than the main one"
from the intermediate band up; the learner hides an endorsement."""

from __future__ import annotations

import pytest
from django.core.exceptions import ObjectDoesNotExist, ValidationError

from certification.models import Endorsement, ObservedTask
from certification.selectors import main_mentor_id
from certification.services import (
    endorsement_create,
    endorsement_set_hidden,
    task_observation_record,
)
from core.errors import Conflict
from tests.certification.helpers import a_mentor, attended, skill
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def _endorse(mentor, learner, level=3, code="2.1"):
    return endorsement_create(
        mentor=mentor,
        learner_id=learner.pk,
        skill_code=code,
        level=level,
        comment="Envoie ses courriels seule.",
    )


def test_a_mentor_endorses_after_an_attended_session_on_the_skill():
    learner, mentor = UserFactory(), a_mentor(level=5)
    with pytest.raises(Endorsement.DoesNotExist):
        _endorse(mentor, learner)

    attended(learner, mentor, code="1.1")  # another skill
    with pytest.raises(Endorsement.DoesNotExist):
        _endorse(mentor, learner)

    attended(learner, mentor)
    endorsement = _endorse(mentor, learner)
    assert (endorsement.level, endorsement.skill.code) == (3, "2.1")


def test_a_session_that_did_not_take_place_is_not_enough():
    learner, mentor = UserFactory(), a_mentor()
    booking = attended(learner, mentor)
    booking.attendance.status = "mentor_absent"
    booking.attendance.save()

    with pytest.raises(Endorsement.DoesNotExist):
        _endorse(mentor, learner)


def test_a_mentor_endorses_at_most_at_their_own_level():
    learner, mentor = UserFactory(), a_mentor(level=4)
    attended(learner, mentor)

    with pytest.raises(ValidationError) as caught:
        _endorse(mentor, learner, level=5)
    assert "level" in caught.value.message_dict
    assert _endorse(mentor, learner, level=4).level == 4


def test_levels_7_and_8_cannot_be_endorsed_and_twice_is_a_conflict():
    learner, mentor = UserFactory(), a_mentor(level=8)
    attended(learner, mentor)
    with pytest.raises(ValidationError):
        _endorse(mentor, learner, level=7)
    _endorse(mentor, learner, level=6)

    with pytest.raises(Conflict):
        _endorse(mentor, learner, level=5)


def test_the_learner_hides_an_endorsement_and_nobody_else_can():
    learner, mentor = UserFactory(), a_mentor()
    attended(learner, mentor)
    endorsement = _endorse(mentor, learner)

    with pytest.raises(Endorsement.DoesNotExist):
        endorsement_set_hidden(
            learner=mentor, endorsement_id=endorsement.pk, hidden=True
        )
    hidden = endorsement_set_hidden(
        learner=learner, endorsement_id=endorsement.pk, hidden=True
    )
    assert hidden.hidden_at is not None


def _task(band):
    return ObservedTask.objects.get(skill__code="2.1", band=band)


def _observe(observer, booking, band="intermediate", result="passed"):
    return task_observation_record(
        observer=observer,
        booking_id=booking.pk,
        task_id=_task(band).pk,
        result=result,
        note="A rejoint la visio seule.",
    )


def test_the_main_mentor_cannot_observe_from_the_intermediate_band():
    learner, main, other = UserFactory(), a_mentor(), a_mentor(level=4)
    first = attended(learner, main, minutes=120)
    assert main_mentor_id(learner_id=learner.pk, skill_id=skill().pk) == main.pk

    with pytest.raises(ValidationError) as caught:
        _observe(main, first)
    assert "main mentor" in caught.value.message_dict["task"][0]
    # At the foundation band the main mentor may.
    assert _observe(main, first, band="foundation").result == "passed"

    seen = _observe(other, attended(learner, other, minutes=30))
    assert (seen.observer_id, seen.observer_level) == (other.pk, 4)


def test_only_the_sessions_mentor_observes_in_it_and_only_on_its_skill():
    learner, main, other = UserFactory(), a_mentor(), a_mentor()
    attended(learner, main, minutes=120)
    theirs = attended(learner, other, minutes=30)
    elsewhere = attended(learner, other, minutes=30, code="1.1")

    with pytest.raises(ObjectDoesNotExist):
        _observe(main, theirs)  # not main's session
    with pytest.raises(ValidationError):
        _observe(other, elsewhere)
    _observe(other, theirs)
    with pytest.raises(Conflict):
        _observe(other, theirs)


def test_an_observer_must_hold_the_skill():
    learner, main = UserFactory(), a_mentor()
    attended(learner, main, minutes=120)
    outsider = a_mentor(code="1.1")
    booking = attended(learner, outsider, minutes=30)

    with pytest.raises(ValidationError):
        _observe(outsider, booking)
