"""Reads on accounts, filtered to what the caller may see."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ApiToken, User


def api_token_list_for_user(*, user: User) -> QuerySet[ApiToken]:
    """The caller's active tokens, newest first."""
    return ApiToken.objects.active().filter(user=user).order_by("-created_at")
