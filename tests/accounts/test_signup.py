from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import User
from tests.outbox import run_outbox

pytestmark = pytest.mark.django_db

SIGNUP = {
    "full_name": "Aïcha Ndiaye",
    "email": "aicha@example.org",
    "password1": "un-mot-de-passe-solide",
    "password2": "un-mot-de-passe-solide",
    "accept_terms": "on",
    "is_adult": "on",
}


def _link_in(message: mail.EmailMessage) -> str:
    match = re.search(
        r"https?://testserver(/accounts/confirm-email/[^\s/]+/)", message.body
    )
    assert match, message.body
    return match.group(1)


def test_signup_records_terms_sends_verification_and_then_logs_in(client):
    response = client.post(reverse("account_signup"), SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="aicha@example.org")
    assert user.full_name == "Aïcha Ndiaye"
    assert user.terms_version == settings.TERMS_VERSION
    assert user.terms_accepted_at is not None
    assert user.language == "fr"
    assert not EmailAddress.objects.get(user=user).verified

    # Mandatory verification: no log-in before the link is followed.
    client.logout()
    refused = client.post(
        reverse("account_login"),
        {"login": "aicha@example.org", "password": SIGNUP["password1"]},
    )
    assert refused.status_code == 302
    assert refused["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    run_outbox()
    assert len(mail.outbox) == 2  # sent at sign-up, then again at the refused log-in
    confirm_url = _link_in(mail.outbox[0])
    assert client.get(confirm_url).status_code == 200
    assert client.post(confirm_url).status_code == 302
    assert EmailAddress.objects.get(user=user).verified

    client.logout()
    response = client.post(
        reverse("account_login"),
        {"login": "AICHA@example.org", "password": SIGNUP["password1"]},
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_signup_without_accepting_the_terms_is_refused(client):
    data = {k: v for k, v in SIGNUP.items() if k != "accept_terms"}

    response = client.post(reverse("account_signup"), data)

    assert response.status_code == 200
    assert "accept_terms" in response.context["form"].errors
    assert not User.objects.filter(email="aicha@example.org").exists()
    run_outbox()
    assert mail.outbox == []


def test_signup_refuses_a_password_shorter_than_12_characters(client):
    data = dict(SIGNUP, password1="court-11car", password2="court-11car")

    response = client.post(reverse("account_signup"), data)

    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(email="aicha@example.org").exists()


def _value_of(html: str, name: str) -> str | None:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, name
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else None


def test_a_sign_up_refused_for_a_box_gives_back_what_was_typed(client):
    """Passwords included: the browser keeps none across the round trip; the
    answer is kept by no cache."""
    data = {k: v for k, v in SIGNUP.items() if k != "accept_terms"}

    response = client.post(reverse("account_signup"), data)

    html = response.content.decode()
    assert _value_of(html, "full_name") == "Aïcha Ndiaye"
    assert _value_of(html, "email") == "aicha@example.org"
    assert _value_of(html, "password1") == SIGNUP["password1"]
    assert _value_of(html, "password2") == SIGNUP["password2"]
    assert "no-store" in response["Cache-Control"]


def test_a_refused_password_is_not_given_back(client):
    for refused in (
        dict(SIGNUP, password2="pas-le-meme-mot-de-passe"),
        dict(SIGNUP, password1="court-11car", password2="court-11car"),
    ):
        html = client.post(reverse("account_signup"), refused).content.decode()

        assert _value_of(html, "password1") is None
        assert _value_of(html, "password2") is None
        assert _value_of(html, "email") == "aicha@example.org"


def test_signup_in_english_records_english_as_the_language(client):
    client.post(reverse("accounts:set-language"), {"language": "en"})

    client.post(reverse("account_signup"), SIGNUP)

    assert User.objects.get(email="aicha@example.org").language == "en"
    run_outbox()
    assert "Confirm" in mail.outbox[0].subject or "confirm" in mail.outbox[0].body


def test_signup_with_an_existing_address_creates_no_second_account(client, user):
    data = dict(SIGNUP, email=user.email.upper())

    client.post(reverse("account_signup"), data)

    assert User.objects.filter(email__iexact=user.email).count() == 1


def test_signup_records_that_the_person_is_an_adult_with_the_terms(client):
    client.post(reverse("account_signup"), SIGNUP)

    user = User.objects.get(email="aicha@example.org")
    assert user.adult_confirmed_at is not None
    assert user.adult_confirmed_at == user.terms_accepted_at


def test_signup_without_the_age_box_is_refused_with_a_clear_message(client):
    data = {k: v for k, v in SIGNUP.items() if k != "is_adult"}

    response = client.post(reverse("account_signup"), data)

    assert response.status_code == 200
    assert "is_adult" in response.context["form"].errors
    assert "18 ans ou plus" in response.content.decode()
    assert not User.objects.filter(email="aicha@example.org").exists()


def test_the_age_question_is_on_the_signup_page_in_plain_words(client):
    html = client.get(reverse("account_signup")).content.decode()

    assert re.search(r'<input type="checkbox" name="is_adult"[^>]* required', html)
    assert "J&#x27;ai 18 ans ou plus" in html or "J'ai 18 ans ou plus" in html
