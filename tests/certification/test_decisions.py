"""Staff decisions: approve (possibly lower, with a reason), reject and ask
(with a reason), every conflict of interest refused, two reviewers at once
give exactly one decision, the audit trail, the e-mail in the learner's
language through the outbox."""

from __future__ import annotations

import email.header
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from certification.models import AttestationRequest, RequestEvent
from certification.selectors import attestation_requests_for_reviewer
from certification.services import (
    ConflictOfInterest,
    attestation_request_decide,
    attestation_request_submit,
    attestation_request_withdraw,
)
from core.errors import Conflict
from core.models import OutboxMessage
from tests.certification.helpers import (
    a_mentor,
    a_reviewer,
    attended,
    endorse,
    observe,
    submitted,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _decide(reviewer, request, decision, **kwargs):
    return attestation_request_decide(
        reviewer=reviewer, request_id=request.pk, decision=decision, **kwargs
    )


def test_approve_at_the_level_asked_needs_no_reason():
    request, _main, _second = submitted()
    done = _decide(a_reviewer(), request, "approve")

    assert (done.state, done.approved_level) == ("approved", 3)
    assert done.decided_at is not None


def test_a_lower_level_rejecting_and_asking_each_need_a_reason():
    request, _main, _second = submitted()
    reviewer = a_reviewer()
    for decision, kwargs in [
        ("approve", {"level": 2}),
        ("reject", {}),
        ("more_info", {}),
    ]:
        with pytest.raises(ValidationError) as caught:
            _decide(reviewer, request, decision, reason="  ", **kwargs)
        assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError):
        _decide(reviewer, request, "approve", level=4, reason="plus haut")

    done = _decide(
        reviewer, request, "approve", level=2, reason="Visio pas encore seule"
    )
    assert (done.state, done.approved_level) == ("approved", 2)
    assert done.decision_reason == "Visio pas encore seule"


def test_more_information_then_sent_again_then_rejected_and_the_audit_trail():
    request, _main, _second = submitted()
    learner = request.learner
    reviewer = a_reviewer()
    _decide(reviewer, request, "more_info", reason="Un exemple de visio ?")
    with pytest.raises(Conflict):
        _decide(reviewer, request, "approve")  # not waiting any more
    attestation_request_submit(
        learner=learner, request_id=request.pk, statement="J'ai animé une visio."
    )
    _decide(reviewer, request, "reject", reason="Pas assez de preuves")
    with pytest.raises(Conflict):
        attestation_request_withdraw(learner=learner, request_id=request.pk)

    trail = list(
        RequestEvent.objects.filter(request=request).values_list(
            "action", "actor_id", "reason"
        )
    )
    assert trail == [
        ("created", learner.pk, ""),
        ("submitted", learner.pk, ""),
        ("more_info", reviewer.pk, "Un exemple de visio ?"),
        ("submitted", learner.pk, ""),
        ("rejected", reviewer.pk, "Pas assez de preuves"),
    ]


def test_staff_without_the_permission_cannot_decide():
    request, _main, _second = submitted()
    with pytest.raises(PermissionDenied):
        _decide(UserFactory(is_staff=True), request, "approve")
    with pytest.raises(PermissionDenied):
        _decide(UserFactory(), request, "approve")


def _conflicted_reviewers(request, main, second):
    """A reviewer for each conflict of interest, keyed by its name."""
    learner = request.learner
    reviewers = {name: a_reviewer() for name in ("mentored", "booked", "endorsed")}
    reviewers["observed"] = a_reviewer()
    from mentors.models import MentorSkill
    from tests.gates.cast import approved_mentor_profile

    for reviewer in reviewers.values():
        profile = approved_mentor_profile(reviewer)
        MentorSkill.objects.create(
            profile=profile,
            skill=request.skill,
            level=6,
            years=3,
        )
    from matching.models import Mentorship

    Mentorship.objects.create(learner=learner, mentor=reviewers["mentored"])
    attended(reviewers["booked"], learner, minutes=30, code="1.1")  # other way round
    Mentorship.objects.filter(mentor=learner, learner=reviewers["booked"]).delete()
    attended(learner, reviewers["endorsed"], minutes=30, code="1.1")
    Mentorship.objects.filter(learner=learner, mentor=reviewers["endorsed"]).delete()
    endorse(learner, reviewers["endorsed"], 2)
    observe(learner, reviewers["observed"], band="foundation")
    Mentorship.objects.filter(learner=learner, mentor=reviewers["observed"]).delete()
    return reviewers


