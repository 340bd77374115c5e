from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User

from .serializers import MeSerializer


class MeView(APIView):
    """The caller's own account."""

    @extend_schema(responses=MeSerializer)
    def get(self, request: Request) -> Response:
        assert isinstance(request.user, User)  # IsAuthenticated is the default
        return Response(MeSerializer(request.user).data)
