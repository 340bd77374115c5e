"""Every HTML page reachable without arguments sends the security headers, and
no page carries inline script or style (the CSP forbids them)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from tests.factories import PASSWORD, UserFactory, add_totp, totp_code

pytestmark = pytest.mark.django_db


def argument_free_paths() -> list[str]:
    paths: set[str] = set()

    def walk(patterns: list, prefix: str) -> None:
        for entry in patterns:
            pattern = entry.pattern
            if isinstance(pattern, RoutePattern):
                text = str(pattern)
                if "<" in text:
                    continue
            elif isinstance(pattern, RegexPattern):
                text = pattern._regex.lstrip("^").rstrip("$").replace("\\Z", "")
                if re.search(r"[(\[\\*+?{|]", text):
                    continue
            else:
                continue
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + text)
            elif isinstance(entry, URLPattern):
                paths.add("/" + prefix + text)

    walk(get_resolver().url_patterns, "")
    return sorted(paths)


def _clients(staff) -> dict[str, Client]:
    anonymous = Client()
    person = Client()
    person.force_login(UserFactory())
    admin = Client()
    admin.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    admin.post("/accounts/2fa/authenticate/", {"code": totp_code(staff.totp_secret)})
    return {"anonymous": anonymous, "person": person, "staff": admin}


@pytest.fixture
def staff():
    user = UserFactory(is_staff=True, is_superuser=True)
    user.totp_secret = add_totp(user)
    return user


def test_every_html_page_has_the_security_headers_and_no_inline_code(staff):
    problems = []
    checked = 0
    for who, client in _clients(staff).items():
        for path in argument_free_paths():
            response = client.get(path)
            if "text/html" not in response.get("Content-Type", ""):
                continue
            checked += 1
            csp = response.get("Content-Security-Policy", "")
            where = f"{who} {path} ({response.status_code})"
            if "default-src 'self'" not in csp or "frame-ancestors 'none'" not in csp:
                problems.append(f"{where}: CSP {csp!r}")
            if "'unsafe-inline'" in csp:
                problems.append(f"{where}: unsafe-inline in CSP")
            if response.get("X-Content-Type-Options") != "nosniff":
                problems.append(f"{where}: no nosniff")
            if not response.get("Referrer-Policy"):
                problems.append(f"{where}: no Referrer-Policy")
            if response.get("X-Frame-Options") != "DENY":
                problems.append(
                    f"{where}: X-Frame-Options {response.get('X-Frame-Options')}"
                )
            html = response.content.decode(errors="replace")
            if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html):
                problems.append(f"{where}: inline <script>")
            if re.search(r"<[a-z][^>]*\sstyle=", html) or "<style" in html:
                problems.append(f"{where}: inline style")

    assert checked > 30  # the walk reaches the site's pages
    assert problems == [], "\n".join(problems)


def test_the_walk_covers_the_main_pages():
    paths = argument_free_paths()

    for expected in (
        "/",
        "/accounts/login/",
        "/accounts/signup/",
        "/admin/",
        "/api/docs/",
    ):
        assert expected in paths
