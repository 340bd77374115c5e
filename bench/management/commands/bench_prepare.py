"""Print, as JSON, what the load benchmark needs from a seeded bench database."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import QuerySet
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bench.dataset import bench_learner, directory_query
from mentors.directory import (
    PAGE_SIZE,
    DirectoryQuery,
    mentor_directory_page,
    mentor_directory_queryset,
)
from mentors.models import MentorProfile
from mentors.selectors import mentor_profile_public_list


class Command(BaseCommand):
    help = (
        "Sign a seeded learner in (a session row) and print the session key, a "
        "mentor page to load and how many mentors the directory query matches."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--directory-query",
            required=True,
            help="GET parameters of the directory page, e.g. 'q=excel&language=fr'.",
        )
        parser.add_argument(
            "--explain",
            action="store_true",
            help="Also print EXPLAIN (ANALYZE, BUFFERS) of the directory's page query.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            learner = bench_learner()
            query = directory_query(options["directory_query"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        client = Client()
        client.force_login(learner)
        session_key = client.cookies[settings.SESSION_COOKIE_NAME].value

        public = mentor_profile_public_list()
        public_count = public.count()
        if not public_count:
            raise CommandError("No public mentor in this database: seed it first.")
        text_only = mentor_directory_queryset(
            viewer_id=learner.pk, query=DirectoryQuery(q=query.q)
        )
        full = mentor_directory_queryset(viewer_id=learner.pk, query=query)
        page = mentor_directory_page(viewer_id=learner.pk, query=query)
        # A mentor from the middle of the table, not the newest nor the oldest.
        mentor_ids: QuerySet[MentorProfile, int] = public.order_by("pk").values_list(
            "pk", flat=True
        )
        mentor_id = mentor_ids[public_count // 2]

        result: dict[str, Any] = {
            "learner_id": learner.pk,
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "session_key": session_key,
            "logout_path": reverse("account_logout"),
            "mentor_id": mentor_id,
            "mentor_path": reverse("mentors:detail", args=[mentor_id]),
            "directory_path": reverse("mentors:directory"),
            "public_mentors": public_count,
            "text_matches": text_only.count(),
            "query_matches": full.count(),
            "page_size": PAGE_SIZE,
            "first_page_results": len(page.results),
        }
        if options["explain"]:
            # The statements the page runs (its ranking window among them),
            # the slowest explained.
            with (
                override_settings(SEARCH_QUERY_CACHES=False),
                CaptureQueriesContext(connection) as captured,
            ):
                mentor_directory_page(viewer_id=learner.pk, query=query)
            slowest = max(captured.captured_queries, key=lambda q: float(q["time"]))
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
                result["explain"] = "\n".join(row[0] for row in cursor.fetchall())
            result["sql"] = slowest["sql"]
        self.stdout.write(json.dumps(result))
