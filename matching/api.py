"""API of requests, mentorships, messages and suggestions (mounted by the
project's one router)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from mentors.api import MentorCardSerializer
from mentors.choices import Mode

from .engine.reasons import render_all
from .models import Mentorship, MentorshipRequest, Message
from .selectors import suggestion_list_for_learner
from .services import (
    mentorship_end,
    mentorship_request_accept,
    mentorship_request_create,
    mentorship_request_decline,
    mentorship_request_withdraw,
    message_send,
)


def _me(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


# --- mentorship requests, mentorships, messages -------------------------------


class PersonSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class RequestOutput(serializers.ModelSerializer[MentorshipRequest]):
    learner = PersonSerializer(read_only=True)
    mentor = PersonSerializer(read_only=True)
    skills: Any = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = MentorshipRequest
        fields = [
            "id",
            "learner",
            "mentor",
            "skills",
            "message",
            "preferred_mode",
            "status",
            "answer_message",
            "created_at",
            "expires_at",
            "answered_at",
        ]


class RequestInput(serializers.Serializer[Any]):
    mentor_profile = serializers.IntegerField(
        help_text="Id of the mentor's public profile."
    )
    skills = serializers.ListField(
        child=serializers.CharField(max_length=60), min_length=1, max_length=30
    )
    message = serializers.CharField(max_length=2000)
    preferred_mode = serializers.ChoiceField(choices=Mode.choices)


class DeclineInput(serializers.Serializer[Any]):
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class MentorshipOutput(serializers.ModelSerializer[Mentorship]):
    learner = PersonSerializer(read_only=True)
    mentor = PersonSerializer(read_only=True)
    skills: Any = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )

    class Meta:
        model = Mentorship
        fields = [
            "id",
            "learner",
            "mentor",
            "skills",
            "status",
            "outcome",
            "end_reason",
            "started_at",
            "ended_at",
        ]


class EndInput(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=Mentorship.Outcome.choices)
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class MessageSerializer(serializers.ModelSerializer[Message]):
    author = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Message
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = ["id", "author", "created_at"]
        extra_kwargs = {"body": {"max_length": 5000}}


class RoleParams(serializers.Serializer[Any]):
    role = serializers.ChoiceField(choices=["learner", "mentor"], required=False)


def _role(request: Request) -> str | None:
    params = RoleParams(data=request.query_params.dict())
    params.is_valid(raise_exception=True)
    role = params.validated_data.get("role")
    return str(role) if role else None


def _mine(request: Request) -> Q:
    """The caller's side of requests or mentorships (``?role=`` narrows it)."""
    me = _me(request)
    role = _role(request)
    if role in ("learner", "mentor"):
        return Q(**{role: me})
    return Q(learner=me) | Q(mentor=me)


class MentorshipRequestViewSet(viewsets.GenericViewSet[MentorshipRequest]):
    """The caller's mentoring requests: sent as a learner, received as a mentor
    (``?role=learner|mentor``). Another person's request answers 404; a request
    in the wrong state, capacity reached or a paused mentor answer 409."""

    serializer_class = RequestOutput
    queryset = MentorshipRequest.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[MentorshipRequest]:
        if getattr(self, "swagger_fake_view", False):
            return MentorshipRequest.objects.none()
        return (
            MentorshipRequest.objects.filter(_mine(self.request))
            .select_related("learner", "mentor")
            .prefetch_related("skills")
            .order_by("-created_at")
        )

    @extend_schema(parameters=[RoleParams], responses=RequestOutput(many=True))
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(RequestOutput(page, many=True).data)

    @extend_schema(responses=RequestOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(
            RequestOutput(get_object_or_404(self.get_queryset(), pk=pk)).data
        )

    @extend_schema(request=RequestInput, responses={201: RequestOutput})
    def create(self, request: Request) -> Response:
        data = RequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        created = mentorship_request_create(
            learner=_me(request),
            mentor_profile_id=values["mentor_profile"],
            skill_codes=values["skills"],
            message=values["message"],
            preferred_mode=values["preferred_mode"],
        )
        return Response(RequestOutput(created).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=MentorshipOutput)
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        mentorship = mentorship_request_accept(mentor=_me(request), request_id=int(pk))
        return Response(MentorshipOutput(mentorship).data)

    @extend_schema(request=DeclineInput, responses=RequestOutput)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, pk: str) -> Response:
        data = DeclineInput(data=request.data)
        data.is_valid(raise_exception=True)
        declined = mentorship_request_decline(
            mentor=_me(request),
            request_id=int(pk),
            message=data.validated_data.get("message", ""),
        )
        return Response(RequestOutput(declined).data)

    @extend_schema(request=None, responses=RequestOutput)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        withdrawn = mentorship_request_withdraw(
            learner=_me(request), request_id=int(pk)
        )
        return Response(RequestOutput(withdrawn).data)


