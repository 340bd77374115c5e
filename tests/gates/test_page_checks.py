"""The checks every response of the suite goes through (``page_checks``) find
what they are for: template text printed on a page, and writes made by a GET."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.template import Context, Template

from mentors.search import mentor_search_refresh
from tests.factories import UserFactory
from tests.gates.cast import approved_mentor_profile
from tests.gates.page_checks import (
    checking_responses,
    header_problems,
    template_text,
)

pytestmark = pytest.mark.django_db


def test_a_comment_over_several_lines_is_printed_and_found():
    """Django's ``{# #}`` comments hold one line only: the cause of the bug."""
    html = Template(
        "<p>{# one line is fine #}Hello</p>\n"
        "<p>{# Shared by every viewer;\n   the key moves. #}</p>"
    ).render(Context())

    found = template_text(html)

    assert "Hello" in html
    assert len(found) == 2  # its opening and its closing marks
    assert all("Shared by every viewer" in f or "the key moves" in f for f in found)


def test_marks_inside_scripts_are_left_alone():
    html = '<script src="x.js"></script><script type="text/x">{{ a }}</script><p>ok</p>'

    assert template_text(html) == []
    assert template_text("<p>{% url 'x' %}</p>") != []
    assert template_text("<p>{{ name }}</p>") != []


@pytest.mark.page_problems_expected
def test_every_response_is_checked(client, user):
    """Through real requests, as around the whole suite: a page that shows
    ``{{`` is reported, a clean page is not."""
    reported: list[str] = []
    client.force_login(user)

    with checking_responses(reported.extend):
        client.get("/mentors/", {"q": "{{ x }}"})
        client.get("/")

    assert any(p.startswith("GET /mentors/?") and "{{ x }}" in p for p in reported)
    assert not any(p.startswith("GET / ") for p in reported)


def test_the_directory_and_a_mentor_page_print_no_template_text(client, user):
    """Both once printed their cache comments to every visitor."""
    profile = approved_mentor_profile(UserFactory())
    mentor_search_refresh()
    client.force_login(user)

    for path in ("/", "/mentors/", f"/mentors/{profile.pk}/"):
        response = client.get(path)
        assert template_text(response.content.decode()) == [], path


def test_the_gate_sees_a_missing_policy_and_a_signed_in_page_a_cache_may_keep(user):
    anonymous, signed_in = HttpRequest(), HttpRequest()
    anonymous.user, signed_in.user = AnonymousUser(), user
    bare = HttpResponse()
    kept = HttpResponse(headers={"Cache-Control": "private, max-age=3600"})
    good = HttpResponse(
        headers={
            "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
            "Cache-Control": "private, no-store",
        }
    )

    assert header_problems(anonymous, bare, "home") == ["Permissions-Policy ''"]
    assert header_problems(anonymous, good, "home") == []
    assert header_problems(signed_in, good, "space") == []
    assert header_problems(signed_in, bare, "space") == [
        "Permissions-Policy ''",
        "signed in, Cache-Control None",
    ]
    kept["Permissions-Policy"] = good["Permissions-Policy"]
    assert header_problems(signed_in, kept, "space") == [
        "signed in, Cache-Control 'private, max-age=3600'"
    ]
    assert header_problems(signed_in, kept, "mentors:photo") == []
