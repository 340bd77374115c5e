"""Accounts made before sign-up asked "I am 18 or older" answer it once, at
their next log-in, before anything else."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def older_account():
    return UserFactory(adult_confirmed_at=None)


def _log_in(client, user) -> str:
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return response["Location"]


def test_an_older_account_is_asked_at_its_next_log_in(client, older_account):
    landing = _log_in(client, older_account)

    response = client.get(landing)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:adult"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "J&#x27;ai 18 ans ou plus" in page.content.decode()


def test_every_page_waits_for_the_answer_but_the_api_and_the_legal_pages(
    client, older_account
):
    client.force_login(older_account)

    asked = client.get(reverse("mentors:directory"))

    assert asked.status_code == 302
    assert asked["Location"] == f"{reverse('accounts:adult')}?next=%2Fmentors%2F"
    assert client.get(reverse("core:terms")).status_code == 200
    assert client.get(reverse("core:privacy")).status_code == 200
    assert client.get("/api/v1/me/").status_code == 403  # says why itself


def test_the_box_must_be_ticked(client, older_account):
    client.force_login(older_account)

    response = client.post(reverse("accounts:adult"), {"next": "/mentors/"})

    assert response.status_code == 200
    assert "is_adult" in response.context["form"].errors
    older_account.refresh_from_db()
    assert older_account.adult_confirmed_at is None


def test_answering_once_records_it_and_goes_on(client, older_account):
    client.force_login(older_account)

    response = client.post(
        reverse("accounts:adult"), {"is_adult": "on", "next": "/mentors/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/mentors/"
    older_account.refresh_from_db()
    assert older_account.adult_confirmed_at is not None
    assert client.get(reverse("mentors:directory")).status_code == 200
    # Not asked again at the next log-in: its landing page opens.
    client.logout()
    landing = _log_in(client, older_account)
    assert client.get(landing).status_code in (200, 302)
    assert (
        not client.get(landing)
        .get("Location", "")
        .startswith(reverse("accounts:adult"))
    )
    assert client.get(reverse("mentors:directory")).status_code == 200


def test_an_unsafe_next_address_is_not_followed(client, older_account):
    client.force_login(older_account)

    response = client.post(
        reverse("accounts:adult"),
        {"is_adult": "on", "next": "https://evil.example/"},
    )

    assert response["Location"] == reverse("space")


def test_the_answer_is_in_the_personal_data_export(older_account):
    from accounts.personal_data import export_account
    from accounts.services import user_confirm_adult

    user_confirm_adult(user=older_account)

    exported = export_account(User.objects.get(pk=older_account.pk))
    assert exported["adult_confirmed_at"] is not None


def test_anonymous_visitors_are_not_asked(client):
    assert client.get(reverse("mentors:directory")).status_code == 200


def test_the_api_refuses_until_the_question_is_answered(older_account):
    from accounts.services import api_token_create

    _token, raw = api_token_create(user=older_account, name="script")
    headers = {"Authorization": f"Bearer {raw}"}
    from django.test import Client

    client = Client()

    refused = client.get("/api/v1/me/", headers=headers)
    assert refused.status_code == 403
    assert "/accounts/age/" in refused.json()["detail"]
    assert client.get("/api/v1/skills/", headers=headers).status_code == 200  # public

    older_account.adult_confirmed_at = older_account.date_joined
    older_account.save(update_fields=["adult_confirmed_at"])
    assert client.get("/api/v1/me/", headers=headers).status_code == 200


def test_account_pages_wait_too_but_not_leaving_or_deleting(client, older_account):
    client.force_login(older_account)

    assert client.get(reverse("accounts:api-tokens")).status_code == 302
    assert client.get(reverse("accounts:preferences")).status_code == 302
    assert client.get(reverse("accounts:personal-data")).status_code == 200
    assert client.get(reverse("accounts:delete")).status_code in (200, 302)
    assert (
        not client.get(reverse("accounts:delete"))
        .get("Location", "")
        .startswith(reverse("accounts:adult"))
    )
