"""E-mails go out through the outbox: rendered now, sent by a worker.

Each message gets its Message-ID when it is queued, so a re-sent message (at
least once delivery) carries the same Message-ID and mail clients merge them.
"""

from __future__ import annotations

import base64
from datetime import datetime
from email.mime.base import MIMEBase
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives

from .models import OutboxMessage
from .outbox import outbox_enqueue

SEND_TASK = "core.tasks.send_email_task"


def make_message_id() -> str:
    """A new Message-ID, chosen once when a message is queued."""
    return make_msgid(domain=settings.EMAIL_MESSAGE_ID_DOMAIN)


def email_to_payload(message: EmailMessage) -> dict[str, Any]:
    headers = dict(message.extra_headers)
    headers.setdefault("Message-ID", make_message_id())
    alternatives = [
        [str(content), mimetype]
        for content, mimetype in getattr(message, "alternatives", []) or []
    ]
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email or settings.DEFAULT_FROM_EMAIL,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": headers,
        "alternatives": alternatives,
        "attachments": [_attachment_to_payload(item) for item in message.attachments],
        "content_subtype": message.content_subtype,
    }


def _attachment_to_payload(item: Any) -> dict[str, Any]:
    """An attached file as JSON: text as it is, bytes in base 64."""
    if isinstance(item, MIMEBase):
        raise TypeError("Attach files as (filename, content, mimetype) to queue them.")
    filename, content, mimetype = item
    if isinstance(content, bytes):
        return {
            "filename": filename,
            "content": base64.b64encode(content).decode("ascii"),
            "mimetype": mimetype,
            "base64": True,
        }
    return {"filename": filename, "content": str(content), "mimetype": mimetype}


def email_from_payload(payload: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body"],
        from_email=payload["from_email"],
        to=payload["to"],
        cc=payload.get("cc") or None,
        bcc=payload.get("bcc") or None,
        reply_to=payload.get("reply_to") or None,
        headers=payload.get("headers") or {},
    )
    message.content_subtype = payload.get("content_subtype", "plain")
    for content, mimetype in payload.get("alternatives", []):
        message.attach_alternative(content, mimetype)
    for item in payload.get("attachments", []):
        content = item["content"]
        if item.get("base64"):
            content = base64.b64decode(content)
        message.attach(item["filename"], content, item["mimetype"])
    return message


def email_enqueue(
    *,
    message: EmailMessage,
    dedupe_key: str | None = None,
    available_at: datetime | None = None,
) -> OutboxMessage | None:
    """Queue ``message`` in the outbox (same transaction as the caller's change),
    to be sent now or at ``available_at``."""
    return outbox_enqueue(
        task=SEND_TASK,
        payload=email_to_payload(message),
        dedupe_key=dedupe_key,
        available_at=available_at,
    )
