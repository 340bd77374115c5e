"""REST API of attestations, part 2 (issue 19), mounted by compagnonnage/api.py:
one's own attestations (with the PDF and the signed Open Badges 3.0
credential) and the public verification by code."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import User
from mentors.models import Skill

from .attestation_selectors import attestations_of, verification
from .attestations import verify_url
from .models import Attestation


class AttestationSerializer(serializers.ModelSerializer[Attestation]):
    code = serializers.CharField(source="display_code", read_only=True)
    skill: serializers.SlugRelatedField[Skill] = serializers.SlugRelatedField(
        slug_field="code", read_only=True
    )
    verify_url = serializers.SerializerMethodField()
    revoked = serializers.BooleanField(source="is_revoked", read_only=True)
    revocation_reason = serializers.SerializerMethodField()

    class Meta:
        model = Attestation
        fields = (
            "id",
            "code",
            "kind",
            "skill",
            "level",
            "mentor_hours",
            "minutes",
            "sessions",
            "endorsers",
            "issued_at",
            "issuer_name",
            "issuer_siret",
            "shown_on_profile",
            "revoked",
            "revoked_at",
            "revocation_reason",
            "verify_url",
        )
        read_only_fields = fields

    def get_revocation_reason(self, obj: Attestation) -> str | None:
        """``error``, ``holder`` or ``review``; null while valid."""
        return obj.revocation_reason or None

    def get_verify_url(self, obj: Attestation) -> str:
        return verify_url(obj.code)


class VerificationSerializer(serializers.Serializer[object]):
    status = serializers.ChoiceField(choices=["valid", "revoked", "unknown"])
    code = serializers.CharField(required=False)
    url = serializers.URLField(required=False)
    holder = serializers.CharField(required=False, allow_null=True)
    skill = serializers.CharField(required=False, allow_null=True)
    level = serializers.IntegerField(required=False, allow_null=True)
    issued_on = serializers.DateField(required=False)
    revoked = serializers.BooleanField(required=False)
    revocation_reason = serializers.CharField(required=False)


def _me(request: Request) -> User:
    assert isinstance(request.user, User)
    return request.user


class AttestationViewSet(viewsets.ViewSet):
    """The caller's attestations; another person's is 404. ``verify`` is open
    to anyone (the code is what holders share)."""

    lookup_value_regex = r"\d+"

    @extend_schema(responses=AttestationSerializer(many=True))
    def list(self, request: Request) -> Response:
        rows = attestations_of(holder_id=_me(request).pk)
        return Response(AttestationSerializer(rows, many=True).data)

    @extend_schema(responses=AttestationSerializer)
    def retrieve(self, request: Request, pk: int) -> Response:
        row = attestations_of(holder_id=_me(request).pk).get(pk=pk)
        return Response(AttestationSerializer(row).data)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: int) -> HttpResponse:
        from .pdf import pdf_response

        row = attestations_of(holder_id=_me(request).pk).get(pk=pk)
        return pdf_response(row)

    @extend_schema(responses={(200, "application/vc+jwt"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"])
    def ob3(self, request: Request, pk: int) -> HttpResponse:
        from .credentials import credential_response

        row = attestations_of(holder_id=_me(request).pk).get(pk=pk)
        return credential_response(row)

    @extend_schema(responses=VerificationSerializer)
    @action(
        detail=False,
        methods=["get"],
        url_path=r"verify/(?P<code>[^/]+)",
        permission_classes=[AllowAny],
        authentication_classes=[],
    )
    def verify(self, request: Request, code: str) -> Response:
        from .verify_views import WINDOW_SECONDS, over_limit

        # The same allowance per client as the verification pages.
        if over_limit(request._request):
            return Response(
                {"detail": "Too many checks; try again in a minute."},
                status=429,
                headers={"Retry-After": str(WINDOW_SECONDS)},
            )
        result = verification(code)
        return Response(
            result.as_json(), status=404 if result.status == "unknown" else 200
        )
