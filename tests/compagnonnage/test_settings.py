from __future__ import annotations

import os
import subprocess
import sys
from importlib import import_module

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.backends.cached_db import (
    SessionStore as CachedDatabaseStore,
)
from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

REQUIRED = ("DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "SITE_URL")
GOOD_ENV = {
    "DATABASE_URL": "postgres://app:secret@db.internal:5432/compagnonnage",
    "REDIS_URL": "redis://redis.internal:6379/0",
    "DJANGO_SECRET_KEY": "x" * 60,
    "SITE_URL": "https://compagnonnage.example.fr",
}


def _load_production_settings(
    env: dict[str, str], show: str = "settings.DEBUG, settings.SITE_URL"
) -> subprocess.CompletedProcess[str]:
    """Load the production settings in a fresh process with only ``env`` set
    among the variables they read; print ``show``."""
    unset = (*REQUIRED, "DJANGO_TRUSTED_PROXY_COUNT")
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update(env, DJANGO_SETTINGS_MODULE="compagnonnage.settings.production")
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings;"
            f"print({show})",
        ],
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
    )


@pytest.mark.parametrize("missing", REQUIRED)
def test_production_settings_refuse_to_start_without(missing):
    env = {k: v for k, v in GOOD_ENV.items() if k != missing}

    result = _load_production_settings(env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert missing in last_line
    for present in set(REQUIRED) - {missing}:
        assert present not in last_line


def test_production_settings_name_every_missing_variable():
    result = _load_production_settings({})

    last_line = result.stderr.strip().splitlines()[-1]
    assert all(name in last_line for name in REQUIRED)


def test_production_settings_start_with_all_variables():
    result = _load_production_settings(GOOD_ENV)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "https://compagnonnage.example.fr"]


def test_production_trusts_one_proxy_in_front_of_web_by_default():
    # gunicorn in docker-compose.yml serves plain HTTP behind one TLS proxy:
    # its X-Forwarded-For entry is the client address rate limits must read.
    result = _load_production_settings(
        GOOD_ENV, show="settings.ALLAUTH_TRUSTED_PROXY_COUNT"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0  # local and test: no proxy


def test_sessions_app_has_the_coaching_sessions_label():
    config = apps.get_app_config("coaching_sessions")

    assert config.name == "sessions"
    assert apps.get_app_config("sessions").name == "django.contrib.sessions"


def test_sessions_live_in_the_database_not_in_redis():
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert issubclass(store, DatabaseStore)
    assert not issubclass(store, CachedDatabaseStore)
