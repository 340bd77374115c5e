"""Fixtures shared by the whole suite. Every test runs on the real PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator

# pytest-playwright runs an event loop in the main thread; live_server tests then
# call the ORM from it. Must be set before Django is imported.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest
from django.core.cache import cache, caches
from hypothesis import settings as hypothesis_settings

from tests.factories import UserFactory
from tests.workers import SmtpSink, WorkerProcess, subprocess_env

# Two shared cores and a real database: bounded, reproducible, no deadline.
hypothesis_settings.register_profile(
    "ci", max_examples=50, deadline=None, derandomize=True, database=None
)
hypothesis_settings.register_profile("dev", max_examples=200, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


_page_problems: list[str] = []


@pytest.fixture(scope="session", autouse=True)
def _page_gates() -> Iterator[None]:
    """Every response of the suite is checked for template text on the page,
    for writes made by a GET and for the privacy headers
    (``tests/gates/page_checks.py``)."""
    from tests.gates.page_checks import checking_responses

    with checking_responses(_page_problems.extend):
        yield


@pytest.fixture(autouse=True)
def _no_page_problems(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test whose requests printed template text, wrote on GET or
    lacked a privacy header."""
    _page_problems.clear()
    yield
    if request.node.get_closest_marker("page_problems_expected"):
        return
    problems, _page_problems[:] = list(_page_problems), []
    if problems:
        pytest.fail("\n".join(problems[:20]), pytrace=False)


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Rate-limit counters and the like live in the (real) Redis cache; the
    matching engine keeps the mentor matrix in process memory, and the pages
    their rendered parts in the "local", "cards" and "queries" caches, keyed on versions
    that rolled-back tests reuse (so are the skill list of forms, the
    directory form's fields, its filters' drawn options and its panel, and
    the copy of the search lexicon, the filters' statistics, the cards'
    skill names)."""
    from matching.engine.data import _cache
    from mentors.cards import _skill_names
    from mentors.directory import _FILTER_STATS
    from mentors.forms import _FIELDS, _PANELS, _SKELETONS, _skill_choices
    from mentors.search import _COPY

    cache.clear()
    caches["local"].clear()
    caches["cards"].clear()
    caches["queries"].clear()
    _cache.clear()
    _skill_choices.cache_clear()
    _skill_names.cache_clear()
    _SKELETONS.clear()
    _PANELS.clear()
    _FIELDS.clear()
    _COPY.clear()
    _FILTER_STATS.clear()


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Transactional tests flush every table after them, reference data loaded
    by migrations included: load it again for them (idempotent)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        from certification.groups import reviewers_group_ensure
        from certification.models import EligibilityRules
        from certification.observed_tasks import load_observed_tasks
        from mentors.taxonomy_loader import load_taxonomy

        request.getfixturevalue("transactional_db")
        load_taxonomy()
        load_observed_tasks()
        reviewers_group_ensure()
        if not EligibilityRules.objects.exists():
            EligibilityRules.objects.create()  # the first version, as 0002_seed


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


@pytest.fixture(scope="session", autouse=True)
def _forget_the_test_queue() -> Iterator[None]:
    """Tasks published by tests that run no worker must not pile up in Redis."""
    yield
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(settings.CELERY_TASK_DEFAULT_QUEUE)
    client.close()


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def session_worker(
    django_db_setup, django_db_blocker, smtp_sink
) -> Iterator[WorkerProcess]:
    """One real Celery worker for the session, on the test database, this run's
    queue, and the SMTP sink. Started by the first test that asks for it."""
    from django.conf import settings

    worker = WorkerProcess(
        queue=settings.CELERY_TASK_DEFAULT_QUEUE, env=subprocess_env(**smtp_sink.env())
    )
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture
def live_worker(session_worker, smtp_sink, transactional_db) -> Iterator[WorkerProcess]:
    """The session worker for one test: mail sink cleared before, and every task
    the test queued finished after (before the tables are flushed)."""
    smtp_sink.clear()
    yield session_worker
    session_worker.drain()