def test_every_conflict_of_interest_is_refused_and_hidden():
    request, main, second = submitted()
    reviewers = _conflicted_reviewers(request, main, second)
    # The learner as a reviewer of their own request.
    own = UserFactory(is_staff=True)
    from certification.groups import reviewers_group_ensure

    request.learner.is_staff = True
    request.learner.save()
    request.learner.groups.add(reviewers_group_ensure())
    reviewers["own"] = type(own).objects.get(pk=request.learner.pk)
    innocent = a_reviewer()

    for name, reviewer in reviewers.items():
        assert not attestation_requests_for_reviewer(reviewer_id=reviewer.pk).filter(
            pk=request.pk
        ), name
        with pytest.raises(ConflictOfInterest):
            _decide(reviewer, request, "approve")
    assert attestation_requests_for_reviewer(reviewer_id=innocent.pk).filter(
        pk=request.pk
    )
    assert AttestationRequest.objects.get(pk=request.pk).state == "submitted"
    _decide(innocent, request, "approve")


def test_a_booking_that_did_not_take_place_is_no_conflict():
    request, _main, _second = submitted()
    reviewer = a_reviewer()
    booking = attended(request.learner, a_mentor(), minutes=30, code="1.1")
    booking.mentor = reviewer
    booking.mentorship = None
    booking.save()
    booking.attendance.status = "mentor_absent"
    booking.attendance.save()

    assert _decide(reviewer, request, "approve").state == "approved"


def test_the_decision_email_is_queued_in_the_learners_language():
    request, _main, _second = submitted(UserFactory(language="en"))
    OutboxMessage.objects.all().delete()

    _decide(a_reviewer(), request, "approve", level=2, reason="Almost there")

    [row] = OutboxMessage.objects.filter(task_name="core.tasks.send_email_task")
    assert row.payload["subject"].endswith("Your attestation request is approved")
    assert "level 2" in row.payload["body"]
    assert "Almost there" in row.payload["body"]


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_deciding_at_once_give_exactly_one_decision():
    request, _main, _second = submitted()
    first, second = a_reviewer(), a_reviewer()
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(name, reviewer, decision, reason):
        try:
            barrier.wait()
            _decide(reviewer, request, decision, reason=reason)
            outcomes[name] = "decided"
        except Conflict:
            outcomes[name] = "conflict"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=("a", first, "approve", "")),
        threading.Thread(target=decide, args=("b", second, "reject", "Non")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values()) == ["conflict", "decided"]
    decided = RequestEvent.objects.filter(
        request=request, action__in=["approved", "rejected"]
    )
    assert decided.count() == 1


@pytest.mark.worker
def test_the_decision_email_goes_out_through_the_real_worker_in_french(
    live_worker, smtp_sink
):
    request, _main, _second = submitted(
        UserFactory(email="lea@example.org", language="fr")
    )

    _decide(a_reviewer(), request, "reject", reason="Il manque un exemple concret")
    [message] = smtp_sink.wait_for(1)
    live_worker.drain()

    assert message["To"] == "lea@example.org"
    subject = email.header.make_header(email.header.decode_header(message["Subject"]))
    assert "Votre demande d'attestation n'est pas accordée" in str(subject)
    [text] = [
        part.get_payload(decode=True).decode()
        for part in message.walk()
        if part.get_content_type() == "text/plain"
    ]
    assert "Le motif de l'équipe : Il manque un exemple concret" in text
