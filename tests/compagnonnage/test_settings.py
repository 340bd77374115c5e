from __future__ import annotations

import os
import secrets
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
    # A strong key, as the README tells how to make one.
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "SITE_URL": "https://compagnonnage.example.fr",
}


def _test_signing_keys() -> str:
    from certification.signing_keys import signing_keys

    signing_keys(settings.ATTESTATION_SIGNING_KEYS_FILE, create=True)
    return str(settings.ATTESTATION_SIGNING_KEYS_FILE)


def _settings_process(
    module: str, env: dict[str, str], *, unset: tuple[str, ...], show: str
) -> subprocess.CompletedProcess[str]:
    """Load the settings ``module`` in a fresh process, with this process's
    environment less ``unset`` and plus ``env``; print ``show``."""
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update(env, DJANGO_SETTINGS_MODULE=f"compagnonnage.settings.{module}")
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


def _load_production_settings(
    env: dict[str, str], show: str = "settings.DEBUG, settings.SITE_URL"
) -> subprocess.CompletedProcess[str]:
    """Load the production settings in a fresh process with only ``env`` set
    among the variables they read; print ``show``."""
    # Issue 19: production also needs its attestation signing keys (tested in
    # tests/certification/test_credentials.py); the test settings' file here.
    env = {"ATTESTATION_SIGNING_KEYS_FILE": _test_signing_keys(), **env}
    return _settings_process(
        "production", env, unset=(*REQUIRED, "DJANGO_TRUSTED_PROXY_COUNT"), show=show
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
    # The log-in limits (allauth) and the API's throttles (DRF) read it alike.
    result = _load_production_settings(
        GOOD_ENV,
        show="settings.ALLAUTH_TRUSTED_PROXY_COUNT,"
        " settings.REST_FRAMEWORK['NUM_PROXIES']",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "1"]
    assert settings.ALLAUTH_TRUSTED_PROXY_COUNT == 0  # local and test: no proxy
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == 0


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("short-but-random-4f9Kq2", "it has 23 characters"),
        ("x" * 60, "it has 1 different characters"),
        ("change-me-to-a-long-random-string" + "-abcdefghij" * 2, "'change-me'"),
        ("django-insecure-" + secrets.token_urlsafe(50), "'insecure'"),
        (secrets.token_urlsafe(50) + "-example", "'example'"),
    ],
    ids=["short", "one-character", "placeholder", "django-insecure", "example"],
)
def test_production_settings_refuse_a_weak_secret_key(key, why):
    result = _load_production_settings({**GOOD_ENV, "DJANGO_SECRET_KEY": key})

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: ")
    assert "DJANGO_SECRET_KEY is too weak" in last_line
    assert why in last_line
    assert "at least 50 characters" in last_line  # the rule itself
    assert key not in last_line  # never printed, even a weak one


def test_sessions_app_has_the_coaching_sessions_label():
    config = apps.get_app_config("coaching_sessions")

    assert config.name == "sessions"
    assert apps.get_app_config("sessions").name == "django.contrib.sessions"


def test_sessions_live_in_the_database_not_in_redis():
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert issubclass(store, DatabaseStore)
    assert not issubclass(store, CachedDatabaseStore)


def _test_settings(env: dict[str, str], show: str) -> str:
    """``show`` printed by the test settings loaded in a fresh process with
    ``env`` over this one's (the xdist and Redis variables cleared first)."""
    result = _settings_process(
        "test",
        env,
        unset=("PYTEST_XDIST_WORKER", "REDIS_URL", "TEST_REDIS_URL_CHOSEN"),
        show=show,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


SHOW_WORKER = (
    "settings.CELERY_BROKER_URL, settings.CACHES['default']['LOCATION'],"
    "settings.PRIVATE_ROOT.name, settings.MEDIA_ROOT.name,"
    "settings.ATTESTATION_SIGNING_KEYS_FILE.rsplit('/', 1)[1]"
)


def test_each_xdist_worker_has_its_own_redis_database_and_files():
    """pytest -n: a test's cache.clear() (FLUSHDB) must not empty another
    worker's Celery queue, nor one worker's files meet another's."""
    given = {"REDIS_URL": "redis://127.0.0.1:6390/3"}

    alone = _test_settings(given, SHOW_WORKER)
    first = _test_settings({**given, "PYTEST_XDIST_WORKER": "gw0"}, SHOW_WORKER)
    second = _test_settings({**given, "PYTEST_XDIST_WORKER": "gw1"}, SHOW_WORKER)

    assert alone.split() == [
        "redis://127.0.0.1:6390/3",
        "redis://127.0.0.1:6390/3",
        "test-private",
        "test-media",
        "test-attestation-keys.json",
    ]
    assert first.split() == [
        "redis://127.0.0.1:6390/3",
        "redis://127.0.0.1:6390/3",
        "test-private-gw0",
        "test-media-gw0",
        "test-attestation-keys-gw0.json",
    ]
    assert second.split() == [
        "redis://127.0.0.1:6390/4",
        "redis://127.0.0.1:6390/4",
        "test-private-gw1",
        "test-media-gw1",
        "test-attestation-keys-gw1.json",
    ]
    # A URL without a database number: the workers' from 0 on.
    bare = {"REDIS_URL": "redis://127.0.0.1:6390", "PYTEST_XDIST_WORKER": "gw1"}
    assert _test_settings(bare, "settings.CELERY_BROKER_URL") == (
        "redis://127.0.0.1:6390/1"
    )


def test_a_process_started_by_a_worker_keeps_the_redis_url_it_is_given():
    """A Celery worker started by the xdist worker gw1 is given gw1's URL
    (tests/workers.py): it must not move it on by one again."""
    from tests.workers import subprocess_env

    env = subprocess_env()
    assert env["TEST_REDIS_URL_CHOSEN"] == "1"

    url = _test_settings(
        {
            "PYTEST_XDIST_WORKER": "gw1",
            "REDIS_URL": "redis://127.0.0.1:6390/4",
            "TEST_REDIS_URL_CHOSEN": env["TEST_REDIS_URL_CHOSEN"],
        },
        "settings.CELERY_BROKER_URL",
    )

    assert url == "redis://127.0.0.1:6390/4"
