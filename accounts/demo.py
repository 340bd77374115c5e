"""The demo logins that `make run` creates and prints."""

from __future__ import annotations

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

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


@transaction.atomic
def demo_accounts_ensure() -> list[tuple[User, bool]]:
    """Create the demo accounts with verified e-mails; idempotent.

    Existing accounts keep their data (their password is reset to the demo one).
    """
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
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user,
            email=account.email,
            defaults={"verified": True, "primary": True},
        )
        results.append((user, created))
    return results
