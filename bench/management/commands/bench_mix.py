"""Write the request lists the load benchmark replays (``bench/querymix.py``):
the directory's searches and the mentor pages, one path a line, in replay order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from bench import querymix
from mentors.selectors import mentor_profile_public_list


def directory_path(query: str) -> str:
    base = reverse("mentors:directory")
    return f"{base}?{query}" if query else base


class Command(BaseCommand):
    help = (
        "Write the directory's query mix and the mentor-page mix (paths files "
        "for wrk, and the searches with their classes as JSON)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out-dir", type=Path, required=True)
        parser.add_argument("--name", default="bench", help="files' name prefix")
        parser.add_argument("--seed", type=int, default=querymix.SEED)
        parser.add_argument("--distinct", type=int, default=querymix.DISTINCT)
        parser.add_argument("--zipf-s", type=float, default=querymix.ZIPF_S)
        parser.add_argument("--zipf-top", type=int, default=querymix.ZIPF_TOP)
        parser.add_argument("--mentors", type=int, default=2500)

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out_dir"]
        out.mkdir(parents=True, exist_ok=True)
        name = options["name"]
        mix = querymix.directory_mix(
            seed=options["seed"],
            distinct=options["distinct"],
            zipf_s=options["zipf_s"],
            zipf_top=options["zipf_top"],
        )
        directory_file = out / f"{name}-directory.txt"
        directory_file.write_text(
            "".join(directory_path(s.query) + "\n" for s in mix.replayed())
        )
        searches_file = out / f"{name}-directory.json"
        searches_file.write_text(
            json.dumps(
                {
                    "seed": mix.seed,
                    "zipf_s": mix.zipf_s,
                    "zipf_top": mix.zipf_top,
                    "searches": [
                        {"query": s.query, "class": s.klass, "count": n}
                        for s, n in zip(mix.searches, mix.counts, strict=True)
                    ],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
        public_ids = list(mentor_profile_public_list().values_list("pk", flat=True))
        mentors = querymix.mentor_mix(
            public_ids, seed=options["seed"], distinct=options["mentors"]
        )
        mentor_file = out / f"{name}-mentors.txt"
        mentor_file.write_text(
            "".join(reverse("mentors:detail", args=[pk]) + "\n" for pk in mentors)
        )
        classes: dict[str, dict[str, int]] = {}
        for search, count in zip(mix.searches, mix.counts, strict=True):
            entry = classes.setdefault(search.klass, {"distinct": 0, "requests": 0})
            entry["distinct"] += 1
            entry["requests"] += count
        self.stdout.write(
            json.dumps(
                {
                    "directory_file": str(directory_file),
                    "searches_file": str(searches_file),
                    "mentor_file": str(mentor_file),
                    "distinct_searches": len(mix.searches),
                    "directory_requests": len(mix.replay),
                    "most_popular": mix.searches[0].query,
                    "most_popular_count": mix.counts[0],
                    "classes": classes,
                    "distinct_mentors": len(set(mentors)),
                    "mentor_requests": len(mentors),
                    "public_mentors": len(public_ids),
                }
            )
        )
