"""Checks made on every response the test suite receives (see ``conftest``):

- no template text on a page: ``{#``, ``#}``, ``{%`` or ``{{`` outside scripts
  means a template comment or tag was printed instead of read;
- no GET writes: the SQL a GET (or HEAD) request runs holds no INSERT, UPDATE
  or DELETE, except on the session table and in ``GET_WRITES_ALLOWED``;
- privacy headers: every response turns camera, microphone and location off
  (``Permissions-Policy``); every response to a signed-in person says
  ``Cache-Control: private, no-store``, except in ``CACHE_ALLOWED`` (still
  private);
- refused forms: an error summary that takes the focus and links to each
  field, each error beside and tied to its field (``form_checks``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.handlers.base import BaseHandler
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

from tests.gates.form_checks import form_error_problems

TEMPLATE_MARKS = ("{#", "#}", "{%", "{{")
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.IGNORECASE | re.DOTALL)
_WRITE = re.compile(
    r"^\s*(?:WITH\b.*?\)\s*)?(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)\"?",
    re.IGNORECASE | re.DOTALL,
)

# Tables a GET may write to, by URL name, each with why. Nothing else may.
GET_WRITES_ALLOWED: dict[str, dict[str, str]] = {
    # Opening a thread is reading it: the person's "read up to" time moves, so
    # the unread count in the menu drops. It writes only the reader's own row.
    "matching:thread": {"mentors_mentorship": "marks the thread read"},
    # A calendar app reading a person's feed: its owner sees that their
    # calendar reads the link. At most once an hour, on the feed's own row.
    "coaching_sessions:calendar-feed": {
        "coaching_sessions_calendarfeed": "when a calendar last read the feed"
    },
}
# Written by any request, GET included, each with why.
ALWAYS_ALLOWED = {
    # Django's session store saves the session (a new CSRF token, messages…).
    "accounts_session": "the session",
    # An API token's last use is shown on the account page; recorded at most
    # once a minute when the token authenticates a request.
    "accounts_apitoken": "a token's last use",
}


PERMISSIONS_OFF = ("camera=()", "microphone=()", "geolocation=()")
# Responses to a signed-in person that a browser may keep, by URL name, each
# with why. They stay "private": no shared cache keeps them.
CACHE_ALLOWED: dict[str, str] = {
    # The same bytes for everyone who may see the card; the directory shows it
    # on every visit. A draft photo is not kept (the view says no-store).
    "mentors:photo": "a public profile photo",
}


def template_text(html: str) -> list[str]:
    """The template marks found in a page outside its scripts, with context."""
    text = _SCRIPT.sub("", html)
    found = []
    for mark in TEMPLATE_MARKS:
        for match in re.finditer(re.escape(mark), text):
            start = max(0, match.start() - 40)
            found.append(text[start : match.end() + 40].replace("\n", " "))
    return found


def written_tables(sql: str) -> str | None:
    """The table an INSERT, UPDATE or DELETE statement writes, else None."""
    match = _WRITE.match(sql)
    return match.group(2).lower() if match else None


def forbidden_writes(url_name: str | None, statements: list[str]) -> list[str]:
    allowed = set(ALWAYS_ALLOWED) | set(GET_WRITES_ALLOWED.get(url_name or "", {}))
    return [
        sql[:200]
        for sql in statements
        if (table := written_tables(sql)) is not None and table not in allowed
    ]


def _url_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def header_problems(
    request: HttpRequest, response: HttpResponse, url_name: str | None
) -> list[str]:
    """What the response lacks of the privacy headers (module docstring)."""
    problems = []
    policy = response.get("Permissions-Policy", "")
    if not all(feature in policy for feature in PERMISSIONS_OFF):
        problems.append(f"Permissions-Policy {policy!r}")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        directives = {
            d.strip() for d in response.get("Cache-Control", "").lower().split(",")
        }
        needed = {"private"} if url_name in CACHE_ALLOWED else {"private", "no-store"}
        if not needed <= directives:
            problems.append(
                f"signed in, Cache-Control {response.get('Cache-Control')!r}"
            )
    return problems


def response_problems(
    request: HttpRequest, response: HttpResponse, statements: list[str]
) -> list[str]:
    where = f"{request.method} {request.get_full_path()} ({response.status_code})"
    problems = []
    content_type = response.get("Content-Type", "")
    if "text/html" in content_type and not getattr(response, "streaming", False):
        html = response.content.decode(errors="replace")
        problems += [f"{where}: template text …{t}…" for t in template_text(html)]
        problems += [f"{where}: {p}" for p in form_error_problems(html)]
    url_name = _url_name(request.path_info)
    problems += [f"{where}: {p}" for p in header_problems(request, response, url_name)]
    if request.method in ("GET", "HEAD"):
        problems += [
            f"{where}: GET wrote: {sql}"
            for sql in forbidden_writes(url_name, statements)
        ]
    return problems


@contextmanager
def checking_responses(report: Callable[[list[str]], None]) -> Iterator[None]:
    """While active, every request Django handles (test client and live server
    alike) is checked; problems are passed to ``report``."""
    original = BaseHandler.get_response

    def get_response(self: BaseHandler, request: HttpRequest) -> HttpResponse:
        statements: list[str] = []

        def record(
            execute: Any, sql: str, params: Any, many: bool, context: Any
        ) -> Any:
            statements.append(sql)
            return execute(sql, params, many, context)

        connection = connections["default"]
        with connection.execute_wrapper(record):
            response = original(self, request)
        problems = response_problems(request, response, statements)
        if problems:
            report(problems)
        return response

    BaseHandler.get_response = get_response  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseHandler.get_response = original  # type: ignore[method-assign]
