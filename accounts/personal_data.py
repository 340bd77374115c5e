"""The account's own personal data: the first provider of the registry."""

from __future__ import annotations

import secrets
from importlib import import_module
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from .hooks import user_changed_send
from .models import ApiToken, Session, User


def export_account(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "full_name": user.full_name,
        "language": user.language,
        "time_zone": user.time_zone,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "terms_version": user.terms_version,
        "terms_accepted_at": user.terms_accepted_at,
        "adult_confirmed_at": user.adult_confirmed_at,
        "email_addresses": list(
            EmailAddress.objects.filter(user=user).values(
                "email", "verified", "primary"
            )
        ),
        "two_factor": list(
            Authenticator.objects.filter(user=user).values(
                "type", "created_at", "last_used_at"
            )
        ),
        "api_tokens": list(
            ApiToken.objects.filter(user=user).values(
                "name", "key_prefix", "created_at", "last_used_at", "revoked_at"
            )
        ),
    }


def _session_ids_of(user: User) -> list[str]:
    # Each session row holds its person's id (``accounts.models.Session``).
    return list(
        Session.objects.filter(user_id=user.pk).values_list("session_key", flat=True)
    )


def erase_account(user: User) -> None:
    """Revoke every way in, remove what names the person, keep an anonymous row
    so that what others wrote to them stays readable."""
    mentions = [v for v in (user.email, user.full_name) if v]
    # Through the configured engine, so a cached copy goes too.
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for session_key in _session_ids_of(user):
        store(session_key).delete()
    ApiToken.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    EmailAddress.objects.filter(user=user).delete()
    user_type = ContentType.objects.get_for_model(User)
    about = Q(content_type=user_type, object_id=str(user.pk))
    for value in mentions:
        about |= Q(object_repr__icontains=value) | Q(change_message__icontains=value)
    LogEntry.objects.filter(about).delete()
    # Both become falsy below: one that is truthy now is one that changes.
    changed = [name for name in ("full_name", "is_active") if getattr(user, name)]
    user.email = f"deleted-{user.pk}-{secrets.token_hex(4)}@deleted.invalid"
    user.full_name = ""
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    user_changed_send(user=user, fields=changed)
