"""Notifications: in-app rows and e-mails, in the recipient's language.

Apps declare their kinds with ``register_kind`` (from ``AppConfig.ready()``) and
send with ``notify``. Every non-essential e-mail carries an unsubscribe link
(RFC 8058 one-click by POST; the GET page only shows a confirm button).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context, engines
from django.template.backends.django import DjangoTemplates
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise

from .emails import email_enqueue
from .models import EmailOptOut, Notification

UNSUBSCRIBE_SALT = "core.unsubscribe"


@dataclass(frozen=True)
class NotificationKind:
    """``key`` names the templates in ``templates/notifications/<key>/``:
    ``subject.txt``, ``body.txt``, ``body.html`` (e-mail) and ``inapp.txt``.
    Essential kinds (security, account) cannot be unsubscribed from."""

    key: str
    label: str | Promise
    essential: bool = False
    email: bool = True


_kinds: dict[str, NotificationKind] = {}


def register_kind(kind: NotificationKind) -> None:
    _kinds[kind.key] = kind


def get_kind(key: str) -> NotificationKind:
    return _kinds[key]


def kinds() -> list[NotificationKind]:
    return sorted(_kinds.values(), key=lambda k: k.key)


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps(
        {"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True
    )


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """Return (user id, kind); raise ``signing.BadSignature`` if forged."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    return int(data["u"]), str(data["k"])


def unsubscribe_url(*, user_id: int, kind: str) -> str:
    token = unsubscribe_token(user_id=user_id, kind=kind)
    return settings.SITE_URL + reverse("core:unsubscribe", args=[token])


def email_wanted(*, user_id: int, kind: NotificationKind) -> bool:
    if not kind.email:
        return False
    if kind.essential:
        return True
    return not EmailOptOut.objects.filter(user_id=user_id, kind=kind.key).exists()


def notify(
    *,
    recipient: AbstractBaseUser,
    kind: str,
    context: dict[str, Any] | None = None,
    link: str = "",
    dedupe_key: str | None = None,
    email_delay: timedelta | None = None,
    template: str | None = None,
    attachments: list[tuple[str, str | bytes, str]] | None = None,
) -> Notification:
    """Create an in-app notification and queue its e-mail, in the recipient's
    language. Call inside the transaction of the change it reports; the e-mail
    goes through the outbox.

    ``dedupe_key`` with ``email_delay`` groups a burst: the e-mail waits
    ``email_delay`` and later events of the same key merge into it, and an
    unread in-app notice with the same kind and link is not repeated.
    ``template`` names the template folder when several kinds share one.
    ``attachments`` are files for the e-mail: (filename, content, mimetype).
    """
    spec = get_kind(kind)
    folder = template or kind
    language = _language(recipient)
    base = _base_context(recipient, kind, context, link)
    with transaction.atomic(), translation.override(language):
        unread = None
        if dedupe_key:
            unread = Notification.objects.filter(
                recipient_id=recipient.pk, kind=kind, link=link, read_at__isnull=True
            ).first()
        notification = unread or Notification.objects.create(
            recipient_id=recipient.pk,
            kind=kind,
            text=render_text(f"notifications/{folder}/inapp.txt", base).strip(),
            link=link,
        )
        if email_wanted(user_id=recipient.pk, kind=spec):
            message = _render_email(recipient, spec, base, folder)
            for filename, content, mimetype in attachments or []:
                message.attach(filename, content, mimetype)
            email_enqueue(
                message=message,
                dedupe_key=dedupe_key,
                available_at=timezone.now() + email_delay if email_delay else None,
            )
    return notification


def notification_email(
    *,
    recipient: AbstractBaseUser,
    kind: str,
    context: dict[str, Any] | None = None,
    link: str = "",
) -> EmailMultiAlternatives | None:
    """The e-mail ``notify`` would queue, rendered in the recipient's language
    but not queued (None when they do not want this kind): for a task that
    checks its conditions, then sends it itself with a Message-ID it was given
    when queued (a reminder)."""
    spec = get_kind(kind)
    if not email_wanted(user_id=recipient.pk, kind=spec):
        return None
    with translation.override(_language(recipient)):
        return _render_email(
            recipient, spec, _base_context(recipient, kind, context, link), kind
        )


def _language(recipient: AbstractBaseUser) -> str:
    return getattr(recipient, "language", None) or settings.LANGUAGE_CODE


def _base_context(
    recipient: AbstractBaseUser,
    kind: str,
    context: dict[str, Any] | None,
    link: str,
) -> dict[str, Any]:
    base = {
        "recipient": recipient,
        "link": link,
        "absolute_link": settings.SITE_URL + link if link.startswith("/") else link,
        "SITE_URL": settings.SITE_URL,
        **(context or {}),
    }
    base["kind"] = kind
    return base


def render_text(template_name: str, context: dict[str, Any]) -> str:
    """Render a plain-text template (subject, text body, in-app notice) without
    HTML escaping: "N'Diaye" stays "N'Diaye". The HTML body, rendered with
    ``render_to_string``, escapes the same values once."""
    backend = engines["django"]
    assert isinstance(backend, DjangoTemplates)
    template = backend.engine.get_template(template_name)
    return template.render(Context(context, autoescape=False))


def _render_email(
    recipient: AbstractBaseUser,
    kind: NotificationKind,
    context: dict[str, Any],
    folder: str,
) -> EmailMultiAlternatives:
    headers: dict[str, str] = {}
    ctx = dict(context)
    if not kind.essential:
        url = unsubscribe_url(user_id=recipient.pk, kind=kind.key)
        ctx["unsubscribe_url"] = url
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    prefix = f"notifications/{folder}/"
    # Rendered once, on one line, for the header and the bodies' first line.
    ctx["subject"] = " ".join(render_text(prefix + "subject.txt", ctx).split())
    message = EmailMultiAlternatives(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + ctx["subject"],
        body=render_text(prefix + "body.txt", ctx),
        to=[getattr(recipient, "email", "")],
        headers=headers,
    )
    message.attach_alternative(render_to_string(prefix + "body.html", ctx), "text/html")
    return message


@transaction.atomic
def email_opt_out(*, user_id: int, kind: str) -> None:
    """Stop e-mails of ``kind`` for this person (idempotent)."""
    EmailOptOut.objects.get_or_create(user_id=user_id, kind=kind)


@transaction.atomic
def email_preferences_set(*, user_id: int, wanted: set[str]) -> None:
    """Keep e-mails of the ``wanted`` non-essential kinds, stop the others."""
    optional = {k.key for k in kinds() if not k.essential and k.email}
    EmailOptOut.objects.filter(user_id=user_id, kind__in=wanted & optional).delete()
    for key in optional - wanted:
        EmailOptOut.objects.get_or_create(user_id=user_id, kind=key)


@transaction.atomic
def notification_mark_all_read(*, user_id: int) -> int:
    return Notification.objects.filter(
        recipient_id=user_id, read_at__isnull=True
    ).update(read_at=timezone.now())
