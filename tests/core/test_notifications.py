from __future__ import annotations

import importlib
import re

import pytest
from django.core import mail
from django.urls import reverse

from core.models import EmailOptOut, Notification
from core.notifications import notify, unsubscribe_token
from tests.factories import UserFactory
from tests.outbox import run_outbox

pytestmark = pytest.mark.django_db


def _unsubscribe_path(message) -> str:
    url = message.extra_headers["List-Unsubscribe"].strip("<>")
    return re.sub(r"^https?://[^/]+", "", url)


def test_notify_writes_in_app_and_mail_in_the_recipients_language(client):
    anglophone = UserFactory(language="en", full_name="Ada Lovelace")

    notify(recipient=anglophone, kind="account.welcome", link="/")
    run_outbox()

    notification = Notification.objects.get(recipient=anglophone)
    assert notification.text == "Welcome, Ada! Your account is ready."
    [message] = mail.outbox
    assert message.to == [anglophone.email]
    assert "Welcome" in message.subject
    html = message.alternatives[0][0]
    assert '<html lang="en">' in html
    assert "Your e-mail address is confirmed" in html


def test_french_is_used_for_a_french_speaker():
    person = UserFactory(language="fr", full_name="Léa Petit")

    notify(recipient=person, kind="account.welcome", link="/")

    assert Notification.objects.get(recipient=person).text.startswith("Bienvenue")


def test_unread_count_in_the_header_and_mark_all_read(client, user):
    notify(recipient=user, kind="account.welcome", link="/")
    notify(recipient=UserFactory(), kind="account.welcome", link="/")
    client.force_login(user)

    page = client.get(reverse("core:notifications"))
    assert page.status_code == 200
    assert page.context["unread_notifications"] == 1
    assert len(page.context["page"].object_list) == 1  # only their own

    client.post(reverse("core:notifications-read"))
    assert client.get(reverse("home")).context["unread_notifications"] == 0


def test_non_essential_mail_carries_one_click_unsubscribe(client, user):
    notify(recipient=user, kind="account.welcome", link="/")
    run_outbox()
    [message] = mail.outbox
    assert (
        message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    )
    path = _unsubscribe_path(message)
    assert path in message.body

    # A mail scanner following the link unsubscribes nobody.
    page = client.get(path)
    assert page.status_code == 200
    assert not EmailOptOut.objects.exists()

    # RFC 8058 one-click: a POST without any CSRF token or session.
    response = client.post(
        path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert EmailOptOut.objects.filter(user=user, kind="account.welcome").exists()

    mail.outbox.clear()
    notify(recipient=user, kind="account.welcome", link="/")
    run_outbox()
    assert mail.outbox == []  # no more mail
    assert Notification.objects.filter(recipient=user).count() == 2  # still in-app


def test_a_forged_unsubscribe_token_is_a_404(client, user):
    token = unsubscribe_token(user_id=user.pk, kind="account.welcome")

    assert client.post(f"/unsubscribe/{token[:-2]}xx/").status_code == 404
    assert client.get("/unsubscribe/not-a-token/").status_code == 404
    assert not EmailOptOut.objects.exists()


def test_email_preferences_page_turns_kinds_off_and_on(client, user):
    client.force_login(user)
    url = reverse("core:email-preferences")

    assert client.get(url).status_code == 200
    client.post(url, {})  # nothing ticked
    assert EmailOptOut.objects.filter(user=user, kind="account.welcome").exists()

    client.post(url, {"wanted": ["account.welcome"]})
    assert not EmailOptOut.objects.filter(user=user, kind="account.welcome").exists()
    assert EmailOptOut.objects.filter(user=user).exists()  # the kinds left unticked


def test_notification_pages_need_a_login(client):
    for name in ("core:notifications", "core:email-preferences"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_notices_stored_escaped_before_are_unescaped_once():
    from django.apps import apps

    migration = importlib.import_module(
        "core.migrations.0005_notification_text_unescaped"
    )
    old = Notification.objects.create(
        recipient=UserFactory(), kind="account.welcome", text="N&#x27;Diaye &amp;lt;"
    )

    migration.unescape_texts(apps, None)

    old.refresh_from_db()
    assert old.text == "N'Diaye &lt;"
