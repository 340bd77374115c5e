"""Personal data held by the attestation app: endorsements given and received,
task observations, attestation requests and their files (the export includes
the files themselves)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from .evidence_files import evidence_file_delete, evidence_file_read
from .models import AttestationRequest, Endorsement, RequestEvent, TaskObservation


def export_endorsements(user: Any) -> dict[str, Any]:
    fields = ("skill__code", "level", "comment", "hidden_at", "created_at")
    return {
        "received": list(
            Endorsement.objects.filter(learner=user).values(
                "mentor__full_name", *fields
            )
        ),
        "given": list(
            Endorsement.objects.filter(mentor=user).values(
                "learner__full_name", *fields
            )
        ),
    }


def erase_endorsements(user: Any) -> None:
    Endorsement.objects.filter(Q(learner=user) | Q(mentor=user)).delete()


def export_observations(user: Any) -> dict[str, Any]:
    fields = ("task__skill__code", "task__band", "task__title", "result", "note")
    return {
        "of_me": list(
            TaskObservation.objects.filter(learner=user).values(
                "observer__full_name", *fields, "created_at"
            )
        ),
        "by_me": list(
            TaskObservation.objects.filter(observer=user).values(
                "learner__full_name", *fields, "created_at"
            )
        ),
    }


def erase_observations(user: Any) -> None:
    # Observations of the person go; those they made stay as the other
    # learner's evidence, without their name (the key is set to null).
    TaskObservation.objects.filter(learner=user).delete()
    TaskObservation.objects.filter(observer=user).update(observer=None)


def export_requests(user: Any) -> list[dict[str, Any]]:
    rows = []
    for request in AttestationRequest.objects.filter(learner=user).select_related(
        "skill"
    ):
        rows.append(
            {
                "skill": request.skill.code,
                "level": request.level,
                "state": request.state,
                "statement": request.statement,
                "portfolio_url": request.portfolio_url,
                "file": _archive_name(request) if request.evidence_file else None,
                "approved_level": request.approved_level,
                "decision_reason": request.decision_reason,
                "created_at": request.created_at,
                "submitted_at": request.submitted_at,
                "decided_at": request.decided_at,
                "evidence": request.evidence,
                "events": list(
                    RequestEvent.objects.filter(request=request).values(
                        "action", "level", "reason", "created_at"
                    )
                ),
            }
        )
    return rows


def _archive_name(request: AttestationRequest) -> str:
    extension = request.evidence_file.rsplit(".", 1)[-1]
    return f"request-{request.pk}.{extension}"


def export_request_files(user: Any) -> list[tuple[str, bytes]]:
    return [
        (_archive_name(request), evidence_file_read(request.evidence_file))
        for request in AttestationRequest.objects.filter(learner=user).exclude(
            evidence_file=""
        )
    ]


def erase_requests(user: Any) -> None:
    rows = AttestationRequest.objects.filter(learner=user)
    names = list(rows.exclude(evidence_file="").values_list("evidence_file", flat=True))
    rows.delete()
    for name in names:
        evidence_file_delete(name)
