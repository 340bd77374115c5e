from __future__ import annotations

import os
import subprocess
import sys

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management import call_command

from accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from accounts.models import User

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_verified_demo_logins_and_is_idempotent():
    call_command("seed_demo")
    call_command("seed_demo")

    for account in DEMO_ACCOUNTS:
        user = User.objects.get(email=account.email)
        assert user.check_password(DEMO_PASSWORD)
        assert user.is_staff == account.is_staff
        assert (
            EmailAddress.objects.filter(user=user, verified=True, primary=True).count()
            == 1
        )
    # Beside them, the demo population (tests/mentors/test_seed_demo.py), once.
    assert User.objects.count() == len(DEMO_ACCOUNTS) + 60 + 200


def test_a_demo_login_works(client):
    call_command("seed_demo")
    learner = DEMO_ACCOUNTS[0]

    response = client.post(
        "/accounts/login/", {"login": learner.email, "password": DEMO_PASSWORD}
    )

    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_seed_demo_refuses_production_settings():
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="compagnonnage.settings.production",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/nothing",
        REDIS_URL="redis://127.0.0.1:1/0",
        DJANGO_SECRET_KEY="y" * 60,
        SITE_URL="https://compagnonnage.example.fr",
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "seed_demo"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
    )

    assert result.returncode != 0
    assert "never runs under production" in result.stderr
