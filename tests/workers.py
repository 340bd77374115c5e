"""Real processes for tests: a Celery worker on the test database and the real
Redis, and an SMTP sink on loopback that catches what other processes send."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import quote

from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection


def test_database_url() -> str:
    """The URL of the database the tests run on (``test_…``), for subprocesses."""
    db = connection.settings_dict
    host = db["HOST"] or ""
    where = f"/{quote(host, safe='')}" if host.startswith("/") else host
    if db["PORT"] and not host.startswith("/"):
        where += f":{db['PORT']}"
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{where}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class SmtpSink:
    """An SMTP server on 127.0.0.1 that keeps every message it accepts.

    ``stall_next`` makes it hold the next DATA (then refuse it), to catch a
    sender in the middle of a send.
    """

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._lock = threading.Lock()
        self.stall_next = 0.0
        self.stalled = threading.Event()
        self.controller = Controller(self, hostname="127.0.0.1", port=_free_port())

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.stall_next:
            delay, self.stall_next = self.stall_next, 0.0
            self.stalled.set()
            import asyncio

            await asyncio.sleep(delay)
            return "451 Try again later"
        with self._lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    @property
    def port(self) -> int:
        return int(self.controller.port)

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
        self.stalled.clear()
        self.stall_next = 0.0

    def wait_for(self, count: int, timeout: float = 30) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} mail(s), got {len(self.messages)}")

    def env(self) -> dict[str, str]:
        """Settings for a process that must send its mail here."""
        return {
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "DJANGO_EMAIL_HOST": "127.0.0.1",
            "DJANGO_EMAIL_PORT": str(self.port),
        }


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for a process of the project on the test database and broker."""
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="compagnonnage.settings.test",
        DATABASE_URL=test_database_url(),
        REDIS_URL=settings.CELERY_BROKER_URL,
        # Taken as given, not moved again to this xdist worker's database.
        TEST_REDIS_URL_CHOSEN="1",
    )
    env.update(extra)
    return env


class WorkerProcess:
    """``celery worker`` (solo pool) consuming one queue, its output in a log."""

    def __init__(self, *, queue: str, env: dict[str, str]) -> None:
        self.queue = queue
        self.env = env
        self.log = (
            Path(settings.BASE_DIR) / ".data" / f"worker-{uuid.uuid4().hex[:8]}.log"
        )
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> None:
        self.log.parent.mkdir(exist_ok=True)
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
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
                    self.queue,
                    "--loglevel",
                    "INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                env=self.env,
                cwd=settings.BASE_DIR,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log.read_text()}")
            if "ready." in self.log.read_text():
                return
            time.sleep(0.1)
        raise RuntimeError(f"worker did not start:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL: the worker dies at once, whatever it holds."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=20)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)
        self.log.unlink(missing_ok=True)

    def drain(self, timeout: float = 30) -> None:
        """Wait until every task queued before now has run (solo pool: FIFO)."""
        from core.tasks import echo_task

        marker = uuid.uuid4().hex
        result = echo_task.apply_async(args=[marker], queue=self.queue)
        assert result.get(timeout=timeout) == marker


@contextmanager
def celery_worker(
    *, queue: str | None = None, extra_env: dict[str, str] | None = None
) -> Iterator[WorkerProcess]:
    """Start a worker for the duration of a block (on its own queue by default)."""
    worker = WorkerProcess(
        queue=queue or f"test-{uuid.uuid4().hex[:12]}",
        env=subprocess_env(**(extra_env or {})),
    )
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
