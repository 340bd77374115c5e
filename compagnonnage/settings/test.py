"""Test settings: pytest. Embedded Postgres/Redis unless URLs are set."""

from .base import *  # noqa: F403
from .base import cache_settings, celery_settings, database_settings, env
from .embedded import service_url

DEBUG = False
SECRET_KEY = "test-only-insecure-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
SITE_URL = "http://testserver"

DATABASE_URL = service_url("DATABASE_URL")
REDIS_URL = service_url("REDIS_URL")
if not env("REDIS_URL", default=""):
    # The embedded Redis is shared with `make run`: tests use their own database.
    REDIS_URL = REDIS_URL.rsplit("/", 1)[0] + "/1"
DATABASES = {"default": database_settings(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = 0
CACHES = cache_settings(REDIS_URL)
globals().update(celery_settings(REDIS_URL))

# Fast hashing in tests; one test keeps Argon2 explicitly.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The limits themselves are tested explicitly (tests/accounts/test_rate_limits.py).
ACCOUNT_RATE_LIMITS = False
CELERY_TASK_ALWAYS_EAGER = False
LOGGING = {"version": 1, "disable_existing_loggers": False}
