"""REST API of attestations, part 1 (mounted by compagnonnage/api.py): the
evidence mentors give (endorsements, observed tasks) and the learner's own
requests. Staff decisions stay in the admin."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User

from .evidence_files import evidence_file_check
from .models import (
    ATTESTABLE_MAX,
    ATTESTABLE_MIN,
    AttestationRequest,
    Band,
    Endorsement,
    ObservedTask,
    TaskObservation,
)
from .selectors import (
    attestation_requests_for_learner,
    endorsement_ids_counting,
    endorsements_for_user,
    observed_tasks_list,
)
from .services import (
    attestation_request_create,
    attestation_request_submit,
    attestation_request_withdraw,
    endorsement_create,
    task_observation_record,
)


def _me(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


# --- endorsements -----------------------------------------------------------------


class EndorsementInput(serializers.Serializer[Any]):
    learner = serializers.IntegerField(help_text="The learner's user id.")
    skill = serializers.CharField(max_length=60, help_text="A skill code.")
    level = serializers.IntegerField(min_value=ATTESTABLE_MIN, max_value=ATTESTABLE_MAX)
    comment = serializers.CharField(max_length=2000)
    named = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The mentor agrees to be named on the attestation.",
    )


class EndorsementSerializer(serializers.ModelSerializer[Endorsement]):
    skill = serializers.CharField(source="skill.code")
    mentor_name = serializers.CharField(source="mentor.full_name")
    learner_name = serializers.CharField(source="learner.full_name")
    hidden = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField(
        help_text="Whether it counts as evidence (not hidden, no reciprocal "
        "relationship)."
    )

    class Meta:
        model = Endorsement
        fields = [
            "id",
            "mentor",
            "mentor_name",
            "learner",
            "learner_name",
            "skill",
            "level",
            "comment",
            "named",
            "hidden",
            "counts",
            "created_at",
        ]

    def get_hidden(self, obj: Endorsement) -> bool:
        return obj.hidden_at is not None

    def get_counts(self, obj: Endorsement) -> bool:
        return obj.pk in self.context.get("counting", set())


ROLE = OpenApiParameter(
    "role",
    str,
    enum=["learner", "mentor"],
    description="learner: received (default); mentor: given.",
)


class EndorsementViewSet(viewsets.ViewSet):
    """Endorsements the caller received or gave. A mentor endorses a learner
    they had an attended session with on the skill, up to their own level."""

    @extend_schema(parameters=[ROLE], responses=EndorsementSerializer(many=True))
    def list(self, request: Request) -> Response:
        role = request.query_params.get("role", "learner")
        if role not in ("learner", "mentor"):
            raise ValidationError({"role": [_("Choose learner or mentor.")]})
        rows = list(endorsements_for_user(user_id=_me(request).pk, role=role))
        counting = endorsement_ids_counting([e.pk for e in rows])
        return Response(
            EndorsementSerializer(rows, many=True, context={"counting": counting}).data
        )

    @extend_schema(request=EndorsementInput, responses={201: EndorsementSerializer})
    def create(self, request: Request) -> Response:
        data = EndorsementInput(data=request.data)
        data.is_valid(raise_exception=True)
        endorsement = endorsement_create(
            mentor=_me(request),
            learner_id=data.validated_data["learner"],
            skill_code=data.validated_data["skill"],
            level=data.validated_data["level"],
            comment=data.validated_data["comment"],
            named=data.validated_data["named"],
        )
        counting = endorsement_ids_counting([endorsement.pk])
        return Response(
            EndorsementSerializer(endorsement, context={"counting": counting}).data,
            status=status.HTTP_201_CREATED,
        )


# --- observed tasks -----------------------------------------------------------------


class ObservedTaskSerializer(serializers.ModelSerializer[ObservedTask]):
    skill = serializers.CharField(source="skill.code")
    band = serializers.ChoiceField(choices=Band.choices)
    title = serializers.CharField(source="display_title")

    class Meta:
        model = ObservedTask
        fields = ["id", "skill", "band", "title"]


class ObservedTaskViewSet(viewsets.ViewSet):
    """The practical tasks per skill and band, in the caller's language."""

    @extend_schema(
        parameters=[
            OpenApiParameter("skill", str, description="A skill code."),
            OpenApiParameter(
                "level", int, description="Only the tasks of this level's band."
            ),
        ],
        responses=ObservedTaskSerializer(many=True),
    )
    def list(self, request: Request) -> Response:
        level_text = request.query_params.get("level")
        level = None
        if level_text:
            if not level_text.isdigit() or not (
                ATTESTABLE_MIN <= int(level_text) <= ATTESTABLE_MAX
            ):
                raise ValidationError({"level": [_("Choose a level from 1 to 6.")]})
            level = int(level_text)
        rows = observed_tasks_list(
            skill_code=request.query_params.get("skill") or None, level=level
        )
        return Response(ObservedTaskSerializer(rows, many=True).data)


class TaskObservationInput(serializers.Serializer[Any]):
    booking = serializers.IntegerField(help_text="The attended session.")
    task = serializers.IntegerField()
    result = serializers.ChoiceField(choices=TaskObservation.Result.choices)
    note = serializers.CharField(max_length=2000)


