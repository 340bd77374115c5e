from __future__ import annotations

import time

import factory
import pyotp
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from accounts.models import User

PASSWORD = "a-long-test-password-1"


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a verified e-mail address and the password ``PASSWORD``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="fr_FR")
    password = factory.django.Password(PASSWORD)
    adult_confirmed_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def verified(
        obj: User, create: bool, extracted: bool | None, **kwargs: object
    ) -> None:
        if create:
            EmailAddress.objects.create(
                user=obj,
                email=obj.email,
                primary=True,
                verified=True if extracted is None else extracted,
            )


def add_totp(user: User) -> str:
    """Activate TOTP for ``user`` the way allauth does; return the secret."""
    secret = pyotp.random_base32()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str, *, margin: float = 5.0) -> str:
    """The current code, taken at least ``margin`` seconds before its 30 s
    window ends: allauth accepts no neighbouring window, so a code read at
    second 29 was refused once the browser had submitted it."""
    totp = pyotp.TOTP(secret)
    left = totp.interval - time.time() % totp.interval
    if left < margin:
        time.sleep(left + 0.1)
    return totp.now()
