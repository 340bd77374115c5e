"""The load scenario of `make load` (issue "Search that stays fast for every
query", item 7): what people do on the site, as a list of requests that
``bench/scenario.lua`` sends at a set rate.

Each line is one request: its step, method, path, cookies and form body.
Signed-in requests come from a pool of seeded learners (each with a session
and a CSRF cookie made here); the public pages are also requested by people
who are not signed in. Steps come in blocks of 20 with fixed counts (shuffled
inside the block), so any 20 lines in a row hold every step.
"""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.conf import settings
from django.db.models import Count
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import reverse

from accounts.models import User
from bench import querymix
from bench.loadrun import (
    BLOCK,
    BROWSE,
    HOME,
    MENTOR,
    REQUEST_FORM,
    SEARCH,
    SUGGESTIONS,
    step_order,
)
from bench.stats import percentile
from matching.engine.refresh import suggestions_refresh_for_learner
from mentors.models import LearnerProfile
from mentors.selectors import mentor_profile_public_list

ANONYMOUS_SHARE = 0.3  # of the public pages' requests
PUBLIC_STEPS = frozenset({HOME, BROWSE, SEARCH, MENTOR})
MESSAGE = (
    "Bonjour, je cherche quelqu'un du métier pour m'aider à progresser. "
    "Seriez-vous disponible pour un premier échange ?"
)


@dataclass(frozen=True)
class Visitor:
    """A signed-in learner: their cookies and what they may ask a mentor."""

    cookie: str
    csrf_token: str
    skills: tuple[str, ...]


@dataclass(frozen=True)
class Line:
    step: str
    method: str
    path: str
    cookie: str = ""
    body: str = ""

    def tsv(self) -> str:
        return "\t".join((self.step, self.method, self.path, self.cookie, self.body))


def visitors_sign_in(*, count: int) -> list[Visitor]:
    """Sign in ``count`` seeded learners who are not mentors and want at least
    one skill (a session row each) and give each a CSRF cookie; their
    suggestions are computed, as the nightly job would have."""
    profiles = list(
        LearnerProfile.objects.filter(
            user__is_active=True, user__is_staff=False, user__mentor_profile=None
        )
        .annotate(wanted=Count("skills"))
        .filter(wanted__gt=0)
        .select_related("user")
        .prefetch_related("skills__skill")
        .order_by("pk")[:count]
    )
    if not profiles:
        raise ValueError("No learner with skills in this database: seed it first.")
    visitors = []
    for profile in profiles:
        user: User = profile.user
        cookie, token = sign_in(user)
        suggestions_refresh_for_learner(learner_id=user.pk)
        visitors.append(
            Visitor(
                cookie=cookie,
                csrf_token=token,
                skills=tuple(s.skill.code for s in profile.skills.all()),
            )
        )
    return visitors


