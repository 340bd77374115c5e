from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request


class IsAuthenticatedAdult(IsAuthenticated):
    """Signed in, and confirmed being 18 or older (accounts made before sign-up
    asked answer it once on the site, at /accounts/age/)."""

    message = _("Confirm that you are 18 or older on the site first (/accounts/age/).")

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and (
            getattr(request.user, "adult_confirmed_at", None) is not None
        )
