"""Development settings: `make run`. Embedded Postgres/Redis unless URLs are set."""

from .base import *  # noqa: F403
from .base import cache_settings, celery_settings, database_settings, env
from .embedded import service_url

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-change-me")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])

DATABASE_URL = service_url("DATABASE_URL")
REDIS_URL = service_url("REDIS_URL")
DATABASES = {"default": database_settings(DATABASE_URL)}
CACHES = cache_settings(REDIS_URL)
globals().update(celery_settings(REDIS_URL))

# Mails are printed where `make run` shows its logs.
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
