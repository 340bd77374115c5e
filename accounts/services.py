"""Writes on accounts and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core.models import Notification
from core.notifications import notify
from core.personal_data import personal_data_erase

from .hooks import user_changed_send
from .models import ApiToken, User, hash_token


@transaction.atomic
def user_complete_signup(*, user: User, full_name: str, language: str) -> User:
    """Record what the sign-up form adds to allauth's user: name, language, the
    terms accepted and being 18 or older (both ticked on the form).

    The terms version accepted is the one in force (``settings.TERMS_VERSION``).
    """
    now = timezone.now()
    user.full_name = full_name.strip()
    user.language = (
        language if language in User.Language.values else User.Language.FRENCH
    )
    user.terms_version = settings.TERMS_VERSION
    user.terms_accepted_at = now
    user.adult_confirmed_at = now
    user.save(
        update_fields=[
            "full_name",
            "language",
            "terms_version",
            "terms_accepted_at",
            "adult_confirmed_at",
        ]
    )
    return user


def user_confirm_adult(*, user: User) -> User:
    """The person says they are 18 or older (accounts made before sign-up asked);
    the first answer is the one kept."""
    User.objects.filter(pk=user.pk, adult_confirmed_at__isnull=True).update(
        adult_confirmed_at=timezone.now()
    )
    user.refresh_from_db(fields=["adult_confirmed_at"])
    return user


@transaction.atomic
def user_update_preferences(
    *, user: User, full_name: str, language: str, time_zone: str
) -> User:
    """Change a person's name, language and time zone (already validated).

    A new name is sent on ``accounts.user_changed`` (the directory indexes
    mentors' names).
    """
    user.full_name = full_name.strip()
    user.language = language
    user.time_zone = time_zone
    renamed = User.objects.filter(pk=user.pk).exclude(full_name=user.full_name).exists()
    user.full_clean(exclude=["password", "email"])
    user.save(update_fields=["full_name", "language", "time_zone"])
    if renamed:
        user_changed_send(user=user, fields=["full_name"])
    return user


@transaction.atomic
def user_deactivate(*, user: User) -> User:
    """Turn a person's account off: they can no longer sign in, and what they
    published leaves the other apps' lists.

    Sends ``accounts.user_changed`` only when the account was active, so a second
    call changes nothing.
    """
    turned_off = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False)
    user.is_active = False
    if turned_off:
        user_changed_send(user=user, fields=["is_active"])
    return user


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it with its key, which is never stored."""
    raw = ApiToken.generate_key()
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        key_hash=hash_token(raw),
        key_prefix=raw[: len(ApiToken.PREFIX) + 4],
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s tokens. Another person's token is a 404."""
    token = (
        ApiToken.objects.select_for_update()
        .filter(user=user, pk=token_id, revoked_at__isnull=True)
        .first()
    )
    if token is None:
        raise ApiToken.DoesNotExist(token_id)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


def api_tokens_revoke_all(*, user: User) -> int:
    """Revoke every active token of ``user`` (their password was reset or
    changed); return how many. One conditional ``UPDATE``: tokens already
    revoked keep their date, and a second call changes nothing."""
    return ApiToken.objects.active().filter(user=user).update(revoked_at=timezone.now())


@transaction.atomic
def user_welcome(*, user: User) -> None:
    """Welcome a person once, when their first e-mail address is confirmed."""
    if Notification.objects.filter(recipient=user, kind="account.welcome").exists():
        return
    notify(recipient=user, kind="account.welcome", link=reverse("home"))


@transaction.atomic
def user_erase(*, user: User) -> None:
    """Delete a person's account: every app's personal data, then the account
    (anonymised; sessions, tokens, e-mail addresses and TOTP removed)."""
    personal_data_erase(user=user)
