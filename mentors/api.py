"""REST API of the mentors app (mounted by compagnonnage/api.py)."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from core.api import NulFreeJSONParser

from .choices import LANGUAGE_CODES, LEVEL_MAX, Mode, Region, Situation
from .directory import SORTS, DirectoryQuery, mentor_directory_page
from .models import (
    Block,
    LearnerProfile,
    MentorProfile,
    Report,
    Skill,
)
from .selectors import (
    mentor_profile_for_viewer,
    person_known_to,
    skill_list,
)
from .services import (
    LearnerSkillEntry,
    SkillEntry,
    block_create,
    block_delete,
    learner_profile_save,
    mentor_profile_missing,
    mentor_profile_save_draft,
    mentor_profile_submit,
    mentor_profile_working_copy,
    report_create,
)


def _me(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


def _object_body(request: Request) -> dict[str, Any]:
    if not isinstance(request.data, dict):
        raise ValidationError({"detail": ["Send a JSON object."]})
    return request.data


# --- skills ------------------------------------------------------------------


class SkillAreaSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    framework = serializers.CharField()
    name = serializers.CharField()


class SkillSerializer(serializers.ModelSerializer[Skill]):
    name = serializers.CharField(read_only=True)
    area = SkillAreaSerializer(read_only=True)

    class Meta:
        model = Skill
        fields = ["code", "name", "name_fr", "name_en", "area", "esco_uri"]


class SkillViewSet(viewsets.ReadOnlyModelViewSet[Skill]):
    """The skill taxonomy (DigComp 2.2 competences and digital job skills). Public."""

    serializer_class = SkillSerializer
    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    lookup_value_regex = r"[a-z0-9.\-]+"

    def get_queryset(self) -> QuerySet[Skill]:
        return skill_list()


# --- profiles ------------------------------------------------------------------


class SkillCodeField(serializers.SlugRelatedField[Skill]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="code", queryset=Skill.objects.all(), **kwargs)
        self.error_messages["does_not_exist"] = "Unknown skill: {value}."


class MentorSkillInput(serializers.Serializer[Any]):
    skill = SkillCodeField()
    level = serializers.IntegerField(min_value=1, max_value=LEVEL_MAX)
    years = serializers.IntegerField(min_value=0, max_value=60, default=0)


def _unique_skills(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    codes = [entry["skill"].code for entry in entries]
    if len(codes) != len(set(codes)):
        raise serializers.ValidationError("Each skill can be listed only once.")
    return entries


class LanguageListField(serializers.ListField):
    child = serializers.CharField(max_length=2)

    def to_internal_value(self, data: Any) -> list[str]:
        values = super().to_internal_value(data)
        unknown = sorted(set(values) - LANGUAGE_CODES)
        if unknown:
            raise serializers.ValidationError(
                f"Unknown language code: {', '.join(unknown)}."
            )
        return list(dict.fromkeys(values))


class MentorProfileInput(serializers.Serializer[Any]):
    headline = serializers.CharField(max_length=120, allow_blank=True)
    bio = serializers.CharField(max_length=5000, allow_blank=True)
    languages = LanguageListField(max_length=20)
    region = serializers.ChoiceField(choices=Region.choices, allow_blank=True)
    city = serializers.CharField(max_length=100, allow_blank=True, default="")
    modes = serializers.ListField(
        child=serializers.ChoiceField(choices=Mode.choices), max_length=3
    )
    capacity = serializers.IntegerField(min_value=1, max_value=20)
    skills = MentorSkillInput(many=True, max_length=30)  # type: ignore[call-arg]

    def validate_skills(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return _unique_skills(value)


class MentorSkillOutput(serializers.Serializer[Any]):
    skill = serializers.CharField(source="code")
    level = serializers.IntegerField()
    years = serializers.IntegerField()


class MentorProfileOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.CharField()
    headline = serializers.CharField()
    bio = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    region = serializers.CharField()
    city = serializers.CharField()
    modes = serializers.ListField(child=serializers.CharField())
    capacity = serializers.IntegerField()
    skills = MentorSkillOutput(many=True)
    has_pending_changes = serializers.BooleanField()
    is_public = serializers.BooleanField()
    review_message = serializers.CharField()
    charter_accepted_at = serializers.DateTimeField(allow_null=True)
    missing = serializers.ListField(child=serializers.CharField())


def _mentor_output(profile: MentorProfile) -> dict[str, Any]:
    working = mentor_profile_working_copy(profile)
    return {
        "id": profile.pk,
        "status": profile.status,
        **{
            k: working[k]
            for k in ("headline", "bio", "languages", "region", "city", "modes")
        },
        "capacity": working["capacity"],
        "skills": working["skills"],
        "has_pending_changes": profile.draft is not None,
        "is_public": profile.ever_approved and profile.is_published,
        "review_message": profile.review_message,
        "charter_accepted_at": profile.charter_accepted_at,
        "missing": mentor_profile_missing(profile),
    }


class MentorProfileMeView(APIView):
    """The caller's mentor profile: what they edit (pending changes if any).

    PUT creates or replaces the working copy, PATCH changes some fields; an
    approved profile keeps its public version until staff approve the changes.
    """

    parser_classes = [NulFreeJSONParser]

    def _profile(self, request: Request) -> MentorProfile:
        profile = MentorProfile.objects.filter(user=_me(request)).first()
        if profile is None:
            raise NotFound("You have no mentor profile yet.")
        return profile

    @extend_schema(responses=MentorProfileOutput)
    def get(self, request: Request) -> Response:
        return Response(
            MentorProfileOutput(_mentor_output(self._profile(request))).data
        )

    def _save(
        self, request: Request, profile: MentorProfile, partial: bool
    ) -> Response:
        """Validate, then save (the first save creates the profile)."""
        current = mentor_profile_working_copy(profile)
        body = _object_body(request)
        data = body if not partial else {**_as_input(current), **body}
        serializer = MentorProfileInput(data=data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        skills = [
            {"code": e["skill"].code, "level": e["level"], "years": e["years"]}
            for e in values.pop("skills")
        ]
        values["photo"] = current.get("photo", "")
        profile = mentor_profile_save_draft(
            user=_me(request), data=values, skills=cast(list[SkillEntry], skills)
        )
        return Response(MentorProfileOutput(_mentor_output(profile)).data)

    @extend_schema(request=MentorProfileInput, responses=MentorProfileOutput)
    def put(self, request: Request) -> Response:
        me = _me(request)
        profile = MentorProfile.objects.filter(user=me).first()
        return self._save(request, profile or MentorProfile(user=me), False)

    @extend_schema(
        request=MentorProfileInput(partial=True), responses=MentorProfileOutput
    )
    def patch(self, request: Request) -> Response:
        return self._save(request, self._profile(request), True)


def _as_input(working: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in working.items() if k not in ("photo", "skills")}
    data["skills"] = [
        {"skill": e["code"], "level": e["level"], "years": e["years"]}
        for e in working["skills"]
    ]
    return data


class SubmitInput(serializers.Serializer[Any]):
    accept_charter = serializers.BooleanField(default=False)


class MentorProfileSubmitView(APIView):
    """Send the working copy for review (the mentor charter must be accepted)."""

    @extend_schema(request=SubmitInput, responses=MentorProfileOutput)
    def post(self, request: Request) -> Response:
        profile = MentorProfile.objects.filter(user=_me(request)).first()
        if profile is None:
            raise NotFound("You have no mentor profile yet.")
        serializer = SubmitInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        profile = mentor_profile_submit(
            profile=profile,
            accept_charter=serializer.validated_data["accept_charter"],
        )
        return Response(MentorProfileOutput(_mentor_output(profile)).data)


class LearnerSkillInput(serializers.Serializer[Any]):
    skill = SkillCodeField()
    current_level = serializers.IntegerField(min_value=0, max_value=LEVEL_MAX - 1)
    target_level = serializers.IntegerField(min_value=1, max_value=LEVEL_MAX)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["target_level"] <= attrs["current_level"]:
            raise serializers.ValidationError(
                {"target_level": "The level you want must be higher than today's."}
            )
        return attrs


class LearnerProfileSerializer(serializers.Serializer[Any]):
    goals = serializers.CharField(max_length=3000, allow_blank=True)
    situation = serializers.ChoiceField(choices=Situation.choices, allow_blank=True)
    target_occupation = serializers.CharField(
        max_length=150, allow_blank=True, default=""
    )
    occupation_code = serializers.CharField(
        max_length=200, allow_blank=True, default=""
    )
    languages = LanguageListField(max_length=20)
    region = serializers.ChoiceField(choices=Region.choices, allow_blank=True)
    modes = serializers.ListField(
        child=serializers.ChoiceField(choices=Mode.choices), max_length=3
    )
    time_windows = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=167),
        max_length=168,
        default=list,
        help_text="Hours of the week in the person's time zone: 0 = Monday 0–1 h.",
    )
    skills = LearnerSkillInput(many=True, max_length=30)  # type: ignore[call-arg]

    def validate_skills(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return _unique_skills(value)


def _learner_output(profile: LearnerProfile) -> dict[str, Any]:
    data: dict[str, Any] = {
        field: getattr(profile, field) for field in LearnerProfile.EDITABLE_FIELDS
    }
    data["skills"] = [
        {
            "skill": s.skill.code,
            "current_level": s.current_level,
            "target_level": s.target_level,
        }
        for s in profile.skills.select_related("skill")
    ]
    return data


class LearnerProfileMeView(APIView):
    """The caller's learner profile (private: only they and staff see it)."""

    parser_classes = [NulFreeJSONParser]

    def _profile(self, request: Request) -> LearnerProfile:
        profile = LearnerProfile.objects.filter(user=_me(request)).first()
        if profile is None:
            raise NotFound("You have no learner profile yet.")
        return profile

    @extend_schema(responses=LearnerProfileSerializer)
    def get(self, request: Request) -> Response:
        return Response(_learner_output(self._profile(request)))

    def _save(
        self, request: Request, profile: LearnerProfile, partial: bool
    ) -> Response:
        body = _object_body(request)
        data = body if not partial else {**_learner_output(profile), **body}
        serializer = LearnerProfileSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        skills = [
            {
                "code": e["skill"].code,
                "current_level": e["current_level"],
                "target_level": e["target_level"],
            }
            for e in values.pop("skills")
        ]
        values["time_windows"] = sorted(set(values["time_windows"]))
        profile = learner_profile_save(
            user=_me(request),
            data=values,
            skills=cast(list[LearnerSkillEntry], skills),
        )
        return Response(_learner_output(profile))

    @extend_schema(request=LearnerProfileSerializer, responses=LearnerProfileSerializer)
    def put(self, request: Request) -> Response:
        me = _me(request)
        profile = LearnerProfile.objects.filter(user=me).first()
        return self._save(request, profile or LearnerProfile(user=me), False)

    @extend_schema(
        request=LearnerProfileSerializer(partial=True),
        responses=LearnerProfileSerializer,
    )
    def patch(self, request: Request) -> Response:
        return self._save(request, self._profile(request), True)


