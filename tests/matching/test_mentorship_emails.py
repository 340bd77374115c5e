"""Request e-mails through a real worker: content, language, exactly one per
event even when the delivery task runs twice."""

from __future__ import annotations

import pytest
from django.db import transaction

from core.models import OutboxMessage
from core.outbox import outbox_relay
from matching.services import mentorship_request_create
from tests.matching.helpers import learner_with_skills, mentor

pytestmark = pytest.mark.worker


def _text(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    raise AssertionError("no text part")


def test_a_new_request_mails_the_mentor_once_in_their_language(live_worker, smtp_sink):
    learner = learner_with_skills(full_name="Nadia Haddad")
    profile = mentor(language="en")

    with transaction.atomic():
        mentorship_request_create(
            learner=learner,
            mentor_profile_id=profile.pk,
            skill_codes=["python"],
            message="Bonjour, je voudrais apprendre Python pour analyser des données.",
            preferred_mode="video",
        )
    [sent] = smtp_sink.wait_for(1)

    assert sent["To"] == profile.user.email
    assert "Nadia Haddad asks you for mentoring" in sent["Subject"]
    assert "analyser des données" in _text(sent)
    assert "/mon-espace/demandes-recues/" in _text(sent)

    # The same delivery published again (a retry): nothing more is sent.
    live_worker.drain()
    row = OutboxMessage.objects.get(task_name="core.tasks.send_email_task")
    assert row.done_at is not None
    from compagnonnage.celery import app

    app.send_task("core.tasks.deliver_outbox_message_task", args=[row.pk])
    assert outbox_relay() == 0
    live_worker.drain()
    assert len(smtp_sink.messages) == 1
