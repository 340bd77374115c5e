"""A real Celery worker process for tests, on the test database and real Redis."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection


def _test_database_url() -> str:
    db = connection.settings_dict
    host = db["HOST"] or ""
    where = f"/{quote(host, safe='')}" if host.startswith("/") else host
    if db["PORT"] and not host.startswith("/"):
        where += f":{db['PORT']}"
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{where}/{db['NAME']}"


@contextmanager
def celery_worker(*, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Start ``celery worker`` on a queue of its own; yield the queue name."""
    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="compagnonnage.settings.test",
        DATABASE_URL=_test_database_url(),
        REDIS_URL=settings.CELERY_BROKER_URL,
        **(extra_env or {}),
    )
    log = Path(settings.BASE_DIR) / ".data" / f"{queue}.log"
    log.parent.mkdir(exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "compagnonnage",
                "worker",
                "--pool",
                "solo",
                "--queues",
                queue,
                "--loglevel",
                "INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{log.read_text()}")
            if "ready." in log.read_text():
                break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"worker did not start:\n{log.read_text()}")
        yield queue
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.unlink(missing_ok=True)
