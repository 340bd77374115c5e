"""Test settings: pytest. Embedded Postgres/Redis unless URLs are set."""

import os
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

from .base import *  # noqa: F403
from .base import (
    API_THROTTLE_RATES,
    REST_FRAMEWORK,
    cache_settings,
    celery_settings,
    database_settings,
    env,
)
from .embedded import service_url

DEBUG = False
SECRET_KEY = "test-only-insecure-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SITE_URL = "http://testserver"

# Under `pytest -n`, each xdist worker ("gw0", "gw1", ...) has its own test
# database (pytest-django), Redis database and files: a test's cache.clear()
# must not empty another worker's queue. Processes a test starts are given the
# worker's Redis URL already chosen (tests/workers.py: TEST_REDIS_URL_CHOSEN).
TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_WORKER_INDEX = int(TEST_WORKER.removeprefix("gw") or 0)

DATABASE_URL = service_url("DATABASE_URL")
REDIS_URL = service_url("REDIS_URL")
if not env.bool("TEST_REDIS_URL_CHOSEN", default=False):
    # The embedded Redis is shared with `make run`: tests use their own
    # databases from 1 on; a given URL's database (0 if it names none) is the
    # first worker's.
    _url = urlsplit(REDIS_URL)
    _db = _url.path.lstrip("/")
    _given = int(_db) if _db.isdigit() else 0
    _first = _given if env("REDIS_URL", default="") else 1
    REDIS_URL = urlunsplit(_url._replace(path=f"/{_first + _WORKER_INDEX}"))
DATABASES = {"default": database_settings(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = 0
CACHES = cache_settings(REDIS_URL)
globals().update(celery_settings(REDIS_URL))

# Fast hashing in tests; one test keeps Argon2 explicitly.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# In-process tests read locmem; a real worker process is pointed at an SMTP sink.
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend"
)
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_TIMEOUT = 60
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The limits bite fast test suites; tests of the limits turn them back on (and
# processes started by tests can keep allauth's real ones: TEST_RATE_LIMITS=on).
# The API's throttles still run on every request, counters in Redis included,
# at rates no test reaches by accident (tests/api/test_throttling.py sets
# API_THROTTLE_RATES back; core/throttling.py reads the rates per request).
if not env.bool("TEST_RATE_LIMITS", default=False):
    ACCOUNT_RATE_LIMITS = False
    REST_FRAMEWORK = {
        **REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(API_THROTTLE_RATES, "100000/min"),
    }
CELERY_TASK_ALWAYS_EAGER = False
# A queue of this test run's own (inherited by the worker processes it starts),
# so neither a `make run` worker nor another run takes its tasks.
CELERY_TASK_DEFAULT_QUEUE = os.environ.setdefault(
    "CELERY_TEST_QUEUE", f"test-{os.getpid()}"
)
OUTBOX_LEASE = timedelta(seconds=env.int("OUTBOX_LEASE_SECONDS", default=120))
LOGGING = {"version": 1, "disable_existing_loggers": False}
_SUFFIX = f"-{TEST_WORKER}" if TEST_WORKER else ""
PRIVATE_ROOT = BASE_DIR / ".data" / f"test-private{_SUFFIX}"
MEDIA_ROOT = BASE_DIR / ".data" / f"test-media{_SUFFIX}"

# Attestation signing keys: created on first use under .data/ (issue 19).
ATTESTATION_SIGNING_KEYS_FILE = str(
    BASE_DIR / ".data" / f"test-attestation-keys{_SUFFIX}.json"
)
ATTESTATION_SIGNING_KEYS_CREATE = True
