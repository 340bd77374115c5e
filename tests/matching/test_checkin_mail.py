""" "On continue ?" reaches both people by e-mail through the real Celery
worker, each in their language, with the link to the question's page."""

from __future__ import annotations

import re
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from django.utils import timezone

from core.models import OutboxMessage
from matching.checkins import checkins_ask
from matching.models import Mentorship
from tests.factories import UserFactory
from tests.matching.helpers import mentor


@pytest.mark.worker
def test_the_checkin_goes_out_through_the_real_worker_in_each_language(
    live_worker, smtp_sink, client
):
    profile = mentor(full_name="Ada Lovelace", email="ada@example.org", language="en")
    learner = UserFactory(full_name="Léa Martin", email="lea@example.org")
    mentorship = Mentorship.objects.create(
        learner=learner,
        mentor=profile.user,
        started_at=timezone.now() - timedelta(days=100),
    )

    assert checkins_ask() == 1  # commits, then publishes to the worker
    received = {m["To"]: m for m in smtp_sink.wait_for(2)}
    live_worker.drain()

    def text(address: str) -> str:
        [body] = [
            p.get_payload(decode=True).decode()
            for p in received[address].walk()
            if p.get_content_type() == "text/plain"
        ]
        return body

    def subject(address: str) -> str:
        return str(make_header(decode_header(received[address]["Subject"])))

    assert "You and Léa Martin: do we continue?" in subject("ada@example.org")
    assert "Vous et Ada Lovelace : on continue ?" in subject("lea@example.org")
    [path] = re.findall(r"https?://[^/\s]+(/mon-espace/\S+)", text("lea@example.org"))
    assert str(mentorship.pk) in path
    client.force_login(learner)
    assert client.get(path).status_code == 200
    assert OutboxMessage.objects.filter(done_at__isnull=True).count() == 0
