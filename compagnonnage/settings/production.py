"""Production settings: `docker compose up` against managed Postgres and Redis."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    REST_FRAMEWORK,
    cache_settings,
    celery_settings,
    database_settings,
    env,
)

REQUIRED = ("DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "SITE_URL")
_missing = [name for name in REQUIRED if not os.environ.get(name, "").strip()]
if _missing:
    raise ImproperlyConfigured(
        "Production settings need these environment variables: " + ", ".join(_missing)
    )

# Django's own rule (check --deploy, security.W009), made fatal: sessions, reset
# links and unsubscribe links are signed with this key.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
# Words of the examples and placeholders people copy (.env.example among them).
SECRET_KEY_PLACEHOLDERS = (
    "change-me",
    "changeme",
    "change_me",
    "example",
    "placeholder",
    "insecure",
    "build-only",
)


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` may not sign anything in production, or None."""
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"it has {len(key)} characters"
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return f"it has {len(set(key))} different characters"
    word = next((w for w in SECRET_KEY_PLACEHOLDERS if w in key.lower()), None)
    if word is not None:
        return f"it contains the placeholder {word!r}"
    return None


_problem = secret_key_problem(env("DJANGO_SECRET_KEY"))
if _problem:
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY is too weak ({_problem}): it needs at least "
        f"{SECRET_KEY_MIN_LENGTH} characters, {SECRET_KEY_MIN_UNIQUE_CHARACTERS} "
        "different ones, no placeholder or example word "
        f"({', '.join(SECRET_KEY_PLACEHOLDERS)}). "
        "Generate one with: "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
SITE_URL = env("SITE_URL").rstrip("/")
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[SITE_URL.split("://", 1)[-1].split("/")[0]]
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[SITE_URL])

DATABASES = {"default": database_settings(env("DATABASE_URL"))}
CACHES = cache_settings(env("REDIS_URL"))
globals().update(celery_settings(env("REDIS_URL")))

# HTTPS everywhere, except the health probe that load balancers call over HTTP.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
# gunicorn serves plain HTTP and the settings above trust X-Forwarded-Proto: one
# TLS-terminating proxy is in front of `web` (docker-compose.yml publishes it to
# that proxy). With 0, rate limits would see every visitor as the proxy's IP.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=1)
# The API's throttles read the client address the same way as the log-in limits.
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": ALLAUTH_TRUSTED_PROXY_COUNT}

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = 10

# Open Badges 3.0 signing keys (issue 19): never created here; refuse to start
# without a usable file.
from certification.signing_keys import keys_file_check  # noqa: E402

ATTESTATION_SIGNING_KEYS_FILE = os.environ.get(
    "ATTESTATION_SIGNING_KEYS_FILE", ""
).strip()
ATTESTATION_SIGNING_KEYS_CREATE = False
keys_file_check(ATTESTATION_SIGNING_KEYS_FILE)