class MentorshipViewSet(viewsets.GenericViewSet[Mentorship]):
    """The caller's mentorships (``?role=learner|mentor``) and their threads."""

    serializer_class = MentorshipOutput
    queryset = Mentorship.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Mentorship]:
        if getattr(self, "swagger_fake_view", False):
            return Mentorship.objects.none()
        return (
            Mentorship.objects.filter(_mine(self.request))
            .select_related("learner", "mentor")
            .prefetch_related("skills")
            .order_by("-started_at")
        )

    @extend_schema(parameters=[RoleParams], responses=MentorshipOutput(many=True))
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MentorshipOutput(page, many=True).data)

    @extend_schema(responses=MentorshipOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(
            MentorshipOutput(get_object_or_404(self.get_queryset(), pk=pk)).data
        )

    @extend_schema(request=EndInput, responses=MentorshipOutput)
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str) -> Response:
        data = EndInput(data=request.data)
        data.is_valid(raise_exception=True)
        ended = mentorship_end(
            user=_me(request),
            mentorship_id=int(pk),
            outcome=data.validated_data["outcome"],
            reason=data.validated_data.get("reason", ""),
        )
        return Response(MentorshipOutput(ended).data)

    @extend_schema(methods=["GET"], responses=MessageSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=MessageSerializer, responses={201: MessageSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def messages(self, request: Request, pk: str) -> Response:
        mentorship = get_object_or_404(self.get_queryset(), pk=pk)
        if request.method == "POST":
            data = MessageSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            message = message_send(
                author=_me(request),
                mentorship_id=mentorship.pk,
                body=data.validated_data["body"],
            )
            return Response(
                MessageSerializer(message).data, status=status.HTTP_201_CREATED
            )
        thread = mentorship.messages.select_related("author").order_by(
            "created_at", "id"
        )
        page: Any = self.paginate_queryset(thread)  # type: ignore[arg-type]
        return self.get_paginated_response(MessageSerializer(page, many=True).data)


# --- suggestions ---------------------------------------------------------------


class SuggestionSerializer(serializers.Serializer[Any]):
    mentor = MentorCardSerializer(source="mentor_profile")
    rank = serializers.IntegerField()
    score = serializers.FloatField()
    breakdown = serializers.DictField(child=serializers.FloatField())
    reasons = serializers.SerializerMethodField()
    weights_version = serializers.IntegerField()
    computed_at = serializers.DateTimeField()

    def get_reasons(self, obj: Any) -> list[str]:
        return list(self.context["reasons"][obj.pk])


class SuggestionsMeView(APIView):
    """The caller's suggested mentors (as a learner), with the per-criterion
    breakdown and the reasons in the caller's language."""

    @extend_schema(responses=SuggestionSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = list(
            suggestion_list_for_learner(user_id=_me(request).pk).prefetch_related(
                "mentor_profile__skills__skill"
            )
        )
        texts = render_all([row.reasons for row in rows])
        reasons = {row.pk: text for row, text in zip(rows, texts, strict=True)}
        return Response(
            SuggestionSerializer(rows, many=True, context={"reasons": reasons}).data
        )
