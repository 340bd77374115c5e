from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection
from django.urls import reverse

from accounts.models import Session, User
from core.models import DataExport
from core.notifications import notify
from tests.factories import PASSWORD, UserFactory, add_totp, totp_code
from tests.outbox import run_outbox

pytestmark = pytest.mark.django_db

NAME = "Zéphyrine Quellec-Marivaux"
EMAIL = "zephyrine.quellec@example.org"


def _login(client, user):
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})


def _reauthenticate(client, url):
    asked = client.get(url)
    if asked.status_code == 302 and "reauthenticate" in asked["Location"]:
        client.post(asked["Location"], {"password": PASSWORD})


def _zip_of(response) -> zipfile.ZipFile:
    content = b"".join(response.streaming_content)
    return zipfile.ZipFile(io.BytesIO(content))


def test_export_is_built_by_a_task_with_progress_and_contains_the_account(client, user):
    _login(client, user)

    client.post(reverse("accounts:personal-data"))
    export = DataExport.objects.get(user=user)
    assert export.status == "pending"
    page = client.get(reverse("accounts:personal-data"))
    assert b"<progress" in page.content
    assert b"hx-trigger" in page.content  # follows progress by itself

    assert run_outbox() == ["done"]
    export.refresh_from_db()
    assert (export.status, export.progress) == ("ready", 100)

    download = client.get(reverse("accounts:personal-data-download", args=[export.pk]))
    assert download.status_code == 200
    archive = _zip_of(download)
    account = json.loads(archive.read("account.json"))
    assert account["email"] == user.email
    assert account["full_name"] == user.full_name
    assert "notifications.json" in archive.namelist()


def test_asking_twice_while_building_makes_one_archive(client, user):
    _login(client, user)

    client.post(reverse("accounts:personal-data"))
    client.post(reverse("accounts:personal-data"))

    assert DataExport.objects.filter(user=user).count() == 1


def test_nobody_downloads_another_persons_archive(client, user):
    other = UserFactory()
    _login(client, other)
    client.post(reverse("accounts:personal-data"))
    run_outbox()
    theirs = DataExport.objects.get(user=other)
    client.logout()
    _login(client, user)

    response = client.get(reverse("accounts:personal-data-download", args=[theirs.pk]))

    assert response.status_code == 404


def test_archives_are_not_reachable_from_a_public_url(client, user):
    _login(client, user)
    client.post(reverse("accounts:personal-data"))
    run_outbox()
    export = DataExport.objects.get(user=user)

    assert client.get("/media/" + export.file_name).status_code == 404
    assert client.get(settings.MEDIA_URL + export.file_name).status_code == 404


def test_deleting_an_account_needs_confirmation(client, user):
    _login(client, user)
    _reauthenticate(client, reverse("accounts:delete"))

    response = client.post(reverse("accounts:delete"), {})

    assert response.status_code == 200
    assert "confirm" in response.context["form"].errors
    assert User.objects.get(pk=user.pk).is_active


def _text_columns() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT table_name, column_name FROM information_schema.columns
            WHERE table_schema = current_schema()
              AND data_type IN ('text', 'character varying', 'jsonb', 'json')
            """
        )
        return list(cursor.fetchall())


def _rows_mentioning(value: str) -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for table, column in _text_columns():
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608
                [f"%{value}%"],
            )
            if cursor.fetchone()[0]:
                found.append(f"{table}.{column}")
    for session in Session.objects.all():
        if (
            value.lower()
            in json.dumps(session.get_decoded(), ensure_ascii=False).lower()
        ):
            found.append(f"accounts_session:{session.session_key}")
    return found


def test_deletion_leaves_no_trace_of_the_email_or_the_name(
    client, admin_client_factory
):
    person = UserFactory(email=EMAIL, full_name=NAME)
    secret = add_totp(person)
    # They received mail (welcome: a notification and an e-mail through the outbox).
    notify(recipient=person, kind="account.welcome", link="/")
    run_outbox()
    assert any(m.to == [EMAIL] for m in mail.outbox)
    # Staff edited them in the admin (an admin log entry naming them).
    staff_client = admin_client_factory()
    change = staff_client.post(
        reverse("admin:accounts_user_change", args=[person.pk]),
        {
            "email": EMAIL,
            "full_name": NAME,
            "language": "en",
            "time_zone": "Europe/Paris",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert change.status_code == 302, change.context["adminform"].form.errors
    # They logged in with TOTP, made an API token and an export.
    _login(client, person)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    _reauthenticate(client, reverse("accounts:api-tokens"))
    assert (
        client.post(reverse("accounts:api-tokens"), {"name": NAME}).status_code == 200
    )
    client.post(reverse("accounts:personal-data"))
    run_outbox()
    export_file = (
        Path(settings.PRIVATE_ROOT) / DataExport.objects.get(user=person).file_name
    )
    assert EMAIL in zipfile.ZipFile(export_file).read("account.json").decode()
    assert _rows_mentioning(EMAIL)  # the scan sees them before deletion

    _reauthenticate(client, reverse("accounts:delete"))
    response = client.post(reverse("accounts:delete"), {"confirm": "on"})

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert _rows_mentioning(EMAIL) == []
    assert _rows_mentioning(NAME) == []
    assert not export_file.exists()
    leftover = list(Path(settings.PRIVATE_ROOT).rglob("*.zip"))
    assert all(
        EMAIL not in zipfile.ZipFile(f).read("account.json").decode() for f in leftover
    )
    # The anonymous row stays for what others wrote; nobody can log in with it.
    erased = User.objects.get(pk=person.pk)
    assert not erased.is_active
    assert not erased.has_usable_password()
    assert (
        client.post(
            reverse("account_login"), {"login": EMAIL, "password": PASSWORD}
        ).status_code
        == 200
    )
    assert re.search(r"deleted-\d+-[0-9a-f]+@deleted\.invalid", erased.email)


@pytest.fixture
def admin_client_factory(staff_with_totp):
    from django.test import Client

    def make():
        staff = Client()
        _login(staff, staff_with_totp)
        staff.post(
            reverse("mfa_authenticate"),
            {"code": totp_code(staff_with_totp.totp_secret)},
        )
        return staff

    return make
