"""Write the booking part of `make bench` (``bench/booking.py``) for this
database: mentorships and sessions for the groups, the booking page and slots
API mixes, the storm's scenario; time the two pages in process. Writes to the
database: run it on a copy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench import querymix
from bench.booking import (
    BOOKING_PAGE,
    SLOTS_API,
    booking_page_paths,
    groups_create,
    slot_list_paths,
    storm_lines,
)
from bench.scenario import Line, scenario_in_process, scenario_write


def _lines(step: str, paths: list[str]) -> list[Line]:
    return [Line(step, "GET", *row.split("\t")) for row in paths]


class Command(BaseCommand):
    help = "Make the booking bench's pairs and sessions, write its request files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out-dir", type=Path, required=True)
        parser.add_argument("--name", required=True, help="files' name prefix")
        parser.add_argument("--groups", type=int, default=125)
        parser.add_argument("--learners", type=int, default=4, help="per group")
        parser.add_argument("--mentors", type=int, default=8, help="per group")
        parser.add_argument("--slot-mentors", type=int, default=2500)
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--rounds", type=int, default=2, help="storm rows/group")
        parser.add_argument(
            "--contended", type=int, default=4, help="slots a storm row tries"
        )
        parser.add_argument("--seed", type=int, default=querymix.SEED)
        parser.add_argument(
            "--in-process", type=int, default=0, help="requests timed per page"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seed = options["seed"]
        try:
            groups = groups_create(
                groups=options["groups"],
                learners=options["learners"],
                mentors=options["mentors"],
                seed=seed,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        out: Path = options["out_dir"]
        out.mkdir(parents=True, exist_ok=True)
        name = options["name"]
        pages = booking_page_paths(groups, seed=seed)
        slots = slot_list_paths(groups, seed=seed, distinct=options["slot_mentors"])
        storm = storm_lines(
            groups,
            connections=options["connections"],
            rounds=options["rounds"],
            contended=options["contended"],
        )
        files = {
            "booking_file": out / f"{name}-booking-pages.txt",
            "slots_file": out / f"{name}-slots.txt",
            "storm_file": out / f"{name}-storm.tsv",
        }
        files["booking_file"].write_text("".join(p + "\n" for p in pages))
        files["slots_file"].write_text("".join(p + "\n" for p in slots))
        scenario_write(storm, files["storm_file"])
        result: dict[str, Any] = {
            **{key: str(path) for key, path in files.items()},
            "groups": len(groups),
            "learners": sum(len(g.learners) for g in groups),
            "mentors": sum(len(g.mentors) for g in groups),
            "pairs": len(pages),
            "slot_requests": len(slots),
            "slot_mentors": len(
                {p.split("\t")[0].split("mentor=")[1].split("&")[0] for p in slots}
            ),
            "storm_requests": len(storm),
            "storm_slots": len(
                {line.body.split("slot=")[1].split("&")[0] for line in storm}
            ),
            "storm_per_connection": len(storm) // options["connections"],
        }
        if options["in_process"]:
            result["in_process"] = scenario_in_process(
                _lines(BOOKING_PAGE, pages) + _lines(SLOTS_API, slots),
                per_step=options["in_process"],
            )
        self.stdout.write(json.dumps(result))