def sign_in(user: User) -> tuple[str, str]:
    """A session row for ``user`` and a CSRF secret: the Cookie header a
    browser would send, and the token its forms would post."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    request = HttpRequest()
    token = get_token(request)
    secret = request.META["CSRF_COOKIE"]
    cookie = (
        f"{settings.SESSION_COOKIE_NAME}={session}; "
        f"{settings.CSRF_COOKIE_NAME}={secret}"
    )
    return cookie, token


def scenario_build(
    *,
    visitors: Sequence[Visitor],
    blocks: int,
    seed: int = querymix.SEED,
    mix: querymix.Mix | None = None,
    mentors: int = 2500,
) -> list[Line]:
    """``blocks`` blocks of 20 requests (see ``BLOCK``)."""
    rng = Random(f"scenario:{seed}")  # noqa: S311 - reproducible, not secret
    mix = mix or querymix.directory_mix(seed=seed)
    searches = [s.query for s in mix.replayed() if "q=" in s.query]
    browsing = [s.query for s in mix.replayed() if "q=" not in s.query]
    public = list(
        mentor_profile_public_list()
        .filter(is_paused=False)
        .values_list("pk", "modes")
        .order_by("pk")
    )
    if not public:
        raise ValueError("No public mentor in this database: seed it first.")
    modes = dict(public)
    mentor_ids = querymix.mentor_mix(list(modes), seed=seed, distinct=mentors)
    directory = reverse("mentors:directory")
    lines: list[Line] = []
    position = {"search": 0, "browse": 0, "mentor": 0}

    def next_of(kind: str, items: Sequence[Any]) -> Any:
        item = items[position[kind] % len(items)]
        position[kind] += 1
        return item

    for _ in range(blocks):
        block = [step for step, n in BLOCK.items() for _ in range(n)]
        rng.shuffle(block)
        for step in block:
            visitor = rng.choice(visitors)
            cookie = visitor.cookie
            if step in PUBLIC_STEPS and rng.random() < ANONYMOUS_SHARE:
                cookie = ""
            if step == HOME:
                lines.append(Line(step, "GET", reverse("home"), cookie))
            elif step == BROWSE:
                # The directory as it opens, or narrowed by filters, or a next page.
                query = next_of("browse", browsing) if rng.random() < 0.7 else ""
                path = f"{directory}?{query}" if query else directory
                lines.append(Line(step, "GET", path, cookie))
            elif step == SEARCH:
                query = next_of("search", searches)
                lines.append(Line(step, "GET", f"{directory}?{query}", cookie))
            elif step == MENTOR:
                pk = next_of("mentor", mentor_ids)
                path = reverse("mentors:detail", args=[pk])
                lines.append(Line(step, "GET", path, cookie))
            elif step == SUGGESTIONS:
                lines.append(Line(step, "GET", reverse("space"), cookie))
            else:
                pk = rng.choice(mentor_ids)
                path = reverse("matching:request-create", args=[pk])
                if step == REQUEST_FORM:
                    lines.append(Line(step, "GET", path, cookie))
                    continue
                body = urlencode(
                    {
                        "csrfmiddlewaretoken": visitor.csrf_token,
                        "skills": rng.choice(visitor.skills),
                        "preferred_mode": rng.choice(modes[pk]),
                        "message": MESSAGE,
                    }
                )
                lines.append(Line(step, "POST", path, cookie, body))
    return lines


def scenario_write(lines: Sequence[Line], path: Path) -> None:
    path.write_text("".join(line.tsv() + "\n" for line in lines))


def scenario_read(path: Path) -> list[Line]:
    return [Line(*row.split("\t")) for row in path.read_text().splitlines() if row]


def scenario_in_process(
    lines: Sequence[Line], *, per_step: int
) -> dict[str, dict[str, Any]]:
    """Each step's first ``per_step`` requests sent one at a time through
    Django's test client (no HTTP, no queue): p50 / p99 ms per step, and the
    statuses seen."""
    taken: dict[str, list[Line]] = defaultdict(list)
    for line in lines:
        if len(taken[line.step]) < per_step:
            taken[line.step].append(line)
    times: dict[str, list[float]] = defaultdict(list)
    statuses: dict[str, set[int]] = defaultdict(set)
    clients: dict[str, Client] = {}
    for step_lines in taken.values():  # warm up: the first of each step, once
        _send(clients, step_lines[0])
    order = [line for step_lines in taken.values() for line in step_lines]
    Random(0).shuffle(order)  # noqa: S311 - reproducible, not secret
    for line in order:
        started = time.perf_counter()
        status = _send(clients, line)
        times[line.step].append((time.perf_counter() - started) * 1000)
        statuses[line.step].add(status)
    return {
        step: {
            "requests": len(times[step]),
            "p50_ms": percentile(times[step], 50),
            "p99_ms": percentile(times[step], 99),
            "mean_ms": statistics.fmean(times[step]),
            "statuses": sorted(statuses[step]),
        }
        for step in sorted(times, key=step_order)
    }


def _send(clients: dict[str, Client], line: Line) -> int:
    client = clients.get(line.cookie)
    if client is None:
        client = clients[line.cookie] = Client(HTTP_HOST="127.0.0.1")
        for pair in filter(None, line.cookie.split("; ")):
            name, _, value = pair.partition("=")
            client.cookies[name] = value
    if line.method == "POST":
        response = client.post(line.path, dict(parse_qsl(line.body)))
    else:
        response = client.get(line.path)
    return response.status_code