class TaskObservationSerializer(serializers.ModelSerializer[TaskObservation]):
    class Meta:
        model = TaskObservation
        fields = ["id", "task", "learner", "booking", "result", "note", "created_at"]


class TaskObservationViewSet(viewsets.ViewSet):
    """The mentor of an attended session records a task the learner did."""

    @extend_schema(
        request=TaskObservationInput, responses={201: TaskObservationSerializer}
    )
    def create(self, request: Request) -> Response:
        data = TaskObservationInput(data=request.data)
        data.is_valid(raise_exception=True)
        observation = task_observation_record(
            observer=_me(request),
            booking_id=data.validated_data["booking"],
            task_id=data.validated_data["task"],
            result=data.validated_data["result"],
            note=data.validated_data["note"],
        )
        return Response(
            TaskObservationSerializer(observation).data,
            status=status.HTTP_201_CREATED,
        )


# --- requests -------------------------------------------------------------------


class AttestationRequestInput(serializers.Serializer[Any]):
    skill = serializers.CharField(max_length=60, help_text="A DigComp code.")
    level = serializers.IntegerField(min_value=ATTESTABLE_MIN, max_value=ATTESTABLE_MAX)
    statement = serializers.CharField(
        max_length=5000, required=False, allow_blank=True, default=""
    )
    portfolio_url = serializers.URLField(
        max_length=500, required=False, allow_blank=True, default=""
    )
    file = serializers.FileField(
        required=False,
        help_text="PDF, PNG or JPEG, 5 MB at most (multipart/form-data).",
    )

    def validate_file(self, value: Any) -> Any:
        # A refused file is an error of this field (the service checks again).
        evidence_file_check(value)
        return value


class AttestationSubmitInput(serializers.Serializer[Any]):
    statement = serializers.CharField(max_length=5000, required=False)
    portfolio_url = serializers.URLField(
        max_length=500, required=False, allow_blank=True
    )
    file = serializers.FileField(required=False)

    def validate_file(self, value: Any) -> Any:
        evidence_file_check(value)
        return value


class AttestationRequestSerializer(serializers.ModelSerializer[AttestationRequest]):
    skill = serializers.CharField(source="skill.code")
    has_file = serializers.SerializerMethodField()
    rules_version = serializers.IntegerField(source="rules_id", allow_null=True)

    class Meta:
        model = AttestationRequest
        fields = [
            "id",
            "skill",
            "level",
            "state",
            "statement",
            "portfolio_url",
            "has_file",
            "rules_version",
            "approved_level",
            "decision_reason",
            "created_at",
            "submitted_at",
            "decided_at",
        ]

    def get_has_file(self, obj: AttestationRequest) -> bool:
        return bool(obj.evidence_file)


ID = OpenApiParameter("id", int, OpenApiParameter.PATH)


class AttestationRequestViewSet(viewsets.ViewSet):
    """The caller's attestation requests: a draft, then submitted to the team
    (refused with what is missing while the rules are not met), withdrawn
    while open. Another person's request is 404."""

    lookup_value_regex = r"\d+"

    def _shown(self, request: Request, pk: int, code: int = 200) -> Response:
        row = attestation_requests_for_learner(learner_id=_me(request).pk).get(pk=pk)
        return Response(AttestationRequestSerializer(row).data, status=code)

    @extend_schema(responses=AttestationRequestSerializer(many=True))
    def list(self, request: Request) -> Response:
        rows = attestation_requests_for_learner(learner_id=_me(request).pk)
        return Response(AttestationRequestSerializer(rows, many=True).data)

    @extend_schema(
        request={
            "application/json": AttestationRequestInput,
            "multipart/form-data": AttestationRequestInput,
        },
        responses={201: AttestationRequestSerializer},
    )
    def create(self, request: Request) -> Response:
        data = AttestationRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        draft = attestation_request_create(
            learner=_me(request),
            skill_code=data.validated_data["skill"],
            level=data.validated_data["level"],
            statement=data.validated_data["statement"],
            portfolio_url=data.validated_data["portfolio_url"],
            upload=data.validated_data.get("file"),
        )
        return self._shown(request, draft.pk, status.HTTP_201_CREATED)

    @extend_schema(
        request={
            "application/json": AttestationSubmitInput,
            "multipart/form-data": AttestationSubmitInput,
        },
        parameters=[ID],
        responses=AttestationRequestSerializer,
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        data = AttestationSubmitInput(data=request.data)
        data.is_valid(raise_exception=True)
        attestation_request_submit(
            learner=_me(request),
            request_id=int(pk),
            statement=data.validated_data.get("statement"),
            portfolio_url=data.validated_data.get("portfolio_url"),
            upload=data.validated_data.get("file"),
        )
        return self._shown(request, int(pk))

    @extend_schema(
        request=None, parameters=[ID], responses=AttestationRequestSerializer
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        attestation_request_withdraw(learner=_me(request), request_id=int(pk))
        return self._shown(request, int(pk))
