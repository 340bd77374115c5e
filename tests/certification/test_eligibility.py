"""Eligibility per band: each rule counts what it should, and the message
names exactly what is missing; the rule version is kept at submission."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from certification.models import AttestationRequest, EligibilityRules
from certification.selectors import eligibility, rules_current
from certification.services import (
    attestation_request_create,
    attestation_request_submit,
)
from mentors.models import MentorSkill
from tests.certification.helpers import (
    a_mentor,
    attended,
    eligible_intermediate,
    endorse,
    observe,
    skill,
)
from tests.factories import UserFactory
from tests.gates.cast import approved_mentor_profile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]


def _check(learner, level, rules=None):
    return eligibility(
        learner_id=learner.pk,
        skill_id=skill().pk,
        level=level,
        rules=rules or rules_current(),
    )


def _missing(learner, level):
    return {c.key: c.message for c in _check(learner, level).checks if not c.met}


def test_defaults_are_the_documented_ones():
    rules = rules_current()
    assert (rules.foundation_sessions, rules.foundation_minutes) == (2, 120)
    assert (
        rules.intermediate_sessions,
        rules.intermediate_minutes,
        rules.intermediate_endorsements,
        rules.intermediate_tasks,
    ) == (4, 300, 1, 1)
    assert (
        rules.advanced_sessions,
        rules.advanced_minutes,
        rules.advanced_endorsements,
        rules.advanced_tasks,
        rules.advanced_observer_level,
    ) == (6, 600, 2, 1, 5)


def test_foundation_needs_two_sessions_and_two_hours():
    learner, mentor = UserFactory(), a_mentor()
    attended(learner, mentor, minutes=60)

    missing = _missing(learner, 1)
    assert set(missing) == {"sessions", "hours"}
    assert missing["sessions"] == ("1 more confirmed session on this skill (2 needed).")
    assert (
        missing["hours"] == "1 h more of confirmed sessions on this skill (2 h needed)."
    )

    attended(learner, mentor, minutes=45)
    missing = _missing(learner, 2)
    assert set(missing) == {"hours"}
    assert missing["hours"] == (
        "0 h 15 more of confirmed sessions on this skill (2 h needed)."
    )

    attended(learner, mentor, minutes=15)
    assert _check(learner, 2).met


def test_sessions_not_attended_or_on_another_skill_do_not_count():
    learner, mentor = UserFactory(), a_mentor()
    attended(learner, mentor, minutes=120, code="1.1")
    booking = attended(learner, mentor, minutes=60)
    booking.attendance.status = "learner_absent"
    booking.attendance.save()

    assert _check(learner, 1).checks[0].have == 0


def test_intermediate_names_each_missing_rule():
    learner, mentor = UserFactory(), a_mentor()
    for _ in range(4):
        attended(learner, mentor, minutes=75)

    missing = _missing(learner, 3)
    assert set(missing) == {"endorsements", "tasks"}
    assert missing["endorsements"].startswith("1 more endorsement at level 3 or above")
    assert missing["tasks"] == "1 more observed task passed."


def test_an_endorsement_below_the_level_or_hidden_or_reciprocal_does_not_count():
    learner = UserFactory()
    main, _second = eligible_intermediate(learner)
    assert _check(learner, 3).met
    assert not _check(learner, 4).met  # endorsed at 3 only

    endorsement = learner.endorsements_received.get()
    endorsement.hidden_at = endorsement.created_at
    endorsement.save()
    assert "endorsements" in _missing(learner, 3)

    endorsement.hidden_at = None
    endorsement.save()
    # The learner endorsed that mentor back: reciprocal, it no longer counts.
    profile = approved_mentor_profile(learner)
    MentorSkill.objects.create(profile=profile, skill=skill(), level=4, years=1)
    endorse(main, learner, 2)
    assert "endorsements" in _missing(learner, 3)


def test_an_endorsement_from_a_mentor_the_learner_mentored_does_not_count():
    learner = UserFactory()
    main, _second = eligible_intermediate(learner)
    attended(main, learner, minutes=30, code="1.1")  # the learner mentored main

    assert "endorsements" in _missing(learner, 3)


def test_a_task_not_yet_passed_does_not_count():
    learner, mentor, other = UserFactory(), a_mentor(), a_mentor()
    for _ in range(4):
        attended(learner, mentor, minutes=75)
    endorse(learner, mentor, 3)
    observe(learner, other, band="intermediate", result="not_yet")

    assert set(_missing(learner, 3)) == {"tasks"}


def test_advanced_needs_two_endorsing_mentors_and_an_observer_at_level_5():
    learner, main, second, third = UserFactory(), a_mentor(), a_mentor(), a_mentor()
    for _ in range(6):
        attended(learner, main, minutes=100)
    endorse(learner, main, 5)
    observe(learner, second, band="advanced", level=4)

    missing = _missing(learner, 5)
    assert set(missing) == {"endorsements", "tasks"}
    assert missing["endorsements"].startswith("1 more endorsement at level 5")
    assert missing["tasks"] == (
        "1 more observed task passed, observed by a mentor holding this skill "
        "at level 5 or above."
    )

    endorse(learner, third, 6)
    observe(learner, third, band="advanced", level=5)
    assert _check(learner, 5).met


def test_submitting_before_the_rules_are_met_says_what_is_missing():
    learner, mentor = UserFactory(), a_mentor()
    attended(learner, mentor, minutes=60)
    draft = attestation_request_create(
        learner=learner, skill_code="2.1", level=1, statement="J'envoie des mails."
    )

    with pytest.raises(ValidationError) as caught:
        attestation_request_submit(learner=learner, request_id=draft.pk)

    assert caught.value.messages == [
        "Your request cannot be sent yet. Still missing:",
        "1 more confirmed session on this skill (2 needed).",
        "1 h more of confirmed sessions on this skill (2 h needed).",
    ]
    draft.refresh_from_db()
    assert draft.state == "draft"
    assert draft.rules is None


def test_the_rule_version_is_kept_at_submission_and_judges_the_request():
    learner = UserFactory()
    eligible_intermediate(learner)
    draft = attestation_request_create(
        learner=learner, skill_code="2.1", level=3, statement="Je fais des visios."
    )
    v1 = rules_current()
    sent = attestation_request_submit(learner=learner, request_id=draft.pk)
    assert sent.rules == v1

    # Staff make the rules stricter: a new version.
    stricter = EligibilityRules.objects.create(intermediate_sessions=10)
    assert rules_current() == stricter
    assert not _check(learner, 3).met

    # Asked for more information, the request comes back under its version.
    AttestationRequest.objects.filter(pk=sent.pk).update(state="more_info")
    again = attestation_request_submit(
        learner=learner, request_id=sent.pk, statement="Voici plus de détails."
    )
    assert again.state == "submitted"
    assert again.rules == v1
    assert again.evidence["sessions"]


def test_the_evidence_holds_the_session_notes():
    from sessions.models import SessionNote

    learner = UserFactory()
    main, _second = eligible_intermediate(learner)
    booking = learner.bookings_as_learner.filter(mentor=main).order_by("start").first()
    SessionNote.objects.create(
        booking=booking, worked="Les visios", achieved="Rejoindre seule"
    )
    draft = attestation_request_create(
        learner=learner, skill_code="2.1", level=3, statement="Je fais des visios."
    )

    sent = attestation_request_submit(learner=learner, request_id=draft.pk)

    assert sent.evidence["notes"] == [
        {
            "date": booking.start.date().isoformat(),
            "worked": "Les visios",
            "achieved": "Rejoindre seule",
            "next_step": "",
        }
    ]
