"""Settings shared by every environment. Values come from the environment."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Lets generic classes (ModelAdmin[Model], QuerySet[Model]) be subscripted at runtime.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# --- core -----------------------------------------------------------------

SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS: list[str] = env.list("DJANGO_ALLOWED_HOSTS", default=[])
SITE_URL = env("SITE_URL", default="http://localhost:8000").rstrip("/")
SITE_NAME = "Compagnonnage"
# Video sessions of a mentor without a meeting link of their own get a room
# here (``<MEETING_BASE_URL>/<unguessable name>``), e.g. the operator's own
# Jitsi Meet. Empty: no room; the mentor sends a link.
MEETING_BASE_URL = env("MEETING_BASE_URL", default="").rstrip("/")
if MEETING_BASE_URL and not MEETING_BASE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured("MEETING_BASE_URL must start with https://")

# --- attestations (issue 19) ---
# The issuing organisation printed on every attestation and badge.
ATTESTATION_ISSUER_NAME = env("ATTESTATION_ISSUER_NAME", default="Compagnonnage")
ATTESTATION_ISSUER_SIRET = env("ATTESTATION_ISSUER_SIRET", default="")
ATTESTATION_ISSUER_EMAIL = env("ATTESTATION_ISSUER_EMAIL", default="")
# The Open Badges 3.0 signing keys (a JSON Web Key Set, private; the first key
# signs, all stay published). Production refuses to start without it; local
# and test settings create one under .data/ (ATTESTATION_SIGNING_KEYS_CREATE).
ATTESTATION_SIGNING_KEYS_FILE = env(
    "ATTESTATION_SIGNING_KEYS_FILE",
    default=str(BASE_DIR / ".data" / "attestation-signing-keys.json"),
)
ATTESTATION_SIGNING_KEYS_CREATE = True
# Public verification pages: requests per minute per client address.
ATTESTATION_VERIFY_RATE = env.int("ATTESTATION_VERIFY_RATE", default=30)
# Inactive accounts are warned, then deleted after this many months.
INACTIVE_ACCOUNT_MONTHS = env.int("INACTIVE_ACCOUNT_MONTHS", default=24)

INSTALLED_APPS = [
    "compagnonnage.apps.CompagnonnageAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "core",
    "accounts",
    "mentors",
    "matching",
    "sessions.apps.CoachingSessionsConfig",
    "certification",
    # The project package last: its commands (seed_demo, run_banner) and the
    # pages that span apps.
    "compagnonnage.apps.CompagnonnageConfig",
]

MIDDLEWARE = [
    "core.middleware.PrivacyHeadersMiddleware",
    "core.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "accounts.middleware.AdultConfirmationMiddleware",
]

ROOT_URLCONF = "compagnonnage.urls"
WSGI_APPLICATION = "compagnonnage.wsgi.application"
ASGI_APPLICATION = "compagnonnage.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
            ],
        },
    },
]

# Widgets draw with the project's templates too (the learner's time grid).
# `{{ form }}` and `form.as_p` (allauth's two-factor pages) render through the
# project's templates: templates/django/forms/ hands them to _form_fields.html,
# the error summary and the errors beside each field.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# --- data -----------------------------------------------------------------

# DATABASE_URL and REDIS_URL are resolved by each environment's module
# (local/test fall back to the embedded services, production requires them).
DATABASE_URL = env("DATABASE_URL", default="")
REDIS_URL = env("REDIS_URL", default="")


def database_settings(url: str) -> dict[str, object]:
    db = env.db_url_config(url)
    db["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    db["CONN_HEALTH_CHECKS"] = True
    db["ATOMIC_REQUESTS"] = False
    db.setdefault("OPTIONS", {})
    db["OPTIONS"].setdefault("connect_timeout", 5)
    # core/db.py: the few statements written to be prepared are prepared on
    # first use (Django's own queries never are: they bind values client-side).
    # Off (None) for a pooler that cannot keep them (PgBouncer < 1.21 in
    # transaction mode).
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        db["OPTIONS"].setdefault("prepare_threshold", 5)
    # No parallel workers for a web request's statement: starting them costs
    # ~10 ms, more than the directory's statements take alone, and the other
    # workers need the cores. A URL's own ``options`` win.
    workers = env.int("DATABASE_PARALLEL_WORKERS", default=0)
    db["OPTIONS"].setdefault("options", f"-c max_parallel_workers_per_gather={workers}")
    return db


def cache_settings(redis_url: str) -> dict[str, dict[str, object]]:
    return {
        "default": {
            "BACKEND": "core.cache.FailOpenRedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "compagnonnage",
            "TIMEOUT": 300,
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 0.5,
            },
        },
        # Per process, for what only a deploy changes: the layout's fixed parts
        # (links, translated labels), rendered once per language and state.
        "local": {
            "BACKEND": "core.cache.StringMemoryCache",
            "LOCATION": "layout",
            "TIMEOUT": 3600,
            "OPTIONS": {"MAX_ENTRIES": 1000},
        },
        # Parts drawn once per mentor, keyed on what they show (never stale):
        # a directory card as drawn, the mentor page's public part, the
        # booking page's free times (docs/caches.md). Each serves every query
        # or visitor that shows the mentor, so they stay on with the query
        # caches off. Read from this process first, then from Redis, where any
        # worker that drew a part left it for the others.
        "cards": {
            "BACKEND": "core.cache.LayeredCache",
            "TIMEOUT": 3600,
            "OPTIONS": {"LAYERS": ["cards_here", "default"]},
        },
        # The process's layer: room for every mentor a real mix of searches
        # shows (11,000 of 17,000 at 20,000 mentors; ~1.5 KB a card).
        "cards_here": {
            "BACKEND": "core.cache.StringMemoryCache",
            "LOCATION": "cards",
            "TIMEOUT": 3600,
            "OPTIONS": {"MAX_ENTRIES": 20000},
        },
        # Per process, keyed on a search query or page (rendered results, the
        # drawn filters): off with SEARCH_QUERY_CACHES (docs/caches.md).
        "queries": {
            "BACKEND": "core.cache.QueryCache",
            "LOCATION": "queries",
            "TIMEOUT": 300,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
    }


def celery_settings(redis_url: str) -> dict[str, object]:
    return {
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
    }


# The caches keyed on a search query or a page (the directory's page ids and
# rendered results, its drawn filters): SEARCH_QUERY_CACHES=0 turns them off, to
# measure the search itself. Caches keyed on one entity stay (docs/caches.md).
SEARCH_QUERY_CACHES = env.bool("SEARCH_QUERY_CACHES", default=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Sessions live in the database: a Redis outage must not log anybody out.
SESSION_ENGINE = "accounts.backends"  # Django's db store, its read in plain SQL
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# --- authentication -------------------------------------------------------

# Django's and allauth's backends; their per-request user read in plain SQL.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
_VALIDATORS = "django.contrib.auth.password_validation"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"{_VALIDATORS}.UserAttributeSimilarityValidator"},
    {"NAME": f"{_VALIDATORS}.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": f"{_VALIDATORS}.CommonPasswordValidator"},
    {"NAME": f"{_VALIDATORS}.NumericPasswordValidator"},
]

# Never Django's or DRF's login views: they bypass rate limits and MFA.
LOGIN_URL = "account_login"
# "My space" sends people without a profile to onboarding first.
LOGIN_REDIRECT_URL = "space"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_FORMS = {
    "signup": "accounts.allauth_forms.SignupForm",
    "change_password": "accounts.allauth_forms.ChangePasswordForm",
    "reset_password_from_key": "accounts.allauth_forms.ResetPasswordKeyForm",
}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS: dict[str, str] | bool = {
    # allauth's defaults, written out so they are visible and tunable.
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    # Wrong passwords: 10 a minute from one client whatever the account, 5 in
    # 5 minutes on one account from one client, and a ceiling of 20 in 15
    # minutes on one account from everywhere (README, "Failed log-ins").
    "login_failed": "10/m/ip,20/15m/key",
    "login_failed_client": "5/5m/key",
    "confirm_email": "1/3m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Compagnonnage] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
# Number of reverse proxies in front of the app, so rate limits see the client IP:
# none in local and test runs; production settings default to one.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Compagnonnage"

# Version of the terms of use a person accepts at sign-up.
TERMS_VERSION = "2026-11"
# Version of the mentor charter a mentor accepts before submitting a profile.
MENTOR_CHARTER_VERSION = "2026-11"
# Mentoring requests: expiry, reminders to the mentor, cap per learner.
MENTORSHIP_REQUEST_EXPIRY_DAYS = env.int("MENTORSHIP_REQUEST_EXPIRY_DAYS", default=14)
MENTORSHIP_REQUEST_REMINDER_DAYS = (3, 10)
MENTORSHIP_MAX_PENDING_REQUESTS = 5
# "On continue ?": both people of a mentorship are asked after this many
# months, then again after each such period.
MENTORSHIP_CHECKIN_MONTHS = env.int("MENTORSHIP_CHECKIN_MONTHS", default=3)
# Bookings: a person's cancellation (or a learner's change of time) less than
# this many hours before the session is late; the learner then asks the mentor
# to move it rather than moving it themself.
BOOKING_LATE_CUTOFF_HOURS = env.int("BOOKING_LATE_CUTOFF_HOURS", default=24)
if BOOKING_LATE_CUTOFF_HOURS < 0:
    raise ImproperlyConfigured("BOOKING_LATE_CUTOFF_HOURS must be 0 or more")
# Attendance: a session the mentor says took place counts as attended when the
# learner confirms, or says nothing for this many days after it ended.
ATTENDANCE_CONTEST_DAYS = env.int("ATTENDANCE_CONTEST_DAYS", default=7)
if ATTENDANCE_CONTEST_DAYS < 1:
    raise ImproperlyConfigured("ATTENDANCE_CONTEST_DAYS must be 1 or more")
# The one reminder of an unanswered question, and how long its e-mail link works.
ATTENDANCE_REMIND_AFTER_DAYS = 2
ATTENDANCE_LINK_DAYS = 14
# Matching: a mentor appears in at most K × (remaining capacity) top lists.
MATCHING_EXPOSURE_K = 3
# The nightly refresh serves everyone up to the first length before anyone gets
# more (when places are scarce, more learners get a few suggestions each).
MATCHING_ROUNDS = (3, 10)
# New-message e-mails wait this long, so a burst of messages makes one e-mail.
MESSAGE_EMAIL_DELAY = timedelta(minutes=10)
# Profile photos with more pixels are refused, from the size in the file's header,
# before anything decodes them: a 140 KB PNG can unpack to hundreds of megabytes.
# Well under Pillow's own guard (a warning from 89 MP, an error from 179 MP).
PHOTO_MAX_PIXELS = 25_000_000

# --- i18n / time ----------------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "lang"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["compagnonnage.formats"]

# --- static and media -----------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads are private: never served from a public URL, only through views.
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media")))
MEDIA_URL = "/media-not-public/"
# Private files (exports, evidence): never under a URL, only through views.
PRIVATE_ROOT = Path(
    env("DJANGO_PRIVATE_ROOT", default=str(BASE_DIR / ".data" / "private"))
)
DATA_EXPORT_DAYS = 7
# A file sent with an attestation request is deleted this long after the
# request is decided or withdrawn (the privacy page says 6 months).
ATTESTATION_FILE_RETENTION_DAYS = env.int(
    "DJANGO_ATTESTATION_FILE_RETENTION_DAYS", default=183
)

# --- e-mail ---------------------------------------------------------------

DEFAULT_FROM_EMAIL = env(
    "DJANGO_DEFAULT_FROM_EMAIL", default="Compagnonnage <no-reply@compagnonnage.fr>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API ------------------------------------------------------------------

API_THROTTLE_RATES: dict[str, str] = {
    "anon": "120/min",
    "user": "600/min",
    "write": "60/min",
    "directory": "60/min",
    # Private calendar feeds (sessions/feed.py), by feed: calendar apps poll
    # every few minutes at most. By address, asking for feeds that do not exist.
    "calendar_feed": "60/hour",
    "calendar_feed_miss": "60/hour",
}
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that a missing or bad token answers 401 with WWW-Authenticate.
        "accounts.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["accounts.api.permissions.IsAuthenticatedAdult"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.NulFreeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # core/throttling.py: counters in the cache, let through while Redis is down.
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.AnonThrottle",
        "core.throttling.UserThrottle",
        "core.throttling.WriteThrottle",
        "core.throttling.ViewScopeThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": API_THROTTLE_RATES,
    # The client's address for the anonymous rate: the one the last trusted proxy
    # saw, as for allauth's limits (X-Forwarded-For is otherwise the client's say).
    "NUM_PROXIES": ALLAUTH_TRUSTED_PROXY_COUNT,
    # Domain errors (core/errors.py) answer 409/400/404 without a hand-written except.
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Compagnonnage API",
    "DESCRIPTION": "Peer-to-peer digital mentoring: mentors, requests, coaching "
    "sessions and skill attestations.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ModeEnum": "mentors.choices.Mode",
        # Who in a booking: who cancelled, who was absent.
        "PersonRoleEnum": [("learner", "learner"), ("mentor", "mentor")],
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "compagnonnage.openapi.add_error_responses",
    ],
}

# --- Celery ---------------------------------------------------------------

CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_ACKS_LATE = False
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must never hang a request when Redis is down.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 1,
    "socket_timeout": 2,
    "max_retries": 0,
}
CELERY_REDIS_BACKEND_HEALTH_CHECK_INTERVAL = 30
# --- outbox (core/outbox.py) ---------------------------------------------

OUTBOX_RELAY_INTERVAL = timedelta(seconds=env.int("OUTBOX_RELAY_INTERVAL", default=10))
# A claimed row is published again when its lease expires (worker died).
OUTBOX_LEASE = timedelta(seconds=env.int("OUTBOX_LEASE_SECONDS", default=120))
OUTBOX_MAX_ATTEMPTS = 10
OUTBOX_RETRY_BASE_SECONDS = 30
OUTBOX_PUBLISH_BACKOFF_SECONDS = 10
OUTBOX_STUCK_AFTER = timedelta(minutes=15)
EMAIL_MESSAGE_ID_DOMAIN = env(
    "DJANGO_EMAIL_MESSAGE_ID_DOMAIN", default="compagnonnage.fr"
)

CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "relay-outbox": {
        "task": "core.tasks.relay_outbox_task",
        "schedule": OUTBOX_RELAY_INTERVAL,
        "options": {"expires": 30},
    },
    "expire-and-remind-requests": {
        "task": "mentors.tasks.expire_and_remind_requests_task",
        "schedule": timedelta(minutes=15),
    },
    "refresh-all-suggestions": {
        "task": "mentors.tasks.refresh_all_suggestions_task",
        "schedule": timedelta(hours=24),
    },
    "delete-expired-exports": {
        "task": "core.tasks.delete_expired_data_exports_task",
        "schedule": timedelta(hours=6),
    },
    "heartbeat": {
        "task": "core.tasks.heartbeat_task",
        "schedule": timedelta(minutes=5),
    },
    "extend-slots": {
        "task": "sessions.tasks.extend_slots_task",
        "schedule": timedelta(hours=24),
    },
    "refresh-slot-summaries": {
        "task": "sessions.tasks.refresh_slot_summaries_task",
        "schedule": timedelta(hours=1),
    },
    "forget-booking-keys": {
        "task": "sessions.tasks.forget_booking_keys_task",
        "schedule": timedelta(hours=24),
    },
    # Reminders are due 24 h and 1 h before: a scan every 5 minutes, never a
    # countdown (the broker would deliver a long one twice).
    "queue-booking-reminders": {
        "task": "sessions.tasks.queue_booking_reminders_task",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 240},
    },
    "forget-reminders-and-waitlist": {
        "task": "sessions.tasks.forget_reminders_and_waitlist_task",
        "schedule": timedelta(hours=24),
    },
    "expire-reschedule-requests": {
        "task": "sessions.tasks.expire_reschedule_requests_task",
        "schedule": timedelta(hours=1),
    },
    "refresh-late-cancellations": {
        "task": "sessions.tasks.refresh_late_cancellations_task",
        "schedule": timedelta(hours=24),
    },
    # "Did the session take place?": asked after it ends, reminded once; the
    # silent ones settle after ATTENDANCE_CONTEST_DAYS.
    "queue-attendance-questions": {
        "task": "sessions.tasks.queue_attendance_questions_task",
        "schedule": timedelta(minutes=15),
        "options": {"expires": 600},
    },
    "delete-old-attestation-files": {
        "task": "certification.tasks.delete_old_evidence_files_task",
        "schedule": timedelta(hours=24),
    },
    # Issue 19: mentor badges; inactive accounts warned, then deleted.
    "award-mentor-badges": {
        "task": "certification.tasks.award_mentor_badges_task",
        "schedule": timedelta(hours=24),
    },
    "process-inactive-accounts": {
        "task": "certification.tasks.process_inactive_accounts_task",
        "schedule": timedelta(hours=24),
    },
    "settle-attendance": {
        "task": "sessions.tasks.settle_attendance_task",
        "schedule": timedelta(hours=1),
    },
    # Hours given and people helped are recounted when a session's attendance
    # settles; the daily recount is the safety net.
    "refresh-activity": {
        "task": "sessions.tasks.refresh_activity_task",
        "schedule": timedelta(hours=24),
    },
    "ask-mentorship-checkins": {
        "task": "matching.tasks.ask_mentorship_checkins_task",
        "schedule": timedelta(hours=6),
    },
    "rebuild-search-lexicon": {
        "task": "mentors.tasks.rebuild_search_lexicon_task",
        "schedule": timedelta(hours=24),
    },
}

# --- security (production tightens these) --------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
