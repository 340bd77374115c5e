from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker_up(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": {"ok": True},
        "broker": {"ok": True},
    }


def test_healthz_stays_200_and_reports_the_broker_down(client):
    # A port where nothing listens: the real client fails to connect.
    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0"):
        response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["database"] == {"ok": True}
    assert body["broker"]["ok"] is False
    assert body["status"] == "degraded"


def test_healthz_answers_503_when_the_database_is_down():
    # A fresh interpreter pointed at a PostgreSQL port where nothing listens.
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="compagnonnage.settings.test",
        DATABASE_URL="postgres://nobody@127.0.0.1:1/nothing",
    )
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(r.status_code); print(r.content.decode())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
    )

    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()[-2:]
    assert status == "503"
    assert json.loads(body)["database"]["ok"] is False


def test_healthz_skips_host_validation(client):
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200
