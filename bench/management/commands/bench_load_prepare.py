"""Write the load scenario of `make load` (``bench/scenario.py``) for this
database, and time its steps in process. Writes to the database: sessions,
suggestions and, when timing, mentorship requests; run it on a copy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bench import querymix
from bench.scenario import (
    scenario_build,
    scenario_in_process,
    scenario_write,
    visitors_sign_in,
)


class Command(BaseCommand):
    help = "Sign learners in, write the load scenario, time its steps in process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--visitors", type=int, default=200)
        parser.add_argument("--blocks", type=int, default=1500, help="of 20 requests")
        parser.add_argument("--seed", type=int, default=querymix.SEED)
        parser.add_argument(
            "--in-process", type=int, default=0, help="requests timed per step"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            visitors = visitors_sign_in(count=options["visitors"])
            lines = scenario_build(
                visitors=visitors, blocks=options["blocks"], seed=options["seed"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        scenario_write(lines, options["out"])
        result: dict[str, Any] = {
            "scenario_file": str(options["out"]),
            "visitors": len(visitors),
            "requests": len(lines),
        }
        if options["in_process"]:
            result["in_process"] = scenario_in_process(
                lines, per_step=options["in_process"]
            )
        self.stdout.write(json.dumps(result))