# --- trust & safety ------------------------------------------------------------


class ReportInput(serializers.Serializer[Any]):
    person = serializers.IntegerField(help_text="The id of the person reported.")
    reason = serializers.ChoiceField(choices=[str(r) for r in Report.PERSON_REASONS])
    text = serializers.CharField(max_length=3000, allow_blank=True, default="")


class ReportOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.CharField()


class ReportCreateView(APIView):
    """Report a person to staff (their profile, later their messages)."""

    @extend_schema(request=ReportInput, responses={201: ReportOutput})
    def post(self, request: Request) -> Response:
        serializer = ReportInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = person_known_to(
            viewer_id=_me(request).pk, person_id=serializer.validated_data["person"]
        )
        if person is None:
            raise ValidationError({"person": ["Unknown person."]})
        report = report_create(
            reporter=_me(request),
            reported_user=person,
            reason=serializer.validated_data["reason"],
            text=serializer.validated_data["text"],
        )
        return Response(
            {"id": report.pk, "status": report.status}, status=status.HTTP_201_CREATED
        )


class BlockSerializer(serializers.ModelSerializer[Block]):
    person = serializers.IntegerField(source="blocked_id")
    person_name = serializers.CharField(source="blocked.full_name", read_only=True)

    class Meta:
        model = Block
        fields = ["id", "person", "person_name", "created_at"]
        read_only_fields = ["id", "person_name", "created_at"]


class BlockViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet[Block],
):
    """The caller's blocks. Blocking someone hides each from the other: no
    profile, request, message or booking between them."""

    serializer_class = BlockSerializer

    queryset = Block.objects.none()
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[Block]:
        if getattr(self, "swagger_fake_view", False):
            return Block.objects.none()
        return Block.objects.filter(blocker=_me(self.request)).select_related("blocked")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = person_known_to(
            viewer_id=_me(request).pk, person_id=serializer.validated_data["blocked_id"]
        )
        if person is None:
            raise ValidationError({"person": ["Unknown person."]})
        block, created = block_create(blocker=_me(request), blocked=person)
        return Response(
            self.get_serializer(block).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        block = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        block_delete(blocker=_me(request), block_id=block.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- directory -----------------------------------------------------------------


class DirectoryParams(serializers.Serializer[Any]):
    """Query parameters of the directory; unknown names and values are a 400."""

    search = serializers.CharField(max_length=200, required=False, allow_blank=True)
    skill = serializers.SlugRelatedField(
        slug_field="code", queryset=Skill.objects.all(), required=False
    )
    min_level = serializers.IntegerField(
        min_value=1, max_value=LEVEL_MAX, required=False
    )
    language = serializers.ChoiceField(choices=sorted(LANGUAGE_CODES), required=False)
    region = serializers.ChoiceField(choices=Region.choices, required=False)
    mode = serializers.ChoiceField(choices=Mode.choices, required=False)
    available_within_days = serializers.ChoiceField(choices=[7, 14], required=False)
    sort = serializers.ChoiceField(choices=SORTS, required=False)
    page = serializers.IntegerField(min_value=1, max_value=500, required=False)

    def to_internal_value(self, data: Any) -> Any:
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise ValidationError(
                {name: ["Unknown parameter."] for name in unknown}
                | {"detail": [f"Known parameters: {', '.join(self.fields)}."]}
            )
        return super().to_internal_value(data)


class DirectorySkill(serializers.Serializer[Any]):
    skill = serializers.CharField(source="skill.code")
    name = serializers.CharField(source="skill.name")
    level = serializers.IntegerField()
    years = serializers.IntegerField()


class MentorCardSerializer(serializers.ModelSerializer[MentorProfile]):
    person = serializers.IntegerField(source="user_id", help_text="Id of the person.")
    full_name = serializers.CharField(source="user.full_name")
    skills = DirectorySkill(many=True, read_only=True)
    places_left = serializers.IntegerField(
        read_only=True,
        help_text="How many more people the mentor can follow now; 0 when full.",
    )
    median_answer_hours_90d = serializers.DecimalField(
        max_digits=7,
        decimal_places=1,
        read_only=True,
        allow_null=True,
        help_text="Median time to answer a request over 90 days, in hours "
        "(null without answers to measure).",
    )

    class Meta:
        model = MentorProfile
        fields = [
            "id",
            "person",
            "full_name",
            "headline",
            "skills",
            "languages",
            "region",
            "city",
            "modes",
            "next_free_slot_at",
            "free_slots_7d",
            "free_slots_14d",
            "is_paused",
            "places_left",
            "median_answer_hours_90d",
        ]


class MentorDetailSerializer(MentorCardSerializer):
    bio = serializers.CharField()

    class Meta(MentorCardSerializer.Meta):
        fields = [*MentorCardSerializer.Meta.fields, "bio", "capacity"]


@extend_schema_serializer(many=False)  # one page object, not a list of them
class DirectoryPagination(serializers.Serializer[Any]):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    corrected_search = serializers.CharField(
        allow_null=True,
        help_text="The search as the directory read it when it corrected a "
        "misspelt word (the results are for it); null when no word was corrected.",
    )
    results = MentorCardSerializer(many=True)


class MentorDirectoryViewSet(viewsets.ViewSet):
    """The public mentor directory (read-only, no account needed).

    Only approved, shown profiles of active verified people; never someone in a
    block with the caller. Pages have ``next``/``previous`` links, no count.
    Its own, stricter rate: each page is a full-text search, open to anyone.
    """

    permission_classes = [permissions.AllowAny]
    throttle_scope = "directory"
    lookup_value_regex = r"\d+"

    @extend_schema(
        parameters=[DirectoryParams],
        responses=DirectoryPagination,
    )
    def list(self, request: Request) -> Response:
        params = DirectoryParams(data=request.query_params.dict())
        params.is_valid(raise_exception=True)
        data = dict(params.validated_data)
        query = DirectoryQuery(
            q=data.get("search", ""),
            skill=data["skill"].code if "skill" in data else "",
            min_level=data.get("min_level"),
            language=data.get("language", ""),
            region=data.get("region", ""),
            mode=data.get("mode", ""),
            available_within_days=(
                int(data["available_within_days"])
                if "available_within_days" in data
                else None
            ),
            sort=data.get("sort", ""),
            page=data.get("page", 1),
        )
        viewer_id = request.user.pk if request.user.is_authenticated else None
        page = mentor_directory_page(viewer_id=viewer_id, query=query)

        def link(number: int) -> str:
            args = request.query_params.copy()
            args["page"] = str(number)
            return request.build_absolute_uri(f"{request.path}?{args.urlencode()}")

        return Response(
            {
                "next": link(page.number + 1) if page.has_next else None,
                "previous": link(page.number - 1) if page.has_previous else None,
                "corrected_search": page.corrected or None,
                "results": MentorCardSerializer(page.results, many=True).data,
            }
        )

    @extend_schema(
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
        responses=MentorDetailSerializer,
    )
    def retrieve(self, request: Request, pk: str) -> Response:
        try:
            profile_id = int(pk)
        except ValueError as exc:
            raise NotFound from exc
        viewer = request.user
        profile, _privileged = mentor_profile_for_viewer(
            profile_id=profile_id,
            viewer=AnonymousViewer() if not viewer.is_authenticated else viewer,
        )
        if not getattr(profile, "is_public", False) or getattr(
            profile, "is_blocked", True
        ):
            raise NotFound
        return Response(MentorDetailSerializer(profile).data)


class AnonymousViewer:
    """Stands for a visitor: the API shows only the public version, even to staff."""

    pk = None
    is_authenticated = False
    is_staff = False
