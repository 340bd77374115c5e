"""Fixtures shared by the whole suite. Every test runs on the real PostgreSQL."""

from __future__ import annotations

import os

# pytest-playwright runs an event loop in the main thread; live_server tests then
# call the ORM from it. Must be set before Django is imported.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.core.cache import cache

from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Rate-limit counters and the like live in the (real) Redis cache."""
    cache.clear()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def staff_user(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def staff_with_totp(db):
    """A staff member with TOTP set up; ``.totp_secret`` gives codes via pyotp."""
    from tests.factories import add_totp

    staff = UserFactory(is_staff=True, is_superuser=True)
    staff.totp_secret = add_totp(staff)
    return staff
