"""An issued attestation, the way it happens: evidence, a submitted request,
a reviewer approving it."""

from __future__ import annotations

from accounts.models import User
from certification.models import Attestation
from certification.services import attestation_request_decide
from tests.certification.helpers import a_reviewer, submitted
from tests.factories import UserFactory


def issued(learner: User | None = None, **learner_fields) -> Attestation:
    learner = learner or UserFactory(**learner_fields)
    request, _main, _second = submitted(learner)
    attestation_request_decide(
        reviewer=a_reviewer(), request_id=request.pk, decision="approve"
    )
    return Attestation.objects.get(request=request)


def a_revoker(**fields) -> User:
    return a_reviewer(**fields)
