"""Every form of the site, sent empty, comes back helping: the walk opens every
page of the URLconf as each actor of the cast, finds its forms (POST), sends
each with its hidden fields only, and a form refused (the same form again,
200) must open with the error summary that takes the focus, link each invalid field
and show each error beside its field (``form_checks``). A new page or form is
walked without being named here; the forms named below must be among those
refused, so the walk cannot pass by reaching none.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD
from tests.gates.cast import ACTORS, Cast, make_cast
from tests.gates.form_checks import Node, form_error_problems, has_error_marks, parse
from tests.gates.test_get_writes import NOT_WALKED, fill, routes

pytestmark = pytest.mark.django_db

# Forms known to be refused when sent empty: (actor, URL name, cast object
# filling its one parameter).
MUST_BE_REFUSED = [
    ("anonymous", "account_signup", None),
    ("anonymous", "account_login", None),
    ("anonymous", "account_reset_password", None),
    ("learner_a", "account_change_password", None),
    ("learner_a", "account_email", None),
    ("learner_a", "accounts:preferences", None),
    ("learner_a", "accounts:delete", None),
    ("learner_a", "accounts:api-tokens", None),
    ("learner_a", "mentors:learner-profile", None),
    ("learner_a", "mentors:report", "profile_of_mentor_of_a"),
    ("learner_a", "matching:thread", "mentorship_of_a"),
    ("learner_b", "matching:request-create", "profile_of_mentor_of_a"),
    ("mentor_of_a", "mentors:mentor-profile", None),
    ("mentor_of_a", "mentors:mentor-profile-submit", None),
]


def _post_forms(page: Node, path: str) -> list[tuple[str, dict[str, str]]]:
    """(action, hidden fields) of each form the page posts."""
    found = []
    for form in (n for n in page.walk() if n.tag == "form"):
        if form.attrs.get("method", "get").lower() != "post":
            continue
        hidden = {
            n.attrs["name"]: n.attrs.get("value", "")
            for n in form.walk()
            if n.tag == "input"
            and n.attrs.get("type") == "hidden"
            and "name" in n.attrs
        }
        # The button a person presses is sent too (allauth's "action_add"…).
        buttons = [
            n
            for n in form.walk()
            if (n.tag == "button" and n.attrs.get("type", "submit") == "submit")
            or (n.tag == "input" and n.attrs.get("type") == "submit")
        ]
        if buttons and "name" in buttons[0].attrs:
            hidden[buttons[0].attrs["name"]] = buttons[0].attrs.get("value", "")
        found.append((form.attrs.get("action") or path, hidden))
    return found


def _signed_in(cast: Cast) -> dict[str, Client]:
    """A client per actor, signed in with the password (pages that ask for a
    recent sign-in, like deleting the account, open)."""
    clients = {"anonymous": Client()}
    for actor in ACTORS[1:]:
        if actor == "staff":
            continue  # Django's admin is not ours
        client = Client()
        client.post(
            reverse("account_login"),
            {"login": cast.users[actor].email, "password": PASSWORD},
        )
        client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        clients[actor] = client
    return clients


def _copy(client: Client) -> Client:
    """Another browser with the same session: what one form does to the
    session (logging out) leaves the others signed in."""
    copy = Client()
    copy.cookies.update(client.cookies)
    return copy


def test_every_form_sent_empty_comes_back_with_a_summary_and_its_errors(settings):
    # A charter newer than the one the cast's mentors accepted: sending the
    # profile for review is refused until it is accepted again.
    settings.MENTOR_CHARTER_VERSION = "2099-01"
    cast = make_cast()
    clients = _signed_in(cast)
    sent: set[tuple[str, str, tuple[str, ...]]] = set()
    refused: set[tuple[str, str]] = set()
    problems: list[str] = []
    for name, route in routes():
        if name in NOT_WALKED or name.startswith("admin:") or "api" in route:
            continue
        for actor, client in clients.items():
            path = fill(route, name, cast, actor)
            if not path:
                continue
            response = client.get(path)
            if response.status_code != 200 or "text/html" not in response.get(
                "Content-Type", ""
            ):
                continue
            for action, hidden in _post_forms(parse(response.content.decode()), path):
                key = (actor, action, tuple(sorted(hidden)))
                if key in sent:
                    continue
                sent.add(key)
                # Whatever an empty form does (delete, log out…) is undone.
                with transaction.atomic():
                    answer = _copy(client).post(action, hidden)
                    transaction.set_rollback(True)
                html = answer.content.decode()
                # Refused: the same form again (a page that says "done" is not).
                if answer.status_code != 200 or action not in {
                    a for a, _ in _post_forms(parse(html), action)
                }:
                    continue
                refused.add((actor, action))
                where = f"{actor} POST {action} (from {path})"
                if not has_error_marks(html):
                    problems.append(f"{where}: refused, and no error shown")
                problems += [f"{where}: {p}" for p in form_error_problems(html)]

    assert problems == [], "\n".join(problems)
    expected = {
        (actor, reverse(name, args=[cast.objects[obj]] if obj else []))
        for actor, name, obj in MUST_BE_REFUSED
    }
    assert expected <= refused, expected - refused


def test_the_checks_see_a_page_that_does_not_help():
    """Today's sign-up: a summary that does not take the focus, a group of
    radios linked to "#", an error tied to no field."""
    page = """
      <div class="form-errors"><a href="#">Mode</a></div>
      <div class="field-errors" id="id_email_error"><p>Requis</p></div>
      <input name="email" aria-invalid="true" aria-describedby="id_email_error" id="id_email">
      <div class="field-errors" id="id_mode_error"><p>Requis</p></div>
      <input name="mode" type="radio" aria-invalid="true" id="id_mode_0">
    """  # noqa: E501

    assert form_error_problems(page) == ["0 error summaries, one expected"]
    helping = page.replace(
        '<div class="form-errors"><a href="#">Mode</a></div>',
        '<div class="error-summary" tabindex="-1" autofocus>'
        '<a href="#id_email">Courriel</a><a href="#nowhere">Mode</a></div>',
    )
    assert form_error_problems(helping) == [
        "summary link '#nowhere' lands on no form control",
        "invalid field 'mode' is not linked from the summary",
        "invalid field 'mode' is described by no error",
        "error 'Requis' is tied to no invalid field",
    ]
    fixed = helping.replace("#nowhere", "#id_mode_0").replace(
        'type="radio" aria-invalid="true"',
        'type="radio" aria-invalid="true" aria-describedby="id_mode_error"',
    )
    assert form_error_problems(fixed) == []
    assert form_error_problems("<form><input name='q'></form>") == []
