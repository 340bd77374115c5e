"""Every link in allauth's mails is built on SITE_URL and the mails name the site
"Compagnonnage", whatever Host the request that sent them carried: a forged Host
must not turn a real confirmation or reset mail into a link to its own server."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from tests.accounts.test_signup import SIGNUP
from tests.factories import UserFactory
from tests.outbox import run_outbox

pytestmark = pytest.mark.django_db

SITE_URL = "https://compagnonnage.example.fr"
FORGED_HOST = "evil.example"
_LINK = re.compile(r"https?://[^\s\"'<>]+")


def _sign_up(client: Client) -> str:
    client.post(reverse("account_signup"), SIGNUP)
    return SIGNUP["email"]


def _sign_up_with_a_taken_address(client: Client) -> str:
    UserFactory(email="pris@example.org")
    client.post(reverse("account_signup"), {**SIGNUP, "email": "pris@example.org"})
    return "pris@example.org"


def _reset_password(client: Client) -> str:
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    return str(user.email)


def _reset_an_unknown_address(client: Client) -> str:
    client.post(reverse("account_reset_password"), {"email": "personne@example.org"})
    return "personne@example.org"


@override_settings(
    SITE_URL=SITE_URL, ALLOWED_HOSTS=["testserver", FORGED_HOST, "localhost"]
)
@pytest.mark.parametrize(
    "send",
    [
        _sign_up,
        _sign_up_with_a_taken_address,
        _reset_password,
        _reset_an_unknown_address,
    ],
)
def test_mail_links_are_built_on_site_url_not_on_the_request_host(
    send: Callable[[Client], str],
):
    client = Client(HTTP_HOST=FORGED_HOST)

    address = send(client)
    run_outbox()

    assert [m.to for m in mail.outbox] == [[address]]
    message = mail.outbox[0]
    texts = [message.subject, message.body]
    texts += [str(content) for content, _ in getattr(message, "alternatives", [])]
    links = [link for text in texts for link in _LINK.findall(text)]
    assert links, message.body
    assert all(link.startswith(SITE_URL + "/") for link in links), links
    for text in texts:
        assert FORGED_HOST not in text
        assert "testserver" not in text
    assert "Compagnonnage" in message.body


@override_settings(
    SITE_URL=SITE_URL, ALLOWED_HOSTS=["testserver", FORGED_HOST, "localhost"]
)
def test_the_confirmation_link_from_site_url_works():
    client = Client(HTTP_HOST=FORGED_HOST)
    _sign_up(client)
    run_outbox()

    link = _LINK.search(mail.outbox[0].body)
    assert link is not None
    path = link.group(0).removeprefix(SITE_URL)
    assert path.startswith("/accounts/confirm-email/")
    assert client.post(path).status_code == 302
