"""The demo logins that `make run` creates and prints."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from .models import User

DEMO_PASSWORD = "compagnon-demo-2026"  # noqa: S105 - printed on purpose, local only


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    full_name: str
    is_staff: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("learner", "apprenant@example.fr", "Camille Martin"),
    DemoAccount("mentor", "mentor@example.fr", "Karim Benali"),
    DemoAccount("staff", "equipe@example.fr", "Sophie Durand", is_staff=True),
)


def demo_password_hash() -> str:
    """The demo password, hashed once: every demo row reuses it (hashing is slow
    on purpose, a hundred thousand times would take hours)."""
    return make_password(DEMO_PASSWORD)


@transaction.atomic
def demo_accounts_ensure(
    *, password_hash: str | None = None
) -> list[tuple[User, bool]]:
    """Create the demo accounts with verified e-mails; idempotent.

    Existing accounts keep their data (their password is reset to the demo one,
    ``password_hash`` when given, from ``demo_password_hash()``).
    """
    password_hash = password_hash or demo_password_hash()
    results = []
    for account in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            email=account.email,
            defaults={
                "full_name": account.full_name,
                "is_staff": account.is_staff,
                "is_superuser": account.is_staff,
            },
        )
        user.password = password_hash
        user.adult_confirmed_at = user.adult_confirmed_at or timezone.now()
        if not user.terms_accepted_at:
            user.terms_version = settings.TERMS_VERSION
            user.terms_accepted_at = timezone.now()
        user.save(
            update_fields=[
                "password",
                "adult_confirmed_at",
                "terms_version",
                "terms_accepted_at",
            ]
        )
        EmailAddress.objects.update_or_create(
            user=user,
            email=account.email,
            defaults={"verified": True, "primary": True},
        )
        results.append((user, created))
    return results
