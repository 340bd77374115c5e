from __future__ import annotations

import pytest
from django.conf import settings

from compagnonnage.celery import app
from core.tasks import echo_task, heartbeat_task
from tests.workers import celery_worker


def test_celery_is_configured_for_json_only_with_time_limits():
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_time_limit
    assert app.conf.task_soft_time_limit
    assert app.conf.broker_url == settings.CELERY_BROKER_URL
    assert app.conf.broker_url.startswith("redis://")
    assert "heartbeat" in app.conf.beat_schedule


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_task_round_trip_through_a_real_worker_process():
    with celery_worker() as worker:
        result = echo_task.apply_async(args=["bonjour"], queue=worker.queue)

        assert result.get(timeout=30) == "bonjour"
        assert result.successful()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_heartbeat_runs_in_the_worker_and_writes_the_shared_cache():
    from django.core.cache import cache

    with celery_worker() as worker:
        heartbeat_task.apply_async(queue=worker.queue, ignore_result=False).get(
            timeout=30
        )

    assert cache.get("core:heartbeat")
