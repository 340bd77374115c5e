"""Load-benchmark settings: `make bench` (bench/run.py sets the environment).

Production settings, so the product pages run with the same middleware, cache,
sessions and DEBUG off, made runnable over plain HTTP on loopback, plus the `bench`
app's reference views. Needs DATABASE_URL, REDIS_URL, DJANGO_SECRET_KEY and
SITE_URL, like production; the harness points them at its own databases.
"""

from .production import *  # noqa: F403
from .production import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

# Plain HTTP on loopback: no redirect to HTTPS. The secure-cookie flags stay on;
# they only change what browsers send back, and the load generator sends the
# session cookie itself.
SECURE_SSL_REDIRECT = False
# No collectstatic before a run; `{% static %}` URLs only need to be built.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Nothing leaves the machine, even if a page queued a mail.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
